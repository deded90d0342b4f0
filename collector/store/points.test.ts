import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../protocol/index.js';
import { telemetryToPoints } from './points.js';

const message: Telemetry = {
  v: 1, site: 'tx-1', host: 'gw-row12', seq: 18234, ts: 1764000000000, interval_s: 10,
  devices: [
    { id: 'GPU-5f1c', kind: 'gpu', workload: 'hpc', vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', up: true, power_w: 612.4, power_source: 'reported', energy_j: 9.81e9, utilization: 0.97, temp_c: 61 },
    { id: '10.0.3.17', kind: 'asic', workload: 'mining', up: false, error: 'connection refused' },
  ],
};

describe('telemetryToPoints', () => {
  it('writes one point per device by kind, plus the message record, with nanosecond agent time', () => {
    expect(telemetryToPoints(message)).toEqual([
      {
        measurement: 'gpu',
        tags: { site: 'tx-1', host: 'gw-row12', workload: 'hpc', device: 'GPU-5f1c', model: 'NVIDIA H100 80GB HBM3', vendor: 'nvidia', power_source: 'reported' },
        fields: { up: true, power_w: 612.4, energy_j: 9.81e9, utilization: 0.97, temp_c: 61 },
        timestamp: '1764000000000000000',
      },
      {
        measurement: 'asic',
        tags: { site: 'tx-1', host: 'gw-row12', workload: 'mining', device: '10.0.3.17' },
        fields: { up: false, error: 'connection refused' },
        timestamp: '1764000000000000000',
      },
      { measurement: 'agent_message', tags: { site: 'tx-1', host: 'gw-row12' }, fields: { seq: 18234, devices: 2, interval_s: 10 }, timestamp: '1764000000000018234' },
    ]);
  });

  it("tags a miner's algorithm and keeps its raw model string as a field", () => {
    const s9 = { id: '10.0.3.40', kind: 'asic', workload: 'mining', model: 'Antminer S9', model_raw: 'Antminer S9\nV1.3.58', algorithm: 'sha256', up: true, hashrate_hs: 13.9e12 } as const;
    const [point] = telemetryToPoints({ ...message, devices: [s9] });
    expect(point).toMatchObject({ tags: { model: 'Antminer S9', algorithm: 'sha256' }, fields: { model_raw: 'Antminer S9\\nV1.3.58', hashrate_hs: 13.9e12 } });
  });

  it('gives split messages of one cycle distinct message records', () => {
    const a = telemetryToPoints({ ...message, seq: 5 }).at(-1)!;
    const b = telemetryToPoints({ ...message, seq: 6 }).at(-1)!;
    expect(a.timestamp).not.toEqual(b.timestamp);
  });
});
