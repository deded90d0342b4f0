/**
 * The site page as one response: the HTML with its CSS, uPlot and the page script inlined, built
 * once at start and served from memory. Nothing is loaded from another host (no CDN, no fonts), and
 * the Content-Security-Policy holds the browser to that: only these inline scripts and styles (by
 * hash) and requests back to the collector. Pure.
 */
import { createHash } from 'node:crypto';

export interface PageAssets {
  html: string;
  css: string;
  /** The page's browser script. */
  script: string;
  uplotJs: string;
  uplotCss: string;
}

export interface SitePage {
  body: Buffer;
  headers: Record<string, string>;
}

/** Where each asset goes in index.html: comments, so the template stays a valid page on its own. */
const SLOTS = [
  ['/*UPLOT_CSS*/', 'uplotCss', 'style'],
  ['/*SITE_CSS*/', 'css', 'style'],
  ['/*UPLOT_JS*/', 'uplotJs', 'script'],
  ['/*SITE_JS*/', 'script', 'script'],
] as const satisfies readonly (readonly [string, keyof PageAssets, 'script' | 'style'])[];

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function assemblePage(assets: PageAssets): SitePage {
  let html = assets.html;
  const hashes = { script: [] as string[], style: [] as string[] };
  for (const [slot, key, tag] of SLOTS) {
    const text = assets[key];
    if (html.split(slot).length !== 2) throw new Error(`site page: index.html must hold ${slot} exactly once`);
    // Inlined text that closed its own element would end it early and spill into the page.
    if (new RegExp(`</${tag}`, 'i').test(text)) throw new Error(`site page: ${key} contains "</${tag}" and cannot be inlined`);
    // A function, not a string: uPlot's code is full of "$" that replace() would read as patterns.
    html = html.replace(slot, () => text);
    hashes[tag].push(sha256(text));
  }
  const csp = [
    "default-src 'none'",
    `script-src ${hashes.script.join(' ')}`,
    `style-src ${hashes.style.join(' ')}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    body: Buffer.from(html, 'utf8'),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  };
}
