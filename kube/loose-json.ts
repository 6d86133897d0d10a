/**
 * A value read from rendered or hand-edited JSON/YAML: a Kubernetes object, Helm values, a document
 * embedded in a ConfigMap. Its shape is checked field by field where it is read, not declared: a
 * declared type would be a lie for a user's edited object, and `unknown` would need a cast at every
 * property read. This is the source's one `any`, named so every use says why.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** An object of {@link Loose} values (a rendered Kubernetes object, a chart's values). */
export type LooseObject = Record<string, Loose>;
