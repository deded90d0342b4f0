/**
 * The InfluxDB 1.x edge: creates the database when missing and writes batches of points.
 * Retrying is the caller's job (the ingest pipeline keeps the batch and its unacknowledged messages).
 */
import { readFile } from 'node:fs/promises';
import { InfluxDB, type IPoint } from 'influx';
import type { Logger } from '../../common/logger.js';
import type { InfluxConfig } from '../config.js';
import { applyRetention } from './retention.js';

export interface PointWriter {
  write(points: IPoint[]): Promise<void>;
}

export class InfluxWriter implements PointWriter {
  private readonly client: InfluxDB;
  private databaseReady = false;

  private constructor(
    private readonly config: InfluxConfig,
    password: string | undefined,
    private readonly logger: Logger,
  ) {
    const url = new URL(config.url);
    this.client = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: config.database,
      username: config.username ?? '',
      password: password ?? '',
      options: { timeout: config.timeout },
    });
  }

  static async create(config: InfluxConfig, logger: Logger): Promise<InfluxWriter> {
    let password = config.password;
    if (config.password_file) {
      try {
        password = (await readFile(config.password_file, 'utf8')).trim();
      } catch (err) {
        throw new Error(`cannot read influx.password_file ${config.password_file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    }
    return new InfluxWriter(config, password, logger);
  }

  get influx(): InfluxDB {
    return this.client;
  }

  /**
   * Creates the database (and its retention policies and downsampling queries) before the first
   * write; lazily, so an InfluxDB that comes up after the collector does not block start-up.
   */
  private async ensureDatabase(): Promise<void> {
    if (this.databaseReady) return;
    const { database, retention } = this.config;
    if (retention === false) {
      await this.statement(`CREATE DATABASE "${database.replace(/"/g, '\\"')}"`);
    } else {
      const changes = await applyRetention((q) => this.statement(q), { database, ...retention }, (points, options) => this.client.writePoints(points, options));
      this.logger.info({ database, raw: retention.raw, minute: retention.minute, hour: retention.hour, ...changes }, 'InfluxDB database, retention policies and downsampling in place');
    }
    this.databaseReady = true;
  }

  /** Runs one InfluxQL statement, failing on the statement's own error (node-influx reports those in the body). */
  private async statement(influxql: string): Promise<void> {
    const body = (await this.client.queryRaw(influxql, { method: 'POST' })) as { results?: { error?: string }[] };
    const error = body.results?.find((r) => r.error)?.error;
    if (error) throw new Error(error);
  }

  async write(points: IPoint[]): Promise<void> {
    await this.ensureDatabase();
    try {
      await this.client.writePoints(points, { precision: 'n' });
    } catch (err) {
      // A dropped database must be recreated, not retried forever.
      if (/database not found/i.test((err as Error).message)) this.databaseReady = false;
      throw err;
    }
  }
}
