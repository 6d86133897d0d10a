/** Types of scripts/code-cache.mjs (plain JavaScript: it runs before anything is compiled). */
export declare const cacheFile: (bundle: string) => string;
export declare function runWithCodeCache(bundle: string): boolean;
