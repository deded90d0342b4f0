/**
 * The bench's traffic, built before any clock starts: N telemetry messages as agents send them
 * (a mining gateway's 50 miners, or a GPU host's 8 GPUs), spread over many hosts, with distinct
 * timestamps so every point is its own in InfluxDB. The same messages give the raw line protocol
 * of the InfluxDB limit, through the collector's own point mapping.
 */
import type { DeviceSample, Telemetry } from '../protocol/index.js';
import { toLineProtocol } from '../collector/store/line-protocol.js';
import { AGENT_MEASUREMENT, telemetryToPoints } from '../collector/store/points.js';

export type Mix = 'miners' | 'gpus';

/** Devices per message: a mining LAN gateway's share of a row, or one 8-GPU server. */
export const DEVICES_PER_MESSAGE: Record<Mix, number> = { miners: 50, gpus: 8 };
export const HOSTS = 100;
export const INTERVAL_S = 10;
/** The host of the message that proves a collector is subscribed before the clock starts; never counted. */
export const WARMUP_HOST = 'warmup';

export interface Traffic {
  mix: Mix;
  site: string;
  messages: { topic: string; payload: Buffer; message: Telemetry }[];
  /** Device points plus one agent_message point per message. */
  points: number;
  /** VictoriaMetrics' samples of the traffic: numeric and boolean device fields, and each message's seq. */
  samples: number;
  devices: number;
}

function miner(host: number, i: number, seq: number): DeviceSample {
  return {
    id: `10.${host >> 8}.${host & 255}.${i + 10}`, kind: 'asic', workload: 'mining', vendor: 'Bitmain', model: 'Antminer S19 Pro', up: true,
    power_w: 3250 + i, power_source: 'estimated', energy_j: seq * 32_500 + i, hashrate_hs: 1.1e14 + i * 1e9, temp_c: 70 + (i % 7),
    fan_rpm: 5400 + i, uptime_s: 86_400 + seq * INTERVAL_S, hw_errors: i, shares_accepted: 1000 + seq, shares_rejected: 2,
  };
}

function gpu(host: number, i: number, seq: number): DeviceSample {
  return {
    id: `GPU-${host.toString(16).padStart(4, '0')}-${i}`, kind: 'gpu', workload: 'hpc', vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', up: true,
    power_w: 650 + i, power_source: 'reported', energy_j: seq * 6_500 + i, utilization: 0.9, temp_c: 60 + i,
    mem_used_bytes: 70e9 + i, mem_total_bytes: 85_899_345_920,
  };
}

/** `count` messages round-robin over HOSTS hosts; timestamps start `startMs` and step one interval per host message. */
export function buildTraffic(mix: Mix, count: number, site: string, startMs: number): Traffic {
  const make = mix === 'miners' ? miner : gpu;
  const perMessage = DEVICES_PER_MESSAGE[mix];
  const messages = [];
  let samples = 0;
  for (let n = 0; n < count; n++) {
    const h = n % HOSTS;
    const seq = Math.floor(n / HOSTS);
    const host = `${mix === 'miners' ? 'gw' : 'gpu'}-${h}`;
    const message: Telemetry = {
      v: 1, site, host, seq, ts: startMs + seq * INTERVAL_S * 1000, interval_s: INTERVAL_S,
      devices: Array.from({ length: perMessage }, (_, i) => make(h, i, seq)),
    };
    messages.push({ topic: `powersite/v1/${site}/${host}/telemetry`, payload: Buffer.from(JSON.stringify(message)), message });
    // Device fields, and the message record's seq (the collector adds its own accounts there).
    for (const device of telemetryToPoints(message).filter((p) => p.measurement !== AGENT_MEASUREMENT)) samples += Object.values(device.fields).filter((v) => typeof v !== 'string').length;
    samples += 1;
  }
  return { mix, site, messages, points: count * (perMessage + 1), samples, devices: count * perMessage };
}

/** The same points as line protocol, in batches of `batchPoints` points, split only between messages as the collector does. */
export function lineProtocolBatches(traffic: Traffic, batchPoints: number): string[] {
  const batches: string[] = [];
  let lines = '';
  let points = 0;
  for (const { message } of traffic.messages) {
    const p = telemetryToPoints(message);
    if (points > 0 && points + p.length > batchPoints) {
      batches.push(lines);
      lines = '';
      points = 0;
    }
    lines += toLineProtocol(p);
    points += p.length;
  }
  if (points > 0) batches.push(lines);
  return batches;
}
