// @ts-check
/**
 * The site page's script, served as written (no build step): fetches api/site and
 * api/site/history every few seconds and draws them. Text goes in with textContent only: site and
 * model names come from agents and must never become markup. Type-checked against the snapshot's
 * TypeScript types by tsconfig.json beside it.
 */
(() => {
  'use strict';

  /** @typedef {import('../snapshot.js').SiteSnapshot} SiteSnapshot */
  /** @typedef {import('../snapshot.js').SiteFigures} SiteFigures */
  /** @typedef {import('../snapshot.js').WorkloadFigures} WorkloadFigures */
  /** @typedef {import('../snapshot.js').DownEntry} DownEntry */
  /** @typedef {import('../history.js').HistorySeries} HistorySeries */
  /** @typedef {import('uplot')} UPlotChart */
  /** @typedef {import('uplot').Options} UPlotOptions */

  const REFRESH_MS = 5000;
  const CHART_HEIGHT = 220;
  /** @type {typeof import('uplot')} */
  const UPlot = /** @type {any} */ (window).uPlot;
  const css = getComputedStyle(document.documentElement);
  const color = (/** @type {string} */ name) => css.getPropertyValue(name).trim();

  // ---- formatting: null is "not known", shown as a dash, never as 0 ----
  const DASH = '—';
  /** @param {number | null | undefined} v @param {number} digits */
  const num = (v, digits) => (v === null || v === undefined || !Number.isFinite(v) ? DASH : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  /** Megawatts with three significant decimals on small sites. @param {number | null} v */
  const mw = (v) => num(v, v === null || Math.abs(v) < 10 ? 3 : Math.abs(v) < 100 ? 2 : 1);
  /** Dollars as people write them: -$8.00, never $-8.00. @param {number | null} v @param {number} [digits] */
  const usd = (v, digits) => {
    if (v === null || !Number.isFinite(v)) return DASH;
    const d = digits ?? (Math.abs(v) < 100 ? 2 : 0);
    return `${v < 0 ? '-' : ''}$${num(Math.abs(v), d)}`;
  };
  /** @param {number | null} v */
  const pct = (v) => (v === null ? DASH : `${Math.round(v * 100)} %`);
  /** @param {number | null} s */
  const age = (s) => {
    if (s === null) return DASH;
    if (s < 90) return `${Math.round(s)} s`;
    if (s < 5400) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
    return `${Math.round(s / 86400)} d`;
  };
  /** @param {number | null} v */
  const signClass = (v) => (v === null ? '' : v < 0 ? 'neg' : 'pos');

  // ---- DOM helpers ----
  /**
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {(Node | string)[]} children
   */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    el.append(...children);
    return el;
  }
  /** A figure the refresh fills in: its key names the snapshot field. @param {string} key @param {string} cls @param {string} [unit] */
  const figure = (key, cls, unit) => h('span', {}, h('span', { class: cls, 'data-k': key }, DASH), ...(unit ? [h('span', { class: 'unit' }, unit)] : []));
  /** @param {string} label @param {string} key @param {string} [unit] */
  const row = (label, key, unit) => h('div', { class: 'row' }, h('span', { class: 'dim' }, label), figure(key, '', unit));
  /** @param {ParentNode} root @param {string} key @param {string} text @param {string} [cls] */
  function set(root, key, text, cls) {
    const el = root.querySelector(`[data-k="${key}"]`);
    if (!el) return;
    el.textContent = text;
    if (cls !== undefined) el.className = cls;
  }

  // ---- one card per site, built once and then filled in ----
  /** @type {Map<string, { root: HTMLElement, charts: { power: UPlotChart, margin: UPlotChart } }>} */
  const cards = new Map();
  const sitesEl = /** @type {HTMLElement} */ (document.getElementById('sites'));
  const waitingEl = /** @type {HTMLElement} */ (document.getElementById('waiting'));
  const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
  const marketEl = /** @type {HTMLElement} */ (document.getElementById('market'));

  /** @param {'mining' | 'hpc'} w @param {string} title */
  function workloadCard(w, title) {
    return h(
      'section',
      { class: `card ${w}`, 'data-workload': w },
      h('h3', {}, title),
      h('div', { class: 'big' }, figure(`${w}.power_mw`, 'big', 'MW')),
      h('div', { class: 'dim', 'data-k': `${w}.shares` }, DASH),
      h('div', { class: 'mid' }, figure(`${w}.revenue_usd_per_hour`, 'mid', 'revenue / h')),
      row('Revenue', `${w}.revenue_usd_per_mwh`, '/MWh'),
      row('Energy', `${w}.energy_cost_usd_per_mwh`, '/MWh'),
      row('Margin', `${w}.margin_usd_per_mwh`, '/MWh'),
      row('Energy cost', `${w}.energy_cost_usd_per_hour`, '/h'),
      ...(w === 'mining' ? [row('Hashrate', 'hashrate_phs', 'PH/s')] : []),
      h('div', { class: 'row dim', 'data-k': `${w}.devices` }, DASH),
    );
  }

  /**
   * @param {HTMLElement} el
   * @param {UPlotOptions['series']} series
   * @param {string} [right] a second scale on the right, in this colour: a series on it has `scale: 'right'`
   */
  function chart(el, series, right) {
    const grid = { stroke: color('--line'), width: 1 };
    /** @type {UPlotOptions['axes']} */
    const axes = [
      { stroke: color('--dim'), grid, ticks: grid },
      { stroke: color('--dim'), grid, ticks: grid, size: 60 },
    ];
    if (right) axes.push({ scale: 'right', side: 1, stroke: right, grid: { show: false }, ticks: grid, size: 60 });
    /** @type {UPlotOptions} */
    const opts = {
      width: Math.max(200, el.clientWidth),
      height: CHART_HEIGHT,
      series,
      scales: { x: { time: true } },
      axes,
      // Names only: nobody hovers over a wall screen.
      legend: { show: true, live: false },
    };
    const u = new UPlot(opts, [[], ...series.slice(1).map(() => [])], el);
    new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: CHART_HEIGHT })).observe(el);
    return u;
  }

  /** @param {string} site */
  function card(site) {
    const existing = cards.get(site);
    if (existing) return existing;
    const powerEl = h('div', { class: 'chart', 'data-chart': 'power', 'data-points': '0' });
    const marginEl = h('div', { class: 'chart', 'data-chart': 'margin', 'data-points': '0' });
    const root = h(
      'article',
      { class: 'site', 'data-site': site },
      h('div', { class: 'site-head' }, h('h2', {}, site), h('span', { class: 'dim', 'data-k': 'data_age' }, DASH)),
      h(
        'div',
        { class: 'grid' },
        workloadCard('mining', 'Mining'),
        workloadCard('hpc', 'HPC'),
        h(
          'section',
          { class: 'card energy' },
          h('h3', {}, 'Energy price'),
          h('div', { class: 'big' }, figure('energy.price_usd_per_mwh', 'big', '/MWh')),
          h('div', { 'data-k': 'energy.source' }, DASH),
          row('Opportunity', 'energy.opportunity_usd_per_mwh', '/MWh'),
          row('Spot', 'energy.spot_usd_per_mwh', '/MWh'),
          row('Site meter', 'site_meter_mw', 'MW'),
          row('PUE', 'pue'),
        ),
        h(
          'section',
          { class: 'card' },
          h('h3', {}, 'Devices down'),
          h('ul', { class: 'list', 'data-list': 'down' }),
          h('h3', {}, 'Curtailment advice'),
          h('ul', { class: 'list', 'data-list': 'curtailment' }),
          row('Mining margin at next halving', 'next_halving_margin', '/MWh'),
        ),
      ),
      h('div', { class: 'charts' }, h('div', {}, h('h3', {}, 'Power, MW'), powerEl), h('div', {}, h('h3', {}, 'Margin and energy price, $/MWh'), marginEl)),
    );
    sitesEl.append(root);
    const charts = {
      power: chart(powerEl, [{}, { label: 'Mining MW', stroke: color('--mining'), width: 2 }, { label: 'HPC MW', stroke: color('--hpc'), width: 2 }]),
      // HPC margins run to thousands per MWh, mining's to tens: HPC gets the right-hand scale.
      margin: chart(
        marginEl,
        [
          {},
          { label: 'Mining margin', stroke: color('--mining'), width: 2 },
          { label: 'HPC margin (right)', stroke: color('--hpc'), width: 2, scale: 'right' },
          { label: 'Energy price', stroke: color('--energy'), width: 2, dash: [6, 4] },
        ],
        color('--hpc'),
      ),
    };
    const entry = { root, charts };
    cards.set(site, entry);
    return entry;
  }

  const DOWN_WORDS = { fault: 'reporting a fault', silent: 'not reporting', agent_offline: 'offline', agent_degraded: 'degraded (disk fault)' };
  /** @param {DownEntry} d */
  const downText = (d) => (d.kind === 'agent' ? `${d.count} agent${d.count === 1 ? '' : 's'} ${DOWN_WORDS[d.reason]}` : `${d.count} ${d.workload} ${d.kind}${d.count === 1 ? '' : 's'} ${DOWN_WORDS[d.reason]}`);

  /** @param {HTMLElement} root @param {'mining' | 'hpc'} w @param {WorkloadFigures} f */
  function fillWorkload(root, w, f) {
    set(root, `${w}.power_mw`, mw(f.power_mw));
    set(root, `${w}.shares`, f.power_mw > 0 ? `measured ${pct(f.measured_share)} · estimated ${pct(f.estimated_share)}` : 'no power');
    set(root, `${w}.revenue_usd_per_hour`, usd(f.revenue_usd_per_hour), 'mid');
    set(root, `${w}.revenue_usd_per_mwh`, usd(f.revenue_usd_per_mwh, 2));
    set(root, `${w}.energy_cost_usd_per_mwh`, usd(f.energy_cost_usd_per_mwh, 2));
    set(root, `${w}.margin_usd_per_mwh`, usd(f.margin_usd_per_mwh, 2), signClass(f.margin_usd_per_mwh));
    set(root, `${w}.energy_cost_usd_per_hour`, usd(f.energy_cost_usd_per_hour));
    set(root, `${w}.devices`, `${f.devices.up} up · ${f.devices.down} down · ${f.devices.stale} silent`);
  }

  /** @param {SiteFigures} s @param {number} sinceFetchS */
  function fillSite(s, sinceFetchS) {
    const { root } = card(s.site);
    set(root, 'data_age', s.data_age_s === null ? 'no sample yet' : `last sample ${age(s.data_age_s + sinceFetchS)} old`);
    fillWorkload(root, 'mining', s.mining);
    fillWorkload(root, 'hpc', s.hpc);
    set(root, 'hashrate_phs', num(s.hashrate_ths / 1000, 2));
    const e = s.energy;
    set(root, 'energy.price_usd_per_mwh', usd(e.price_usd_per_mwh, 2), e.stale ? 'big stale' : 'big');
    const source =
      e.source === 'fixed' ? 'fixed price or schedule (config)' : e.source === 'feed' ? `market feed, price ${age(e.age_s === null ? null : e.age_s + sinceFetchS)} old` : `STALE: the feed has no price for now (last ${age(e.age_s === null ? null : e.age_s + sinceFetchS)} ago); the fixed price stands in`;
    set(root, 'energy.source', source, e.stale ? 'stale' : 'dim');
    set(root, 'energy.opportunity_usd_per_mwh', usd(e.opportunity_usd_per_mwh, 2));
    set(root, 'energy.spot_usd_per_mwh', usd(e.spot_usd_per_mwh, 2));
    set(root, 'site_meter_mw', mw(s.site_meter_mw));
    set(root, 'pue', num(s.pue, 2));
    set(root, 'next_halving_margin', usd(s.next_halving_mining_margin_usd_per_mwh, 2), signClass(s.next_halving_mining_margin_usd_per_mwh));
    const down = /** @type {HTMLElement} */ (root.querySelector('[data-list="down"]'));
    down.replaceChildren(...(s.down.length === 0 ? [h('li', { class: 'pos' }, 'none')] : s.down.map((d) => h('li', {}, downText(d)))));
    const advice = /** @type {HTMLElement} */ (root.querySelector('[data-list="curtailment"]'));
    advice.replaceChildren(
      ...(s.curtailment.length === 0
        ? [h('li', { class: 'dim' }, 'nothing to advise (no breakeven known)')]
        : s.curtailment.map((a) => {
            const name = a.model ?? 'HPC (billed by utilisation)';
            const text = a.curtail ? `CURTAIL ${name}: frees ${mw(a.power_mw)} MW` : `run ${name} (breakeven ${usd(a.breakeven_usd_per_mwh, 2)}/MWh)`;
            return h('li', { class: a.curtail ? 'curtail' : '', title: a.reason }, text);
          })),
    );
  }

  /** @param {SiteSnapshot['market']} m @param {SiteSnapshot['halving']} halving @param {number} sinceFetchS */
  function fillMarket(m, halving, sinceFetchS) {
    /** @param {string} label @param {string} value @param {string} [cls] */
    const item = (label, value, cls) => h('span', { class: 'item' }, h('span', { class: 'dim' }, `${label} `), h('b', cls ? { class: cls } : {}, value));
    const when = halving ? new Date(halving.date_ms).toISOString().slice(0, 10) : '';
    marketEl.replaceChildren(
      item('BTC', usd(m.btc_usd, 0)),
      item('Hashprice', `${usd(m.hashprice_usd_per_ph_day, 2)}/PH/day`),
      item('Height', num(m.height, 0)),
      item('Market data', `${age(m.age_s === null ? null : m.age_s + sinceFetchS)} old${m.source === 'config' ? ' (constants from the config)' : ''}${m.stale ? ', STALE' : ''}`, m.stale ? 'stale' : ''),
      item('Next halving', halving ? `#${num(halving.height, 0)} in ${num(halving.blocks_until, 0)} blocks ≈ ${when}, subsidy ${halving.subsidy_btc_now} → ${halving.subsidy_btc_after} BTC` : DASH),
    );
  }

  /** @param {HistorySeries} history */
  function drawHistory(history) {
    for (const [site, { root, charts }] of cards) {
      const s = history.sites[site];
      if (!s) continue;
      // uPlot wants arrays of numbers; a null is a gap in the line.
      const t = history.t;
      charts.power.setData(/** @type {any} */ ([t, s.mining_mw, s.hpc_mw]));
      charts.margin.setData(/** @type {any} */ ([t, s.mining_margin_usd_per_mwh, s.hpc_margin_usd_per_mwh, s.energy_usd_per_mwh]));
      for (const el of root.querySelectorAll('[data-chart]')) el.setAttribute('data-points', String(t.length));
    }
  }

  /** @type {{ snapshot: SiteSnapshot, at: number } | null} */
  let last = null;

  function render() {
    if (!last) return;
    const sinceFetchS = (Date.now() - last.at) / 1000;
    const { snapshot } = last;
    fillMarket(snapshot.market, snapshot.halving, sinceFetchS);
    waitingEl.hidden = snapshot.sites.length > 0;
    for (const s of snapshot.sites) fillSite(s, sinceFetchS);
    // A site gone from the collector's view (silent for an hour) leaves the page.
    const shown = new Set(snapshot.sites.map((s) => s.site));
    for (const [site, c] of cards) {
      if (shown.has(site)) continue;
      c.charts.power.destroy();
      c.charts.margin.destroy();
      c.root.remove();
      cards.delete(site);
    }
  }

  /** @param {string} text @param {'live' | 'waiting' | 'lost'} state */
  function status(text, state) {
    statusEl.textContent = text;
    statusEl.dataset.state = state;
  }

  /** @param {string} path */
  async function getJson(path) {
    const r = await fetch(path, { cache: 'no-store' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  }

  async function refresh() {
    try {
      const [snapshot, history] = /** @type {[SiteSnapshot, HistorySeries]} */ (await Promise.all([getJson('api/site'), getJson('api/site/history')]));
      last = { snapshot, at: Date.now() };
      render();
      drawHistory(history);
      const time = new Date(snapshot.generated_at_ms).toLocaleTimeString();
      if (snapshot.sites.length === 0) status(`Waiting for data (collector answered at ${time})`, 'waiting');
      else status(`Live · updated ${time}`, 'live');
    } catch (err) {
      const since = last ? ` Figures below are from ${new Date(last.snapshot.generated_at_ms).toLocaleTimeString()}` : '';
      status(`Connection lost (${/** @type {Error} */ (err).message}); retrying.${since}`, 'lost');
    }
  }

  void refresh();
  setInterval(() => void refresh(), REFRESH_MS);
  // Ages tick between refreshes.
  setInterval(render, 1000);
})();
