import { describe, expect, it } from 'vitest';
import { loadRules, nonFiltering } from './rules.js';

describe('nonFiltering', () => {
  it('turns every comparison into a bool comparison', () => {
    expect(nonFiltering('a > 3')).toBe('a > bool 3');
    expect(nonFiltering('time() - max by (site) (t) > 120')).toBe('time() - max by (site) (t) > bool 120');
    expect(nonFiltering('a < 0.5 and on (site) max by (site) (b{billing="utilization"}) == 1')).toBe(
      'a < bool 0.5 and on (site) max by (site) (b{billing="utilization"}) == bool 1',
    );
    expect(nonFiltering('a >= 1 or b <= 2 or c != 3')).toBe('a >= bool 1 or b <= bool 2 or c != bool 3');
  });

  it('leaves label matchers, strings, ranges and existing bool modifiers alone', () => {
    expect(nonFiltering('x{state!="up",state=~"down|stale",a="}>"} > bool 0')).toBe('x{state!="up",state=~"down|stale",a="}>"} > bool 0');
    expect(nonFiltering('label_replace(x, "y", "<$1>", "z", "(.*)") > 1')).toBe('label_replace(x, "y", "<$1>", "z", "(.*)") > bool 1');
    expect(nonFiltering('rate(x[5m]) == 0')).toBe('rate(x[5m]) == bool 0');
  });

  it('drops offsets, which need history a fresh Prometheus lacks', () => {
    expect(nonFiltering('(a offset 6h - a) / abs(a offset 1h30m) > 0.25')).toBe('(a - a) / abs(a) > bool 0.25');
    expect(nonFiltering('rate(x[5m] offset 1d)')).toBe('rate(x[5m])');
  });
});

describe('loadRules', () => {
  it('reads the recording rules before the alerts, with their groups', () => {
    const rules = loadRules();
    expect(rules[0]).toMatchObject({ kind: 'record', group: 'powersite-recording', name: 'site_workload:powersite_power_watts:rate5m' });
    const floor = rules.find((r) => r.name === 'PowersiteMarginBelowFloor')!;
    expect(floor).toMatchObject({ kind: 'alert', group: 'powersite-economics', labels: { severity: 'warning' } });
    expect(floor.expr).toContain('powersite_site_margin_floor_usd_per_mwh');
    expect(floor.annotations.summary).toContain('{{ $labels.site }}');
  });
});
