/**
 * The collector's store: every batch is built into line protocol once and written to each
 * configured store (InfluxDB 1.x, VictoriaMetrics) at the same time; the batch counts as stored
 * only when all of them took it, so a message is acknowledged only then.
 */
import { toLineProtocol, type Point } from './line-protocol.js';

export interface PointWriter {
  write(points: Point[]): Promise<void>;
}

/** One store taking line protocol; throws StoreWriteError (with the HTTP status) or a network error. */
export interface LineWriter {
  writeLines(body: string): Promise<void>;
}

export class StoreWriter implements PointWriter {
  constructor(private readonly stores: readonly LineWriter[]) {}

  async write(points: Point[]): Promise<void> {
    const body = toLineProtocol(points);
    // A retry writes the batch again to a store that already took it: the same points at the
    // same timestamps (InfluxDB overwrites them; VictoriaMetrics keeps an identical repeat).
    await Promise.all(this.stores.map((store) => store.writeLines(body)));
  }
}
