import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPageAssets } from './assets.js';
import { assemblePage, type PageAssets } from './page.js';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('assemblePage', () => {
  it('inlines the page\'s CSS and script and uPlot\'s into one HTML document, each allowed by its hash alone', async () => {
    const assets = await loadPageAssets();
    const page = assemblePage(assets);
    const html = page.body.toString('utf8');
    expect(html).not.toMatch(/\/\*(UPLOT|SITE)_(JS|CSS)\*\//);
    for (const text of [assets.css, assets.script, assets.uplotJs, assets.uplotCss]) expect(html).toContain(text);
    const csp = page.headers['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${hashOf(assets.uplotJs)} ${hashOf(assets.script)};`);
    expect(csp).toContain(`style-src ${hashOf(assets.uplotCss)} ${hashOf(assets.css)};`);
    expect(csp).toContain("connect-src 'self'");
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  const tiny: PageAssets = { html: '<style>/*UPLOT_CSS*/</style><style>/*SITE_CSS*/</style><script>/*UPLOT_JS*/</script><script>/*SITE_JS*/</script>', css: 'b{}', script: 'x()', uplotJs: 'u()', uplotCss: 'i{}' };

  it('keeps "$" sequences of the inlined code as they are', () => {
    const html = assemblePage({ ...tiny, uplotJs: "a.replace(/x/, '$&$1$$')" }).body.toString();
    expect(html).toContain("<script>a.replace(/x/, '$&$1$$')</script>");
  });

  it('refuses text that would close its own element, and a template without its slots', () => {
    expect(() => assemblePage({ ...tiny, script: 'document.write("</SCRIPT>")' })).toThrow(/script contains "<\/script"/);
    expect(() => assemblePage({ ...tiny, css: 'b{}</style><script>' })).toThrow(/css contains "<\/style"/);
    expect(() => assemblePage({ ...tiny, html: '<p>no slots</p>' })).toThrow(/must hold \/\*UPLOT_CSS\*\/ exactly once/);
  });
});
