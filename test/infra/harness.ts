/**
 * Runs the Pulumi program under `pulumi.runtime.setMocks` (no CLI, no plugins, no cluster) and
 * records every resource registration as the engine would receive it: type, name, parent,
 * dependencies, protect, provider references and the inputs both deserialized and on the wire
 * (where secrets are still wrapped).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "../helpers/cli.js";

export const PROJECT = "inference-scaling";

export interface Registration {
  readonly type: string;
  readonly name: string;
  urn: string;
  readonly parent: string;
  readonly custom: boolean;
  readonly remote: boolean;
  readonly protect: boolean;
  /** URNs of the explicit and implicit dependencies. */
  readonly dependencies: readonly string[];
  /** Provider reference (`<urn>::<id>`) of a custom resource. */
  readonly provider: string;
  /** Package → provider reference, for components. */
  readonly providers: Readonly<Record<string, string>>;
  /** Inputs as the mocks see them (secrets unwrapped). */
  readonly inputs: Record<string, any>;
  /** Inputs on the wire: secret values still inside their secret envelope. */
  readonly wire: unknown;
}

export interface StackConfig {
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
}

/** The config of `Pulumi.<stack>.yaml` as the language host passes it (objects as JSON), plus secrets. */
export function stackConfig(
  stack: string,
  secrets: Readonly<Record<string, string>> = {},
  overrides: Readonly<Record<string, unknown>> = {},
): StackConfig {
  const file = join(ROOT, `Pulumi.${stack}.yaml`);
  const fromFile: Record<string, unknown> = existsSync(file)
    ? ((parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {})
    : {};
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...fromFile, ...overrides })) {
    // Ciphertext written by `pulumi config set --secret` cannot be decrypted here: tests pass secrets explicitly.
    if (v === undefined || (typeof v === "object" && v !== null && "secure" in v)) continue;
    config[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(secrets)) {
    config[`${PROJECT}:${k}`] = v;
    secretKeys.push(`${PROJECT}:${k}`);
  }
  return { config, secretKeys };
}

/** Installs mocks for `stack` with `config`; returns the list registrations are appended to. */
export async function installMocks(stack: string, config: StackConfig): Promise<Registration[]> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    true,
  );
  pulumi.runtime.setAllConfig(config.config, config.secretKeys);
  const registrations: Registration[] = [];
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    const wire = req.getObject()?.toJavaScript() ?? {};
    const reg: Registration = {
      type: req.getType(),
      name: req.getName(),
      urn: "",
      parent: req.getParent(),
      custom: req.getCustom(),
      remote: req.getRemote(),
      protect: req.getProtect() ?? false,
      dependencies: req.getDependenciesList(),
      provider: req.getProvider(),
      providers: Object.fromEntries(req.getProvidersMap().toArray()),
      inputs: unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject())) as Record<string, any>,
      wire,
    };
    registrations.push(reg);
    return register(req, (err: unknown, resp: any) => {
      if (resp) reg.urn = resp.getUrn();
      callback(err, resp);
    });
  };
  return registrations;
}

export interface ProgramRun<T> {
  readonly registrations: Registration[];
  readonly outputs: T;
}

/** Runs `program` under mocks and waits until every registration has been answered. */
export async function runUnderMocks<T>(stack: string, config: StackConfig, program: () => Promise<T>): Promise<ProgramRun<T>> {
  const registrations = await installMocks(stack, config);
  try {
    const outputs = await program();
    return { registrations, outputs };
  } finally {
    await pulumi.runtime.disconnect();
  }
}

/** Runs the real program (infra/index.ts) for `stack`. */
export async function runProgram(stack: string, config: StackConfig = stackConfig(stack)) {
  const { default: deploy } = await import("../../infra/index.js");
  return runUnderMocks(stack, config, () => deploy(stack));
}

/** The Kubernetes objects committed in dist/<env>/*.yaml (top-level files only). */
export function distObjects(env: string): Record<string, any>[] {
  const dir = join(ROOT, "dist", env);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
    .flatMap((e) => parseAllDocuments(readFileSync(join(dir, e.name), "utf8")).map((d) => d.toJSON()))
    .filter((o) => o && typeof o === "object");
}

/** `Kind namespace/name` or `Kind name`. */
export function objectKey(o: Record<string, any>): string {
  return o.metadata.namespace ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`;
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretEnvelope(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** `v` with every secret envelope replaced by its value. */
function unwrapSecrets(v: unknown): unknown {
  if (isSecretEnvelope(v)) return unwrapSecrets((v as { value: unknown }).value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  return v;
}

/** Every string in `wire` outside a secret envelope, with its path. */
export function plainStrings(wire: unknown, path = ""): { path: string; value: string }[] {
  if (typeof wire === "string") return [{ path, value: wire }];
  if (isSecretEnvelope(wire)) return [];
  if (Array.isArray(wire)) return wire.flatMap((v, i) => plainStrings(v, `${path}[${i}]`));
  if (wire && typeof wire === "object")
    return Object.entries(wire).flatMap(([k, v]) => [{ path: `${path}.${k}#key`, value: k }, ...plainStrings(v, `${path}.${k}`)]);
  return [];
}
