/** NVIDIA GPUs through nvidia-smi. nvidia-smi has no energy counter: the agent integrates power. */
import { ExecError, runCommand } from '../../../common/exec.js';
import type { DeviceReading, Source, SourceContext } from '../source.js';
import type { NvidiaConfig } from './definition.js';
import { isUnknownFieldError, LEGACY_QUERY_FIELDS, parseQueryGpuCsv, QUERY_FIELDS, toReading } from './parse.js';

export class NvidiaSource implements Source {
  readonly name = 'nvidia';
  private fields: readonly string[] = QUERY_FIELDS;
  /** GPUs seen before, so a failing nvidia-smi reports them down instead of making them vanish. */
  private readonly known = new Map<string, DeviceReading>();

  constructor(
    private readonly config: NvidiaConfig,
    private readonly ctx: SourceContext,
  ) {}

  async read(signal: AbortSignal): Promise<DeviceReading[]> {
    let stdout: string;
    try {
      stdout = await this.query(signal);
    } catch (err) {
      const error = (err as Error).message;
      if (this.known.size === 0) throw err;
      return [...this.known.values()].map((gpu) => ({ id: gpu.id, kind: 'gpu', vendor: 'nvidia', model: gpu.model, up: false, error }));
    }
    const { records, errors } = parseQueryGpuCsv(stdout, this.fields);
    for (const e of errors) this.ctx.logger.warn({ source: this.name }, `unparsable nvidia-smi line: ${e}`);
    const readings = records.map(toReading);
    for (const r of readings) this.known.set(r.id, r);
    return readings;
  }

  private async query(signal: AbortSignal): Promise<string> {
    const args = (fields: readonly string[]) => [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
    try {
      return (await runCommand(this.config.command, args(this.fields), this.config.timeout, signal)).stdout;
    } catch (err) {
      const text = err instanceof ExecError ? err.stdout + err.stderr : '';
      if (this.fields === LEGACY_QUERY_FIELDS || !isUnknownFieldError(text)) throw err;
      this.ctx.logger.info({ source: this.name }, 'driver predates power.draw.average/instant; using the legacy field list');
      this.fields = LEGACY_QUERY_FIELDS;
      return (await runCommand(this.config.command, args(this.fields), this.config.timeout, signal)).stdout;
    }
  }
}
