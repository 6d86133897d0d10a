/**
 * PLAINTEXT_CREDENTIAL: no plaintext credential anywhere in rendered output (dist/ is committed) or in the
 * env config. Every string is scanned — env values, ConfigMap data (and the YAML inside it),
 * trigger metadata, annotations, rule files, Helm values — for URLs with user:password,
 * `password=`/`token:` assignments, well-known token formats, and non-empty values under
 * credential-named keys. Credentials belong in Secrets created out of band, referenced through
 * TriggerAuthentication/secretKeyRef.
 */
import type { CheckContext } from "./context.js";
import { deepWalk } from "./context.js";
import type { PathSegment } from "./types.js";
import { embeddedDocument, fileResource, isObject, resourceOf } from "./util.js";

/**
 * Credentials inside a value, in the order they are reported. The first two need a literal most
 * strings lack (`://`; `=` or `:` and a credential word), tested first; the well-known token
 * formats are tried in one pass (ANY_TOKEN_PATTERN). None matches fewer than 7 characters
 * (`pwd=abc`). The scan reaches every rendered string, and one pass of all ten alternatives at
 * every position was a third of its time.
 */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;
const ASSIGNMENT =
  /(?:^|[^A-Za-z0-9_])(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|auth[_-]?token)\s*[=:]\s*(?!\$\{|\$\(|\{\{|<)[^\s&;,'"]{3,}/i;
/** Every word of ASSIGNMENT's list holds one of these. */
const CREDENTIAL_WORD = /pass|pwd|secret|token|key/i;
const MIN_CREDENTIAL_LENGTH = 7;

/** Well-known token formats (case-sensitive). */
const TOKEN_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}/, "a GitHub token"],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, "a JSON Web Token"],
  [/\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]{16,}=*/, "an Authorization header value"],
  [/\bsk_live_[A-Za-z0-9]{16,}|\bsk-[A-Za-z0-9_-]{20,}/, "an API secret key"],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
];

/** Any of TOKEN_PATTERNS: one pass; a string that matches is read pattern by pattern, in order. */
const ANY_TOKEN_PATTERN = new RegExp(TOKEN_PATTERNS.map(([re]) => `(?:${re.source})`).join("|"));

/** The first kind of credential inside `value`, in the order above. */
// The guards below are necessary conditions of the regexes they precede (so equivalent mutants: a
// weakened guard changes the time taken, not the answer); credentials.test.ts holds the answers
// equal to the ten patterns tried in order.
function credentialInValue(value: string): string | undefined {
  // Stryker disable next-line ConditionalExpression: a guard (see above)
  if (value.length < MIN_CREDENTIAL_LENGTH) return undefined;
  // Stryker disable next-line ConditionalExpression,StringLiteral,LogicalOperator: a guard (see above)
  if (value.includes("://") && URL_WITH_PASSWORD.test(value)) return "a URL with user:password";
  // Stryker disable next-line ConditionalExpression,StringLiteral,LogicalOperator: a guard (see above)
  if ((value.includes("=") || value.includes(":")) && CREDENTIAL_WORD.test(value) && ASSIGNMENT.test(value))
    return "a password=/token= assignment";
  // Stryker disable next-line ConditionalExpression: a guard (see above)
  if (ANY_TOKEN_PATTERN.test(value)) for (const [re, what] of TOKEN_PATTERNS) if (re.test(value)) return what;
  return undefined;
}

const CREDENTIAL_KEYS = [
  "password",
  "passwd",
  "pwd",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "secretkey",
  "privatekey",
  "clientsecret",
  "credential",
  "credentials",
  "authtoken",
  "connectionstring",
  "signingkey",
];

/** `DB_PASSWORD`, `apiToken`, `client-secret`: a key whose value is a credential. */
export function isCredentialKey(key: string): boolean {
  let known = CREDENTIAL_KEY_CACHE.get(key);
  // Stryker disable next-line ConditionalExpression: a cache (computing again gives the same answer)
  if (known === undefined) {
    const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
    // Stryker disable next-line ConditionalExpression: `k === n` is a case of `k.endsWith(n)`
    known = CREDENTIAL_KEYS.some((n) => k === n || k.endsWith(n));
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the cache's bound (a forgotten key is judged again)
    if (CREDENTIAL_KEY_CACHE.size >= 10_000) CREDENTIAL_KEY_CACHE.clear();
    CREDENTIAL_KEY_CACHE.set(key, known);
  }
  return known;
}

/** Keys repeat across every object (`name`, `value`, `image`): each is judged once. */
const CREDENTIAL_KEY_CACHE = new Map<string, boolean>();

