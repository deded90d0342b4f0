// The bench in its smoke mode, as CI runs it: every stage completes against the real Mosquitto,
// InfluxDB and collector processes and counts exactly what it sent. Speed is not asserted here.
import { describe, expect, it } from 'vitest';
import { AGENT_SMOKE, agentBench } from './agent-bench.js';
import { histogramQuantile } from './collector-runs.js';
import { CASES, collectorBench, formatTable, median, SMOKE } from './collector-bench.js';
import { DEVICES_PER_MESSAGE } from './traffic.js';

describe('bench arithmetic', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates a quantile within its bucket as histogram_quantile does', () => {
    // 100 observations: 40 up to 0.1 s, 50 more up to 0.25 s, 10 more up to 1 s.
    const buckets = [{ le: 0.1, count: 40 }, { le: 0.25, count: 90 }, { le: 1, count: 100 }, { le: Infinity, count: 100 }];
    // Rank 50 is the 10th of 50 in (0.1, 0.25]: 0.1 + 0.15 × 10/50.
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.13, 10);
    // Rank 99 is the 9th of 10 in (0.25, 1]: 0.25 + 0.75 × 9/10.
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.925, 10);
  });
});

it('runs every stage of the smoke bench and counts exactly what it sent', async () => {
  const options = { ...SMOKE, messages: 200 };
  const result = await collectorBench({ ...options, log: () => {} });
  for (const mix of options.mixes) {
    const points = options.messages * (DEVICES_PER_MESSAGE[mix] + 1);
    for (const c of CASES) {
      const [sample] = result.samples[mix][c];
      // VictoriaMetrics counts samples: one per numeric or boolean device field (miners 10, GPUs 7) and each message's seq.
      const samples = options.messages * (mix === 'miners' ? 50 * 10 + 1 : 8 * 7 + 1);
      const expected = c === 'drain' || c === 'collector_metrics_only' ? options.messages : c.includes('victoria') ? samples : points;
      expect(sample, `${mix} ${c}`).toMatchObject({ count: expected, expected });
      expect(sample!.seconds).toBeGreaterThan(0);
    }
  }
  expect(result.latency).toHaveLength(1);
  expect(result.latency[0]!.messages).toBe(options.latencyPerSecond * options.latencySeconds);
  const table = formatTable(result);
  expect(table).toContain('of the limit');
  expect(table).toContain('10,200 points');
}, 600_000);

it('runs the smoke agent bench beside node_exporter, every cycle carrying every device up', async () => {
  const results = await agentBench({ ...AGENT_SMOKE, log: () => {} });
  // One miner case and the GPU host (8 GPUs + the host); agentBench itself throws unless every
  // cycle's messages held all of them, up.
  expect(results.map((r) => [r.devices, r.cycles])).toEqual([[50, 2], [9, 2]]);
  for (const r of results) {
    expect(r.peakRssMb).toBeGreaterThan(0);
    expect(r.nodeExporter.peakRssMb).toBeGreaterThan(0);
  }
}, 600_000);
