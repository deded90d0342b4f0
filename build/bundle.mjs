#!/usr/bin/env node
/**
 * `npm run bundle`: the whole CLI as one ES module, dist/powersite.mjs, that needs only Node 20 —
 * no node_modules, no package.json, no sources beside it. `powersite install` copies this file.
 * Usage: node build/bundle.mjs [OUTFILE]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

// CommonJS dependencies call require() and read __filename and __dirname, which an ES module lacks.
const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

/**
 * Modules that read text files at run time, replaced in the bundle by one whose async export
 * returns the same texts, read at build time:
 *   module (path from the repository root) → { export: name, files: { key: file resolved from the root } }
 */
export const INLINED_TEXT_MODULES = {
  'collector/site-page/assets.ts': {
    export: 'loadPageAssets',
    files: {
      html: './collector/site-page/static/index.html',
      css: './collector/site-page/static/site.css',
      script: './collector/site-page/static/site.js',
      uplotJs: 'uplot/dist/uPlot.iife.min.js',
      uplotCss: 'uplot/dist/uPlot.min.css',
    },
  },
  'cli/install/deploy-files.ts': {
    export: 'loadDeployFiles',
    files: {
      agentUnit: './deploy/systemd/powersite-agent.service',
      collectorUnit: './deploy/systemd/powersite-collector.service',
      agentConfig: './deploy/agent.yaml',
      collectorConfig: './deploy/collector.yaml',
    },
  },
};

/** An esbuild plugin that replaces each module of `modules` (shaped like INLINED_TEXT_MODULES). */
export function inlineTextModules(modules, root = ROOT) {
  const byPath = new Map(Object.entries(modules).map(([module, spec]) => [resolve(root, module), spec]));
  const resolveFile = createRequire(resolve(root, 'package.json')).resolve;
  return {
    name: 'inline-text-modules',
    setup(build) {
      const replaced = new Set();
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const spec = byPath.get(args.path);
        if (!spec) return undefined;
        replaced.add(args.path);
        const texts = Object.fromEntries(Object.entries(spec.files).map(([key, file]) => [key, readFileSync(resolveFile(file), 'utf8')]));
        return { contents: `export async function ${spec.export}() { return ${JSON.stringify(texts)}; }\n`, loader: 'js' };
      });
      // A listed module that was moved or renamed would be bundled as is, reading files that are not there.
      build.onEnd(() => {
        const missing = [...byPath.keys()].filter((path) => !replaced.has(path));
        if (missing.length > 0) throw new Error(`inline-text-modules: listed but not in the bundle (moved or renamed?): ${missing.join(', ')}`);
      });
    },
  };
}

/**
 * An ES module is strict mode throughout, and some CommonJS dependencies rely on sloppy mode.
 * net-snmp's MIB keeps its providers in a Proxy whose set/deleteProperty traps return nothing: sloppy
 * code ignores that, strict code throws "'set' on proxy: trap returned falsish". The traps get the
 * `return true` they mean; the build fails if the text is not found (a new net-snmp: look again).
 */
const STRICT_MODE_PATCHES = {
  'net-snmp/index.js': [
    { find: '\t\t\tprovidersByOid[value.oid] = value;\n\t\t},', replace: '\t\t\tprovidersByOid[value.oid] = value;\n\t\t\treturn true;\n\t\t},' },
    { find: '\t\t\tdelete target[key];\n\t\t}\n\t});', replace: '\t\t\tdelete target[key];\n\t\t\treturn true;\n\t\t}\n\t});' },
  ],
};

/** An esbuild plugin applying `patches` (shaped like STRICT_MODE_PATCHES) to dependencies' files. */
function strictModePatches(patches, root = ROOT) {
  const resolveFile = createRequire(resolve(root, 'package.json')).resolve;
  const byPath = new Map(Object.entries(patches).map(([file, list]) => [resolveFile(file), { file, list }]));
  return {
    name: 'strict-mode-patches',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
        const entry = byPath.get(args.path);
        if (!entry) return undefined;
        let contents = readFileSync(args.path, 'utf8');
        for (const { find, replace } of entry.list) {
          if (contents.split(find).length !== 2) throw new Error(`bundle: the text to patch in ${entry.file} is not there exactly once: ${JSON.stringify(find)}`);
          contents = contents.replace(find, replace);
        }
        return { contents, loader: 'js' };
      });
    },
  };
}

/** Builds the bundle at `outfile`; the version comes from package.json, as common/version.ts reads it. */
export async function bundle(outfile = resolve(ROOT, 'dist/powersite.mjs'), { entry = resolve(ROOT, 'cli/main.ts'), modules = INLINED_TEXT_MODULES, root = ROOT } = {}) {
  const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    define: { POWERSITE_BUNDLED_VERSION: JSON.stringify(version) },
    plugins: [inlineTextModules(modules, root), strictModePatches(STRICT_MODE_PATCHES)],
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await bundle(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`bundle: ${out}`);
}
