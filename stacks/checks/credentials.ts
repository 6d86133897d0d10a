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
import type { Loose } from "../../kube/loose-json.js";

const VALUE_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, "a URL with user:password"],
  [
    /(?:^|[^A-Za-z0-9_])(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|auth[_-]?token)\s*[=:]\s*(?!\$\{|\$\(|\{\{|<)[^\s&;,'"]{3,}/i,
    "a password=/token= assignment",
  ],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}/, "a GitHub token"],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, "a JSON Web Token"],
  [/\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]{16,}=*/, "an Authorization header value"],
  [/\bsk_live_[A-Za-z0-9]{16,}|\bsk-[A-Za-z0-9_-]{20,}/, "an API secret key"],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
];

/**
 * Any of VALUE_PATTERNS, case-insensitively: one pass over a string instead of ten. Most strings
 * match none; one that matches this is read pattern by pattern, in order (so the answer is the same).
 */
const ANY_VALUE_PATTERN = new RegExp(VALUE_PATTERNS.map(([re]) => `(?:${re.source})`).join("|"), "i");

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
  if (known === undefined) {
    const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
    known = CREDENTIAL_KEYS.some((n) => k === n || k.endsWith(n));
    if (CREDENTIAL_KEY_CACHE.size >= 10_000) CREDENTIAL_KEY_CACHE.clear();
    CREDENTIAL_KEY_CACHE.set(key, known);
  }
  return known;
}

/** Keys repeat across every object (`name`, `value`, `image`): each is judged once. */
const CREDENTIAL_KEY_CACHE = new Map<string, boolean>();

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
  if (ANY_VALUE_PATTERN.test(value)) for (const [re, what] of VALUE_PATTERNS) if (re.test(value)) return what;
  if (key !== undefined && isCredentialKey(key) && !isReference(value)) return `a value under the credential-named key "${key}"`;
  return undefined;
}

/** Scans one tree; `env` arrays (`[{name, value}]`) are read with the variable name as the key. */
function scan(root: unknown, base: readonly PathSegment[], report: (path: readonly PathSegment[], what: string) => void): void {
  deepWalk(root, base, (v, path, key) => {
    if (typeof v !== "string") return;
    if (embeddedDocument(v) !== undefined) return; // its parts are visited one by one
    let k = typeof key === "string" ? key : undefined;
    if (key === "value" && path.length >= 2) {
      // env var / header entries: the sibling `name` says what the value is
      const parent = path.slice(0, -1);
      const entry = lookup(root, base, parent);
      if (isObject(entry) && typeof entry.name === "string") k = entry.name;
    }
    const what = credentialIn(k, v);
    if (what) report([...path], what); // deepWalk's path is valid during the call only
  });
}

function lookup(root: unknown, base: readonly PathSegment[], path: readonly PathSegment[]): unknown {
  let cur: Loose = root;
  for (const seg of path.slice(base.length)) {
    if (cur === null || cur === undefined) return undefined;
    cur = typeof cur === "string" ? embeddedDocument(cur)?.[seg as never] : cur[seg];
  }
  return cur;
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
