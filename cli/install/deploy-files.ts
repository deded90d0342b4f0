/**
 * The shipped deploy/ files that `powersite install` writes: the systemd units and the commented
 * example configs. The only install module that reads files at run time, so the single-file
 * bundle swaps it for one returning the same texts (build/bundle.mjs, INLINED_TEXT_MODULES).
 */
import { readFile } from 'node:fs/promises';

export interface DeployFiles {
  agentUnit: string;
  collectorUnit: string;
  agentConfig: string;
  collectorConfig: string;
}

/** deploy/, from the repository root: what build/bundle.mjs inlines under the same keys. */
export const DEPLOY_FILES: Record<keyof DeployFiles, string> = {
  agentUnit: './deploy/systemd/powersite-agent.service',
  collectorUnit: './deploy/systemd/powersite-collector.service',
  agentConfig: './deploy/agent.yaml',
  collectorConfig: './deploy/collector.yaml',
};

/** The repository root seen from here: the sources (cli/install/) or the build (dist/cli/install/). */
const ROOTS = ['../../', '../../../'];

async function readFromRoot(file: string): Promise<string> {
  const tried: string[] = [];
  for (const root of ROOTS) {
    const url = new URL(file, new URL(root, import.meta.url));
    try {
      return await readFile(url, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      tried.push(url.pathname);
    }
  }
  throw new Error(`install: ${file} not found (looked in ${tried.join(', ')})`);
}

export async function loadDeployFiles(): Promise<DeployFiles> {
  const texts = await Promise.all(Object.entries(DEPLOY_FILES).map(async ([key, file]) => [key, await readFromRoot(file)] as const));
  return Object.fromEntries(texts) as unknown as DeployFiles;
}
