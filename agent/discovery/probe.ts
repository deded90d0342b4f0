/**
 * `powersite probe <ip[:port]>`: one miner, told in full. Detection as the cgminer source does it,
 * with every command it sent and what came back, then one read through the cgminer source itself,
 * normalised as the agent would publish it.
 */
import { silentLogger } from '../../common/logger.js';
import type { DeviceSample, Workload } from '../../protocol/index.js';
import { guardSample } from '../sample-guard.js';
import { CgminerConfig, minerId } from '../sources/cgminer/config.js';
import type { Identity, MinerFamily } from '../sources/cgminer/families/family.js';
import { FAMILIES, type FamilyRegistry } from '../sources/cgminer/families/registry.js';
import { detect } from '../sources/cgminer/fleet/detect.js';
import { CgminerFleet } from '../sources/cgminer/fleet/fleet.js';
import { asMinerError } from '../sources/cgminer/wire/errors.js';
import type { QueryOptions } from '../sources/cgminer/wire/protocol.js';

/** One command sent during detection and what the firmware did with it. */
export interface ProbeStep {
  port: number;
  protocol: string;
  command: string;
  /** "reply", "error reply: …" or the transport failure. */
  outcome: string;
}

export interface ProbeResult {
  host: string;
  port: number;
  protocol: string;
  identity: Identity;
  /** Detection, in the order sent, across every port tried. */
  detection: ProbeStep[];
  /** The requests the matched family sends every cycle ("summary+stats" when it joins them into one). */
  reads: string[];
  device: DeviceSample;
}

export interface ProbeOptions {
  /** Ports to try in turn; default the protocols' ports (4028, then 4433). */
  ports?: readonly number[];
  timeoutMs?: number;
  workload?: Workload;
  families?: FamilyRegistry;
}

/** Thrown when nothing on the ports tried answers as a miner; carries the detection transcript. */
export class NotAMinerError extends Error {
  override name = 'NotAMinerError';
  constructor(
    message: string,
    readonly detection: ProbeStep[],
  ) {
    super(message);
  }
}

export async function probeMiner(host: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const families = options.families ?? FAMILIES;
  const timeoutMs = options.timeoutMs ?? 3000;
  const query: QueryOptions = { connectTimeoutMs: timeoutMs, timeoutMs, maxBytes: 1024 * 1024 };
  const detection: ProbeStep[] = [];
  const failures: string[] = [];
  for (const port of options.ports ?? families.ports) {
    const protocol = families.protocolForPort(port);
    let identity: Identity;
    try {
      identity = await detect(protocol, families, async (spec) => {
        const step: ProbeStep = { port, protocol: protocol.id, command: spec.param ? `${spec.command} ${spec.param}` : spec.command, outcome: 'reply' };
        detection.push(step);
        try {
          const reply = await protocol.query({ host, port }, spec, query);
          const error = protocol.replyError(spec.command, reply);
          if (error) step.outcome = `error reply: ${error.message}`;
          return reply;
        } catch (err) {
          step.outcome = asMinerError(err).message;
          throw err;
        }
      });
    } catch (err) {
      failures.push(`${port}: ${(err as Error).message}`);
      continue;
    }
    const family = families.family(identity.family);
    const device = await readOnce(host, port, identity, options.workload ?? 'mining', timeoutMs, families);
    return { host, port, protocol: protocol.id, identity, detection, reads: readsOf(family), device };
  }
  throw new NotAMinerError(`no miner at ${host} (${failures.join('; ')})`, detection);
}

function readsOf(family: MinerFamily): string[] {
  const reads = family.reads.map((r) => (r.param ? `${r.command} ${r.param}` : r.command));
  return family.joinReads ? [reads.join('+')] : reads;
}

/** One cycle of the cgminer source for this miner alone, its family fixed to the one detected. */
async function readOnce(host: string, port: number, identity: Identity, workload: Workload, timeoutMs: number, families: FamilyRegistry): Promise<DeviceSample> {
  const miner = { host, port, family: identity.family, ...(identity.model === undefined ? {} : { model: identity.model }) };
  const config = CgminerConfig.parse({ type: 'cgminer', workload, miners: [miner], timeout: `${timeoutMs}ms`, connect_timeout: `${timeoutMs}ms`, jitter: 0 });
  // The interval only bounds the read: long enough for the miner's own timeout.
  const fleet = new CgminerFleet(config, { logger: silentLogger(), intervalMs: timeoutMs * 3, hostName: minerId(host, port) }, { families });
  const [reading] = await fleet.read(AbortSignal.timeout(timeoutMs * 3));
  if (!reading) throw new NotAMinerError(`${host}:${port} was detected as ${identity.family} but gave no reading in time`, []);
  const { device_energy_j: _counter, ...rest } = reading;
  return guardSample({ ...rest, workload }).sample;
}
