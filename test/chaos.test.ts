// The chaos suite in its short form: zero loss for every fault but a full spool, whose loss must
// equal the messages it says it dropped. `npm run chaos` runs the long form.
import { expect, it } from 'vitest';
import { formatResult, runChaos } from './chaos/suite.js';

it('loses nothing through broker, collector, database and agent faults; a full spool loses exactly what it drops', async () => {
  const results = await runChaos({ scale: 1, onResult: (r) => process.stdout.write(`chaos ${formatResult(r)}\n`) });
  expect(results.map((r) => r.scenario)).toEqual(['baseline', 'broker-restart', 'collector-kill9', 'influxdb-outage', 'agent-restart-in-outage', 'spool-overflow']);
  for (const r of results) {
    expect(r.sent, r.scenario).toBeGreaterThan(10);
    if (r.scenario === 'spool-overflow') {
      expect(r.dropped, r.scenario).toBeGreaterThan(0);
      expect(r.lost, r.scenario).toBe(r.dropped);
    } else {
      expect(r.dropped, r.scenario).toBe(0);
      expect(r.lost, r.scenario).toBe(0);
    }
  }
}, 300_000);
