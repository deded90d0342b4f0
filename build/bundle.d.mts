// Types of build/bundle.mjs, for the tests that build the bundle.
export interface InlinedTextModule {
  export: string;
  files: Record<string, string>;
}
export declare const INLINED_TEXT_MODULES: Record<string, InlinedTextModule>;
export declare function bundle(outfile?: string, options?: { entry?: string; modules?: Record<string, InlinedTextModule>; root?: string }): Promise<string>;