/** Empties the key cache (the mutation runs: test/helpers/clear-caches.ts). */
// Stryker disable next-line BlockStatement: used by the mutation runs' setup only
export function clearCredentialKeyCache(): void {
  CREDENTIAL_KEY_CACHE.clear();
}

/** Values that are references or placeholders, not credentials. */
function isReference(v: string): boolean {
  const t = v.trim();
  return (
    t === "" ||
    t === "true" ||
    t === "false" ||
    t.startsWith("/") ||
    /^\$\{[^}]+\}$/.test(t) ||
    /^\$\([^)]+\)$/.test(t) ||
    /^\{\{.*\}\}$/.test(t) ||
    /^<[^<>]*>$/.test(t)
  );
}

/** What kind of credential `value` (found under `key`) is, or undefined. */
export function credentialIn(key: string | undefined, value: string): string | undefined {
  const inValue = credentialInValue(value);
  if (inValue !== undefined) return inValue;
  if (key !== undefined && isCredentialKey(key) && !isReference(value)) return `a value under the credential-named key "${key}"`;
  return undefined;
}

/** Scans one tree; `env` arrays (`[{name, value}]`) are read with the variable name as the key. */
function scan(root: unknown, base: readonly PathSegment[], report: (path: readonly PathSegment[], what: string) => void): void {
  deepWalk(root, base, (v, path, key, container) => {
    if (typeof v !== "string") return;
    if (embeddedDocument(v) !== undefined) return; // its parts are visited one by one
    let k = typeof key === "string" ? key : undefined;
    // env var / header entries: the sibling `name` says what the value is
    if (key === "value" && path.length >= 2 && isObject(container) && typeof container.name === "string") k = container.name;
    const what = credentialIn(k, v);
    if (what) report([...path], what); // deepWalk's path is valid during the call only
  });
}

const FIX =
  "move it into a Secret created outside this repository and reference it (TriggerAuthentication secretTargetRef, env valueFrom.secretKeyRef, *_file settings)";

/** PLAINTEXT_CREDENTIAL in rendered output. */
export function checkRenderedCredentials(ctx: CheckContext): void {
  for (const o of ctx.objects) {
    const resource = resourceOf(o);
    if (o.kind === "Secret" && o.apiVersion === "v1") {
      for (const field of ["data", "stringData"] as const) {
        if (isObject(o[field]) && Object.keys(o[field]).length > 0) {
          ctx.sink.error(
            "PLAINTEXT_CREDENTIAL",
            resource,
            field,
            `a Secret with ${field} (${Object.keys(o[field]).join(", ")}) is rendered into committed output: base64 is not encryption`,
            "create the Secret out of band (sealed-secrets, external-secrets, or kubectl) and only reference it here",
          );
        }
      }
      continue;
    }
    scan(o, [], (path, what) =>
      ctx.sink.error("PLAINTEXT_CREDENTIAL", resource, path, `${what} in rendered output (committed to dist/)`, FIX),
    );
  }
  for (const f of ctx.files) {
    const parsed = ctx.parsedFiles().find((p) => p.path === f.path);
    if (parsed && parsed.docs.length > 0) {
      parsed.docs.forEach((d, i) =>
        scan(d, parsed.docs.length > 1 ? [i] : [], (path, what) =>
          ctx.sink.error("PLAINTEXT_CREDENTIAL", fileResource(f.path), path, `${what} in a rendered file`, FIX),
        ),
      );
    } else {
      f.content.split("\n").forEach((line, i) => {
        const what = credentialIn(undefined, line);
        if (what) ctx.sink.error("PLAINTEXT_CREDENTIAL", fileResource(f.path), `line ${i + 1}`, `${what} in a rendered file`, FIX);
      });
    }
  }
  for (const [addon, values] of Object.entries(ctx.helmValues)) {
    scan(values, [], (path, what) => ctx.sink.error("PLAINTEXT_CREDENTIAL", `HelmValues ${addon}`, path, `${what} in Helm values`, FIX));
  }
}

/** PLAINTEXT_CREDENTIAL in the env config (before anything renders). */
export function checkConfigCredentials(ctx: CheckContext): void {
  // One service's view: the other services' views are scanned as their own (buildStack runs the checks per service).
  const { services: _services, ...view } = ctx.config;
  scan(view, [], (path, what) =>
    ctx.sink.error("PLAINTEXT_CREDENTIAL", ctx.configResource, path, `${what} in the env config (it would be rendered into dist/)`, FIX),
  );
}
