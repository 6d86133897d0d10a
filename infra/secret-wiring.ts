/**
 * Which Secrets infra creates from stack config, and under which keys: the Secrets the stack
 * declares (`requiredSecrets`), then every other key a rendered TriggerAuthentication reads. A
 * Secret is keyed by what its consumer reads (`secretTargetRef[].key`, `secretKeyRef.key`), never
 * by the trigger parameter the value is passed to. Every value that cannot be read becomes one
 * problem, reported together before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RequiredSecret } from "../stacks/stack.js";
import type { ConfigSecret } from "./config-secret.js";
import type { Problem } from "../problems/problem.js";
import type { SecretKeyRef } from "./config.js";

/** A secret value read from stack config, or why it could not be read. */
export type SecretRead = pulumi.Output<string> | Problem;

/** How a value is read: a key the stack declares, or one a TriggerAuthentication references. */
export interface SecretReaders {
  declared(configKey: string, description: string): SecretRead;
  trigger(ref: SecretKeyRef): SecretRead;
}

/** The Secrets to create and the problems met reading their values (each problem once). */
export class SecretWiring {
  private readonly byName = new Map<string, { namespace: string; name: string; stringData: Record<string, pulumi.Output<string>> }>();
  private readonly found = new Map<string, Problem>();

  /** The value, or undefined after recording why there is none (the same path and message once). */
  valueOf(read: SecretRead): pulumi.Output<string> | undefined {
    if (pulumi.Output.isInstance(read)) return read;
    this.found.set(`${read.path}: ${read.message}`, read);
    return undefined;
  }

  /** Adds `key` to Secret `namespace/name`; the first value put under a key wins. */
  put(namespace: string, name: string, key: string, read: SecretRead): void {
    const value = this.valueOf(read);
    if (!value) return;
    const s = this.byName.get(`${namespace}/${name}`) ?? { namespace, name, stringData: {} };
    s.stringData[key] ??= value;
    this.byName.set(`${namespace}/${name}`, s);
  }

  /** In the order first put. */
  get secrets(): ConfigSecret[] {
    return [...this.byName.values()];
  }

  /** In the order first met. */
  get problems(): Problem[] {
    return [...this.found.values()];
  }
}

/**
 * The Secrets for the declared `required` ones and the TriggerAuthentication `refs` dist/ does not
 * render; a ref to a key the stack already declares is that declared Secret, not a second read.
 */
export function wireConfigSecrets(required: readonly RequiredSecret[], refs: readonly SecretKeyRef[], read: SecretReaders): SecretWiring {
  const wiring = new SecretWiring();
  for (const r of required) wiring.put(r.namespace, r.name, r.key, read.declared(r.configKey, r.description));
  for (const ref of refs) {
    if (required.some((r) => r.namespace === ref.namespace && r.name === ref.secretName && r.key === ref.key)) continue;
    wiring.put(ref.namespace, ref.secretName, ref.key, read.trigger(ref));
  }
  return wiring;
}
