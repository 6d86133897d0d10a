/** The environments this repository deploys. Add one: a file here plus an entry below. */
import type { EnvConfigInput } from "../config.js";
import { dev } from "./dev.js";
import { gpu } from "./gpu.js";
import { loadtest } from "./loadtest.js";
import { models } from "./models.js";
import { prod } from "./prod.js";
import { staging } from "./staging.js";

export const ENVIRONMENTS: Readonly<Record<string, EnvConfigInput>> = { dev, staging, prod, gpu, loadtest, models };

export const ENV_NAMES = Object.keys(ENVIRONMENTS);
