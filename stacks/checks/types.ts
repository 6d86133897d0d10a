/**
 * Shared types of the cross-resource checks: what a finding is and what a check reads.
 */
import type { EnvConfig } from "../config.js";

export type Severity = "error" | "warning";

/** One problem a check found. Errors fail synth; warnings are printed. */
export interface Finding {
  /** Stable code (see CHECK_CODES); CI and tests match on it, never on the wording. */
  readonly code: string;
  readonly severity: Severity;
  readonly env: string;
  /** `Kind namespace/name` of the object, `File <path>` for a plain file, `EnvConfig <env>` for the config. */
  readonly resource: string;
  /** Field path inside that resource, e.g. `spec.triggers[0].metadata.query`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** A rendered Kubernetes object, read defensively: checks also run on hand-edited objects. */
export type K8sObject = Record<string, any>;

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
