/**
 * One fake miner per case, polled once by the real `cgminer` source: the set-up and the check the
 * golden tests share. Each case says what its miner serves, what the operator's config adds, the
 * reading it must give and the commands it must be sent.
 */
import { expect } from 'vitest';
import { CgminerConfig } from '../../agent/sources/cgminer/config.js';
import { CgminerFleet } from '../../agent/sources/cgminer/fleet/fleet.js';
import type { DeviceReading } from '../../agent/sources/source.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { FakeMinerServer, type FakeMiner, type Listening } from './cgminer-server.js';

export interface FleetCase {
  fake: FakeMiner;
  /** Extra keys of the miner's config entry. */
  config?: Record<string, unknown>;
  /** The reading, without its id (the fake's loopback address). */
  expected: Omit<DeviceReading, 'id'>;
  /** Commands the miner was sent, in order. */
  asked: string[];
}

export class FakeFleet {
  private readonly fakes = new FakeMinerServer();
  private readonly listening = new Map<string, Listening>();
  private readings: DeviceReading[] = [];
  fleet!: CgminerFleet;

  constructor(private readonly cases: Readonly<Record<string, FleetCase>>) {}

  /** Starts the fakes and polls them all once. */
  async start(logger: Logger = silentLogger()): Promise<void> {
    const miners: unknown[] = [];
    for (const [name, c] of Object.entries(this.cases)) {
      const at = await this.fakes.listen(c.fake);
      this.listening.set(name, at);
      miners.push({ host: at.host, port: at.port, ...c.config });
    }
    const config = CgminerConfig.parse({ type: 'cgminer', miners, jitter: 0 });
    this.fleet = new CgminerFleet(config, { logger, intervalMs: 10_000, hostName: 'gw-test' });
    this.readings = await this.fleet.read(new AbortController().signal);
  }

  /** The named case's reading and the commands its miner got are what the case says. */
  check(name: string): void {
    const c = this.cases[name]!;
    const at = this.listening.get(name)!;
    const id = `${at.host}:${at.port}`;
    expect(this.readings.find((r) => r.id === id)).toEqual({ id, ...c.expected });
    expect(at.requests).toEqual(c.asked);
  }

  close(): Promise<void> {
    return this.fakes.close();
  }
}
