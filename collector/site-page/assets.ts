/**
 * Every file the site page is made of, read once at collector start: the page's HTML, CSS and
 * script, and uPlot's dist files. The only module of the page that touches the file system, so a
 * single-file bundle can swap it for one that returns the same texts inlined.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { PageAssets } from './page.js';

/** static/ beside this module in the sources; from the build (dist/collector/site-page/) the sources' copy. */
const STATIC_DIRS = ['./static/', '../../../collector/site-page/static/'];

async function readStatic(name: string): Promise<string> {
  const tried: string[] = [];
  for (const dir of STATIC_DIRS) {
    const path = fileURLToPath(new URL(`${dir}${name}`, import.meta.url));
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      tried.push(path);
    }
  }
  throw new Error(`site page: ${name} not found (looked in ${tried.join(', ')})`);
}

export async function loadPageAssets(): Promise<PageAssets> {
  const require = createRequire(import.meta.url);
  const [html, css, script, uplotJs, uplotCss] = await Promise.all([
    readStatic('index.html'),
    readStatic('site.css'),
    readStatic('site.js'),
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  return { html, css, script, uplotJs, uplotCss };
}
