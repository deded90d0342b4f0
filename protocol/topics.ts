/** MQTT topic hierarchy of wire contract v1: powersite/v1/<site>/<host>/<kind>. */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
export const TOPIC_ROOT = 'powersite/v1';

/** Site and host names: safe as MQTT topic levels, InfluxDB tags and Prometheus label values. */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const Name = z.string().regex(NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 _ . -');

export type TopicKind = 'telemetry' | 'status';

export function telemetryTopic(site: string, host: string): string {
  return `${TOPIC_ROOT}/${site}/${host}/telemetry`;
}

export function statusTopic(site: string, host: string): string {
  return `${TOPIC_ROOT}/${site}/${host}/status`;
}

/** Subscription filter for every host of every site (or of one site). */
export function subscriptionFilter(kind: TopicKind, site = '+'): string {
  return `${TOPIC_ROOT}/${site}/+/${kind}`;
}

/** MQTT v5 / Mosquitto 2 shared subscription: one message goes to one member of the group. */
export function sharedFilter(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

export interface ParsedTopic {
  site: string;
  host: string;
  kind: TopicKind;
}

/** Parses a topic of the v1 hierarchy; null when the topic is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'powersite' || parts[1] !== 'v1') return null;
  const [, , site, host, kind] = parts as [string, string, string, string, string];
  if (!NAME_PATTERN.test(site) || !NAME_PATTERN.test(host)) return null;
  if (kind !== 'telemetry' && kind !== 'status') return null;
  return { site, host, kind };
}
