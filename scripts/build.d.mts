/** Types of scripts/build.mjs (plain JavaScript: it runs before anything is compiled). */
export declare const ROOT: string;
export declare const OUT: string;
export declare const LOCK: string;
export declare function buildFolders(): string[];
export declare const SOURCE_FOLDERS: readonly string[];
export declare const ENTRIES: Readonly<Record<string, string>>;
export declare function isStale(name?: string): boolean;
export declare function build(entries?: Readonly<Record<string, string>>, quiet?: boolean): Promise<unknown>;
export declare function withBuildLock<T>(fn: () => Promise<T> | T, timeoutMs?: number): Promise<T>;
export declare function ensureBuilt(name: string): Promise<string>;
export declare const K8S_BINDINGS: RegExp;
export declare const QUADRATIC_OMIT: string;
export declare const LINEAR_OMIT_HELPER: string;
export declare const VEGA_CANVAS: RegExp;
export declare const CANVAS_AWAIT: string;
export declare const RE2_RUNTIME: RegExp;
export declare const RE2_RUNTIME_TEXT: string;
export declare const LAZY_RE2: string;
