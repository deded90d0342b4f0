import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CgminerConfig } from '../sources/cgminer/config.js';
import { sourcesYaml } from './sources-yaml.js';

describe('sourcesYaml', () => {
  const found = [
    { host: '10.0.3.17', port: 4028, family: 'antminer' as const, model: 'Antminer S9', firmware: 'vnish 3.8.6' },
    { host: '10.0.3.18', port: 4029, family: 'generic' as const, firmware: 'ccminer 2.3.3' },
    { host: '10.0.3.19', port: 4433, family: 'whatsminer-v3' as const, model: 'Whatsminer M60S' },
  ];

  it('prints a commented sources block', () => {
    expect(sourcesYaml(found, { scanned: '10.0.3.0/24' })).toBe(
      [
        '# powersite scan: 3 miners found in 10.0.3.0/24',
        '',
        'sources:',
        '  - type: cgminer',
        '    workload: mining',
        '    miners:',
        '      - 10.0.3.17 # Antminer S9 (antminer, vnish 3.8.6)',
        '      - 10.0.3.18:4029 # model unknown (generic, ccminer 2.3.3)',
        '      - 10.0.3.19:4433 # Whatsminer M60S (whatsminer-v3)',
        '',
      ].join('\n'),
    );
  });

  it('is a block the cgminer source accepts as it is', () => {
    const source = (parse(sourcesYaml(found)) as { sources: unknown[] }).sources[0];
    const config = CgminerConfig.parse(source);
    expect(config.miners.map((m) => m.id)).toEqual(['10.0.3.17', '10.0.3.18:4029', '10.0.3.19:4433']);
    expect(config.miners[2]).toMatchObject({ port: 4433 });
  });

  it('says so when nothing was found', () => {
    expect(sourcesYaml([], { scanned: '10.0.9.0/24' })).toBe('# powersite scan: no miners found in 10.0.9.0/24\n');
  });
});
