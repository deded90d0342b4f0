/**
 * Two machines configured with the same host name share a client id and a user, so they take turns
 * on the broker, each connect publishing its own "online" status. A restart changes the instance
 * once (A then B); two machines alternate (A, B, A). The host is flagged for `holdMs` after the
 * last alternation. Pure: the caller passes the time.
 */
interface Seen {
  last: string;
  before: string | undefined;
  flaggedAt: number | undefined;
}

export class DuplicateHosts {
  private readonly hosts = new Map<string, Seen>();

  constructor(private readonly holdMs = 600_000) {}

  observe(site: string, host: string, instance: string | undefined, now: number): void {
    if (instance === undefined) return;
    const key = `${site}\u0000${host}`;
    const seen = this.hosts.get(key);
    if (!seen) {
      this.hosts.set(key, { last: instance, before: undefined, flaggedAt: undefined });
      return;
    }
    if (instance === seen.last) return;
    if (instance === seen.before) seen.flaggedAt = now;
    seen.before = seen.last;
    seen.last = instance;
  }

  /** Every host seen with an instance, as [site, host, flagged within the hold time]. */
  verdicts(now: number): [string, string, boolean][] {
    const out: [string, string, boolean][] = [];
    for (const [key, seen] of this.hosts) {
      const [site, host] = key.split('\u0000') as [string, string];
      out.push([site, host, seen.flaggedAt !== undefined && now - seen.flaggedAt <= this.holdMs]);
    }
    return out;
  }

  /** Hosts flagged within the hold time, as [site, host]. */
  flagged(now: number): [string, string][] {
    return this.verdicts(now).filter(([, , flagged]) => flagged).map(([site, host]) => [site, host]);
  }
}
