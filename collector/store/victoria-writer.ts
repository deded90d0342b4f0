/**
 * VictoriaMetrics through its InfluxDB line-protocol endpoint: a single node's `/write`, or a
 * cluster's vminsert (`http://vminsert:8480/insert/<tenant>/influx`). Series become
 * `<measurement>_<field>{tags}` (e.g. `asic_power_w{site,host,device,...}`), queried with
 * MetricsQL/PromQL. Nothing to set up: VictoriaMetrics has no databases.
 */
import type { VictoriaConfig } from '../config.js';
import { basicAuth, postLines, readPassword, type WriteTarget } from './http-write.js';
import type { LineWriter } from './store-writer.js';

export class VictoriaWriter implements LineWriter {
  private constructor(private readonly target: WriteTarget) {}

  static async create(config: VictoriaConfig): Promise<VictoriaWriter> {
    const password = await readPassword('victoriametrics', config.password, config.password_file);
    const base = config.url.endsWith('/') ? config.url : `${config.url}/`;
    return new VictoriaWriter({ store: 'VictoriaMetrics', url: new URL('write?precision=ns', base).href, headers: basicAuth(config.username, password), timeoutMs: config.timeout });
  }

  writeLines(body: string): Promise<void> {
    return postLines(this.target, body);
  }
}
