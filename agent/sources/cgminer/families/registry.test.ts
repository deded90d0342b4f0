import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../wire/protocols.js';
import { genericFamily } from './generic.js';
import { BUILTIN_FAMILIES, FAMILIES, FamilyRegistry } from './registry.js';
import { whatsminerV3Family } from './whatsminer-v3.js';

describe('family registry', () => {
  it('derives config values, ports and vendors from the families', () => {
    expect(FAMILIES.ids).toEqual(BUILTIN_FAMILIES.map((f) => f.id));
    expect(FAMILIES.ports).toEqual([4028, 4433]);
    expect(FAMILIES.defaultPort()).toBe(4028);
    expect(FAMILIES.defaultPort('whatsminer-v3')).toBe(4433);
    expect(FAMILIES.protocolForPort(4433).id).toBe('whatsminer-v3');
    expect(FAMILIES.protocolForPort(4029).id).toBe('cgminer'); // any other port: the first protocol
    expect(FAMILIES.vendorOf('braiins', 'Antminer S9')).toBe('bitmain'); // firmware without a maker: the model's
    expect(FAMILIES.vendorOf('avalon', undefined)).toBe('canaan');
    expect(FAMILIES.vendorOf('generic', 'Mystery 3000')).toBeUndefined();
  });

  it('refuses an inconsistent list, naming what is wrong', () => {
    expect(() => new FamilyRegistry([genericFamily, genericFamily])).toThrow('miner family "generic" registered twice');
    expect(() => new FamilyRegistry([genericFamily, { ...genericFamily, id: 'generic-2' }])).toThrow('two fallback families for protocol "cgminer"');
    expect(() => new FamilyRegistry([{ ...whatsminerV3Family, joinReads: true }], PROTOCOLS)).toThrow('miner family "whatsminer-v3" joins reads, which whatsminer-v3 cannot');
  });
});
