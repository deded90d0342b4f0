import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { HostConfig } from './definition.js';
import { HostSource, toHostReading } from './index.js';

describe('host source', () => {
  it('builds the reading from systeminformation answers, RAPL microjoules as a joule counter', () => {
    expect(toHostReading('gw-1', { currentLoad: 42.5 }, { active: 8e9, total: 32e9 }, { main: 55 }, 123_456_789)).toEqual({
      id: 'gw-1', kind: 'host', up: true, utilization: 0.425, mem_used_bytes: 8e9, mem_total_bytes: 32e9, temp_c: 55, device_energy_j: 123.456789,
    });
  });

  it('leaves out what the machine does not tell (no sensor: null temperature)', () => {
    expect(toHostReading('gw-1', undefined, undefined, { main: null }, undefined)).toEqual({ id: 'gw-1', kind: 'host', up: true });
  });

  it('reads this machine for real, and shrugs off a missing RAPL counter', async () => {
    const source = new HostSource(HostConfig.parse({ type: 'host', rapl_path: '/nonexistent/energy_uj' }), { logger: silentLogger(), intervalMs: 10_000, hostName: 'this-host' }, 'this-host');
    const [reading] = await source.read();
    expect(reading).toMatchObject({ id: 'this-host', kind: 'host', up: true });
    expect(reading!.mem_total_bytes).toBeGreaterThan(0);
    expect(reading!.utilization).toBeGreaterThanOrEqual(0);
    expect(reading!.utilization).toBeLessThanOrEqual(1);
    expect(reading!.device_energy_j).toBeUndefined();
  });
});
