// The chaos suite in its short form, on the hard faults: zero loss through broker crashes (with and
// without its saved state, with a backlog queued), a failover to an empty broker, an InfluxDB that
// refuses every write and a collector restart during redelivery; a full spool loses exactly what it
// drops; and the collectors' counters equal the stored truth. `npm run chaos` runs every scenario
// (the softer ones too) in the long form.
import { expect, it } from 'vitest';
import { formatResult, runChaos } from './chaos/suite.js';

const SHORT = ['broker-kill9', 'broker-kill9-backlog', 'broker-failover-empty', 'influxdb-refusing', 'collector-restart-in-redelivery', 'spool-overflow'];

it('loses nothing through broker crashes, failover, a refusing database and collector restarts; a full spool loses exactly what it drops', async () => {
  const results = await runChaos({ scale: 1, only: SHORT, onResult: (r) => process.stdout.write(`chaos ${formatResult(r)}\n`) });
  expect(results.map((r) => r.scenario)).toEqual(SHORT);
  for (const r of results) {
    expect(r.sent, r.scenario).toBeGreaterThan(10);
    if (r.scenario === 'spool-overflow') {
      expect(r.dropped, r.scenario).toBeGreaterThan(0);
      expect(r.lost, r.scenario).toBe(r.dropped);
    } else {
      expect(r.dropped, r.scenario).toBe(0);
      expect(r.lost, r.scenario).toBe(0);
    }
    // Redeliveries and resends counted once, across collector restarts too.
    expect(r.drift_j + 0, r.scenario).toBe(0); // + 0: a drift of -0 J is none
  }
}, 420_000);
