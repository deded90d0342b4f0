// Wall-clock steps under a running agent (Date stepped back an hour and forward two, as NTP does
// after a bad start): sampling goes on at its interval, and the samples' timestamps follow the
// wall clock. Only Date is faked; the timers are real.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Agent, type CycleReport } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import { freePort } from './harness/index.js';
import { eventually } from './support/metrics.js';

let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'powersite-clock-'));
});
afterAll(async () => {
  vi.useRealTimers();
  await rm(stateDir, { recursive: true, force: true });
});

it('keeps sampling through a wall-clock step back and forward', async () => {
  const reports: CycleReport[] = [];
  const agent = new Agent(
    AgentConfig.parse({
      site: 'clock-site',
      host: 'h1',
      interval: '200ms',
      state_dir: stateDir,
      // Nothing listens there: this test is about sampling; the spool keeps what is taken.
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}`, reconnect_period: '10s' },
      sources: [{ type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 2, power_w: 700 }],
    }),
    { logger: silentLogger(), onCycle: (r) => reports.push(r) },
  );
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  await agent.start();
  agent.run();
  try {
    await eventually(() => reports.length >= 3, 30_000);
    const beforeStep = Date.now();
    // Back one hour: a scheduler on the wall clock would wait an hour for the next cycle.
    vi.setSystemTime(beforeStep - 3_600_000);
    const n = reports.length;
    await eventually(() => reports.length >= n + 5, 30_000);
    expect(reports.at(-1)!.ts).toBeLessThan(beforeStep - 3_000_000);
    // Forward two hours: a scheduler on the wall clock would fire a burst of missed cycles or skip.
    vi.setSystemTime(Date.now() + 7_200_000);
    const m = reports.length;
    await eventually(() => reports.length >= m + 5, 30_000);
    expect(reports.at(-1)!.ts).toBeGreaterThan(beforeStep + 3_000_000);
    // Every cycle sampled both devices.
    expect(reports.every((r) => r.devices === 2)).toBe(true);
  } finally {
    await agent.stop();
    vi.useRealTimers();
  }
});
