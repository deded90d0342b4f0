/** powersite_collector_*: how the collector itself is doing (messages, writes, lag, loss). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { VERSION } from '../../common/version.js';
import { COMMIT_FAILURE_REASONS } from '../ingest/commit-consumers.js';
import { REJECT_REASONS, type RejectReason } from '../ingest/validate.js';

export class SelfMetrics {
  readonly messages: Counter<'result' | 'reason'>;
  readonly pointsWritten: Counter;
  readonly writeErrors: Counter;
  readonly writeDuration: Histogram;
  readonly lag: Histogram;
  readonly sequenceGaps: Counter<'site'>;
  readonly commitFailures: Counter<'consumer' | 'reason'>;
  readonly duplicates: Counter;
  readonly futureSamples: Counter<'site'>;
  readonly pendingPoints: Gauge;
  readonly mqttConnected: Gauge;

  constructor(registry: Registry, pending: () => number, connected: () => boolean, failingSince: () => number | undefined, maxPendingPoints: number, consumers: readonly string[] = []) {
    const registers = [registry];
    this.messages = new Counter({
      name: 'powersite_collector_messages_total',
      help: 'MQTT messages by result (accepted, rejected) and rejection reason',
      labelNames: ['result', 'reason'] as const,
      registers,
    });
    // Every reason exists from the start, so alerts on increase() see the first rejection.
    this.messages.inc({ result: 'accepted', reason: 'none' }, 0);
    for (const reason of REJECT_REASONS) this.messages.inc({ result: 'rejected', reason }, 0);
    this.pointsWritten = new Counter({ name: 'powersite_collector_points_written_total', help: 'Points written to InfluxDB', registers });
    this.writeErrors = new Counter({ name: 'powersite_collector_write_errors_total', help: 'Failed InfluxDB write attempts (each is retried)', registers });
    this.writeDuration = new Histogram({
      name: 'powersite_collector_write_duration_seconds',
      help: 'Duration of successful InfluxDB batch writes',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.lag = new Histogram({
      name: 'powersite_collector_lag_seconds',
      help: 'Time from the agent taking a sample to the collector committing it',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    });
    this.sequenceGaps = new Counter({
      name: 'powersite_collector_sequence_gaps_total',
      help: 'Telemetry messages missing from an agent\'s sequence, as seen by this collector',
      labelNames: ['site'] as const,
      registers,
    });
    this.commitFailures = new Counter({
      name: 'powersite_collector_commit_failures_total',
      help: 'Stored messages a consumer (ledger, lag) could not count, by reason (non_finite amount, error); the message is still stored',
      labelNames: ['consumer', 'reason'] as const,
      registers,
    });
    this.futureSamples = new Counter({
      name: 'powersite_collector_future_samples_total',
      help: 'Telemetry messages timestamped further ahead of this collector\'s clock than limits.max_clock_skew (the agent\'s clock is wrong; live state uses arrival time)',
      labelNames: ['site'] as const,
      registers,
    });
    for (const consumer of consumers) for (const reason of COMMIT_FAILURE_REASONS) this.commitFailures.inc({ consumer, reason }, 0);
    this.duplicates = new Counter({
      name: 'powersite_collector_duplicate_messages_total',
      help: 'Stored messages this collector had already counted (redeliveries): written again, idempotently, but not counted twice',
      registers,
    });
    this.pendingPoints = new Gauge({
      name: 'powersite_collector_pending_points',
      help: 'Points received but not yet written; their messages are not yet acknowledged',
      registers,
      collect() {
        this.set(pending());
      },
    });
    new Gauge({
      name: 'powersite_collector_max_pending_points',
      help: 'influx.max_pending_points: past it the collector stops reading and the broker queues',
      registers,
    }).set(maxPendingPoints);
    new Gauge({
      name: 'powersite_collector_write_failing_seconds',
      help: 'How long InfluxDB writes have been failing (refused or unreachable); 0 while they work',
      registers,
      collect() {
        const since = failingSince();
        this.set(since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000));
      },
    });
    this.mqttConnected = new Gauge({
      name: 'powersite_collector_mqtt_connected',
      help: '1 while connected to the MQTT broker',
      registers,
      collect() {
        this.set(connected() ? 1 : 0);
      },
    });
    new Gauge({ name: 'powersite_collector_build_info', help: 'Collector version', labelNames: ['version'] as const, registers }).set({ version: VERSION }, 1);
  }

  /** Running totals, for the collector's progress log line. */
  async totals(): Promise<{ accepted: number; rejected: number; points: number }> {
    const messages = (await this.messages.get()).values;
    const sum = (result: string) => messages.filter((v) => v.labels.result === result).reduce((n, v) => n + v.value, 0);
    const points = (await this.pointsWritten.get()).values.reduce((n, v) => n + v.value, 0);
    return { accepted: sum('accepted'), rejected: sum('rejected'), points };
  }

  accepted(): void {
    this.messages.inc({ result: 'accepted', reason: 'none' });
  }

  rejected(reason: RejectReason): void {
    this.messages.inc({ result: 'rejected', reason });
  }
}
