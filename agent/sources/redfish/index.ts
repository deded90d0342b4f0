/**
 * A server's (or power shelf's) BMC over Redfish: whole-chassis input power and, where the BMC has
 * one, its energy counter, published as a meter that covers the agent's own host unless `covers:`
 * says otherwise. The chassis is found once (the first that shows power, or the configured one) and
 * found again after a failure.
 */
import { Agent } from 'node:https';
import { readSecretFile } from '../../../common/mqtt.js';
import type { Covers } from '../../../protocol/index.js';
import { meterDown, meterReading } from '../meter.js';
import type { DeviceReading, Source, SourceContext } from '../source.js';
import type { RedfishConfig } from './definition.js';
import { RedfishClient } from './client.js';
import { linkOf, members, normalisePath, powerControlWatts, sensorPower, toSensor } from './power.js';

const CHASSIS_ROOT = '/redfish/v1/Chassis';
/** Sensor members worth fetching when a BMC lists them as links only (the EX235n lists 84). */
const POWER_SENSOR_LINK = /power|energy/i;

interface ChassisPower {
  power_w: number | undefined;
  energy_j: number | undefined;
  vendor: string | undefined;
  model: string | undefined;
}

export class RedfishSource implements Source {
  readonly name: string;
  private readonly id: string;
  private readonly covers: Covers;
  private client: RedfishClient | undefined;
  private chassis: string | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 2 });
  private readonly counts = { polls: 0, errors: 0 };

  constructor(
    private readonly config: RedfishConfig,
    private readonly ctx: SourceContext,
  ) {
    const host = new URL(config.url).hostname;
    this.name = `redfish(${host})`;
    this.id = config.id ?? host;
    this.covers = config.covers ?? [ctx.hostName];
    if (config.chassis) this.chassis = `${CHASSIS_ROOT}/${config.chassis}`;
  }

  async read(signal: AbortSignal): Promise<DeviceReading[]> {
    this.counts.polls++;
    try {
      const client = (this.client ??= await this.connect());
      const found = this.chassis ? await this.readChassis(client, this.chassis, signal) : await this.discover(client, signal);
      if (!found) throw new Error(this.chassis ? `chassis ${this.chassis} shows no power reading` : 'no chassis shows a power reading');
      return [meterReading({ id: this.id, covers: this.covers, ...found })];
    } catch (err) {
      this.counts.errors++;
      // Found again next time: BMCs renumber chassis after firmware updates.
      if (!this.config.chassis) this.chassis = undefined;
      return [meterDown(this.id, this.covers, (err as Error).message)];
    }
  }

  private async connect(): Promise<RedfishClient> {
    const password = (await readSecretFile(this.config.password_file, 'redfish password_file')).toString('utf8').trim();
    const ca = this.config.ca ? await readSecretFile(this.config.ca, 'redfish ca') : undefined;
    return new RedfishClient({ baseUrl: this.config.url, username: this.config.username, password, ca, insecure: this.config.insecure, timeoutMs: this.config.timeout, agent: this.agent });
  }

  /** The first chassis of the collection that shows power (a power shelf may list an empty twin first). */
  private async discover(client: RedfishClient, signal: AbortSignal): Promise<ChassisPower | undefined> {
    const root = await client.get('/redfish/v1', signal);
    const collection = await client.get(linkOf((root as Record<string, unknown> | undefined)?.Chassis) ?? CHASSIS_ROOT, signal);
    for (const member of members(collection)) {
      const path = linkOf(member);
      if (!path) continue;
      const found = await this.readChassis(client, path, signal).catch(() => undefined);
      if (found) {
        this.chassis = path;
        this.ctx.logger.info({ source: this.name, chassis: path }, 'reading power from this chassis');
        return found;
      }
    }
    return undefined;
  }

  private async readChassis(client: RedfishClient, path: string, signal: AbortSignal): Promise<ChassisPower | undefined> {
    const chassis = (await client.get(path, signal)) as Record<string, unknown> | undefined;
    if (!chassis) return undefined;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    const about = { vendor: text(chassis.Manufacturer), model: text(chassis.Model) };
    const powerLink = linkOf(chassis.Power);
    const sensorsLink = linkOf(chassis.Sensors);
    const legacy = powerLink ? powerControlWatts(await client.get(powerLink, signal)) : undefined;
    const sensors = sensorsLink ? await this.sensors(client, sensorsLink, signal) : [];
    const fromSensors = sensorPower(sensors);
    const power_w = legacy ?? fromSensors.power_w;
    if (power_w === undefined) return undefined;
    return { ...about, power_w, energy_j: fromSensors.energy_j };
  }

  /** Sensors of a collection, expanded inline or fetched one by one (power and energy ones only). */
  private async sensors(client: RedfishClient, path: string, signal: AbortSignal) {
    const out = [];
    for (const member of members(await client.get(path, signal))) {
      let sensor = toSensor(member);
      const link = linkOf(member);
      if (!sensor && link && POWER_SENSOR_LINK.test(link.slice(normalisePath(path).length))) sensor = toSensor(await client.get(link, signal));
      if (sensor) out.push(sensor);
    }
    return out;
  }

  stats(): object {
    return { ...this.counts, chassis: this.chassis ?? null };
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
