/**
 * Shared types of the cross-resource checks: what a check reads. What it finds is a Problem
 * (problems/problem.ts) with a code from the catalog's check section.
 */
import type { EnvConfig } from "../config.js";
import type { LooseObject } from "../../kube/loose-json.js";

/** A rendered Kubernetes object, read defensively: checks also run on hand-edited objects. */
export type K8sObject = LooseObject;

/** A file written beside the charts (plain rule files, scrape configs...). */
export interface RenderedFileInput {
  /** Path relative to `dist/<env>/`. */
  readonly path: string;
  readonly content: string;
}

/** Everything the rendered-object checks read: the environment's output plus its parsed config. */
export interface CheckInput {
  readonly config: EnvConfig;
  readonly objects: readonly K8sObject[];
  readonly files?: readonly RenderedFileInput[];
  /** Helm values passed to cluster add-ons (e.g. prometheus-adapter rules), by add-on name. */
  readonly helmValues?: Readonly<Record<string, Record<string, unknown>>>;
}

export type PathSegment = string | number;
