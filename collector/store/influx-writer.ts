/**
 * The InfluxDB 1.x edge: sets up the database (in the background, from start) and takes batches
 * of line protocol. Retrying is the caller's job (the ingest pipeline keeps the batch and its
 * unacknowledged messages).
 */
import { InfluxDB } from 'influx';
import type { Logger } from '../../common/logger.js';
import type { InfluxConfig } from '../config.js';
import { basicAuth, postLines, readPassword, StoreWriteError, type WriteTarget } from './http-write.js';
import { applyRetention } from './retention.js';
import type { LineWriter } from './store-writer.js';

export class InfluxWriter implements LineWriter {
  /** node-influx runs the set-up statements only; points go through `target`. */
  private readonly client: InfluxDB;
  private readonly target: WriteTarget;
  /** The set-up under way or done; cleared when it failed or the database went missing. */
  private ready: Promise<void> | undefined;

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
    const write = new URL('write', url.href.endsWith('/') ? url.href : `${url.href}/`);
    write.search = new URLSearchParams({ db: config.database, precision: 'ns' }).toString();
    this.target = { store: 'InfluxDB', url: write.href, headers: basicAuth(config.username, password), timeoutMs: config.timeout };
  }

  /** Reads the password and starts the database set-up in the background: the first write does not wait for a round of statements it could have overlapped. */
  static async create(config: InfluxConfig, logger: Logger): Promise<InfluxWriter> {
    const password = await readPassword('influx', config.password, config.password_file);
    const writer = new InfluxWriter(config, password, logger);
    // An InfluxDB that is not up yet fails this; the first write tries again.
    writer.prepare().catch((err: Error) => logger.warn({ err: err.message }, 'InfluxDB set-up failed; retrying with the first write'));
    return writer;
  }

  /** Creates the database (and its retention policies and downsampling queries), once. */
  private prepare(): Promise<void> {
    this.ready ??= this.ensureDatabase().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async ensureDatabase(): Promise<void> {
    const { database, retention } = this.config;
    if (retention === false) {
      await this.statement(`CREATE DATABASE "${database.replace(/"/g, '\\"')}"`);
    } else {
      const changes = await applyRetention((q) => this.statement(q), { database, ...retention }, (points, options) => this.client.writePoints(points, options));
      this.logger.info({ database, raw: retention.raw, minute: retention.minute, hour: retention.hour, ...changes }, 'InfluxDB database, retention policies and downsampling in place');
    }
  }

  /** Runs one InfluxQL statement, failing on the statement's own error (node-influx reports those in the body). */
  private async statement(influxql: string): Promise<void> {
    const body = (await this.client.queryRaw(influxql, { method: 'POST' })) as { results?: { error?: string }[] };
    const error = body.results?.find((r) => r.error)?.error;
    if (error) throw new Error(error);
  }

  async writeLines(body: string): Promise<void> {
    await this.prepare();
    try {
      await postLines(this.target, body);
    } catch (err) {
      // A dropped database must be recreated, not retried forever.
      if (err instanceof StoreWriteError && /database not found/i.test(err.message)) this.ready = undefined;
      throw err;
    }
  }
}
