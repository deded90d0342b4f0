// The demo as a user mistypes it or runs it beside other programs: every bad flag and every taken
// port is one line on stderr and exit 64 (usage) or 69 (unavailable), quickly, with no process
// left hanging and no powersite-demo-* temp dir left behind.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The demo's own temp dirs the run left in its TMPDIR (tsx keeps a cache there too). */
  leftovers: string[];
}

/** Runs `powersite demo` with a TMPDIR of its own; killed (and failed) if it outlives `limitMs`. */
async function demo(args: string[], limitMs = 120_000): Promise<Run> {
  const tmp = await mkdtemp(join(tmpdir(), 'powersite-demo-exit-'));
  const child = spawn(process.execPath, [bin, 'demo', ...args], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  const leftovers = (await readdir(tmp)).filter((name) => name.startsWith('powersite-demo-'));
  await rm(tmp, { recursive: true, force: true });
  return { code, signal, stdout, stderr, leftovers };
}

describe('powersite demo: bad flags', () => {
  const cases: [string[], RegExp][] = [
    [['--port', 'abc'], /--port <port>.* 'abc' is invalid\. expected a TCP port/],
    [['--mqtt-port', '70000'], /--mqtt-port <port>.* '70000' is invalid/],
    [['--duration', 'abc'], /--duration <duration>.* 'abc' is invalid\. expected a duration/],
    [['--interval', '0s'], /--interval <duration>.* '0s' is invalid/],
    [['--influx', 'localhost:8086'], /--influx <url>.* is invalid\. expected an http:\/\/ or https:\/\/ URL/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')}: one line, exit 64`, async () => {
      const run = await demo(args);
      expect(run.code).toBe(64);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      expect(run.leftovers).toEqual([]);
    }, 150_000);
  }
});

describe('powersite demo: taken ports', () => {
  let holder: Server;
  let taken: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    taken = (holder.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('the HTTP port taken: one line naming --port, exit 69, nothing left behind', async () => {
    const run = await demo(['--port', String(taken), '--mqtt-port', '0']);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(69);
    expect(run.stderr.trim().split('\n')).toEqual([`powersite: port ${taken} is taken by another program: pass --port with a free port (--port 0 picks one)`]);
    expect(run.leftovers).toEqual([]);
  }, 150_000);

  it('an MQTT port asked for and taken: one line naming --mqtt-port, exit 69, nothing left behind', async () => {
    const run = await demo(['--port', '0', '--mqtt-port', String(taken)]);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(69);
    expect(run.stderr.trim().split('\n')).toEqual([`powersite: port ${taken} is taken by another program: pass --mqtt-port with a free port (--mqtt-port 0 picks one)`]);
    expect(run.leftovers).toEqual([]);
  }, 150_000);
});

it('--duration stops the demo by itself: exit 0, the words match what runs, no temp dir left', async () => {
  const run = await demo(['--port', '0', '--mqtt-port', '0', '--interval', '1s', '--duration', '2s']);
  expect(run.signal).toBeNull();
  expect(run.code).toBe(0);
  // One Whatsminer of row 1 is unplugged, so 39 fakes make a row of 40, as the README says.
  expect(run.stdout).toContain('40 Whatsminer M30S++ (mining): 39 fake ones answering the CGMiner API on loopback');
  expect(run.stdout).toContain('2 of them report a fault, shown as down');
  expect(run.stdout).toMatch(/demo stopped\n$/);
  expect(run.stderr).toBe('');
  expect(run.leftovers).toEqual([]);
}, 150_000);
