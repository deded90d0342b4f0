// `powersite install` and `uninstall`, run as a user runs them (the single-file build, a process)
// into a temp --root: every file, mode and text; the config passes check-config; the real
// `systemd-analyze verify` accepts the unit; uninstall leaves the data unless --purge.
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureList, installFakeNvidiaSmi } from './fakes/fake-nvidia-smi.js';
import { findBinary } from './harness/binaries.mjs';
import { createSelfSignedCertificate } from './harness/certs.js';
import { buildBundle, run, type BuiltBundle } from './support/bundle.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'pw-5ecret-never-printed';

let built: BuiltBundle;
let root: string;
const powersite = (args: string[], input?: string) => run(process.execPath, [built.file, ...args], { cwd: built.dir, input });
const inRoot = (path: string) => join(root, path);

/** Every file and directory under `dir`, as "mode path" lines, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const lines = await Promise.all(entries.map(async (e) => `${((await stat(join(dir, e))).mode & 0o7777).toString(8).padStart(4, '0')} /${e}`));
  return lines.sort();
}

// A hash, not the 5 MB themselves: comparing buffers that size is slow in expect().
const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

/** What a Debian root has that `systemd-analyze verify --root` looks up: systemd's own units and /bin/kill (ExecReload). */
async function addSystemdBase(dir: string): Promise<void> {
  await mkdir(join(dir, 'usr/lib/systemd'), { recursive: true });
  await cp('/usr/lib/systemd/system', join(dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  await cp(findBinary('kill')!, join(dir, 'bin/kill'));
}

const verify = (dir: string, unit: string) => run(findBinary('systemd-analyze')!, ['verify', `--root=${dir}`, unit]);

beforeAll(async () => {
  built = await buildBundle();
  root = join(built.dir, 'root');
  await writeFile(join(built.dir, 'mqtt.pass'), `${PASSWORD}\n`);
});
afterAll(async () => {
  await built?.remove();
});

describe('powersite install agent --root', () => {
  let output = '';

  beforeAll(async () => {
    const r = await powersite(['install', 'agent', '--root', root, '--site', 'tx-1', '--host', 'gpu-01', '--broker', 'mqtts://broker.tx-1.example.net:8883', '--password-file', 'mqtt.pass', '--source', 'host']);
    output = r.stdout + r.stderr;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('writes exactly these files and directories, with these modes', async () => {
    expect(await tree(root)).toEqual(
      [
        '0755 /etc',
        '0750 /etc/powersite',
        '0640 /etc/powersite/agent.yaml',
        '0640 /etc/powersite/mqtt.pass',
        '0755 /etc/systemd',
        '0755 /etc/systemd/system',
        '0644 /etc/systemd/system/powersite-agent.service',
        '0755 /usr',
        '0755 /usr/local',
        '0755 /usr/local/bin',
        '0755 /usr/local/bin/powersite',
        '0755 /usr/local/lib',
        '0755 /usr/local/lib/powersite',
        '0755 /usr/local/lib/powersite/powersite.mjs',
        '0755 /var',
        '0755 /var/lib',
        '0750 /var/lib/powersite',
        '0750 /var/lib/powersite/spool',
      ].sort(),
    );
  });

  it('says which owner each gets on a machine, and prints the user and systemctl steps instead of running them', () => {
    expect(output).toContain('directory /etc/powersite (0750, root:powersite)');
    expect(output).toContain('directory /var/lib/powersite (0750, powersite:powersite)');
    expect(output).toContain('directory /var/lib/powersite/spool (0750, powersite:powersite)');
    expect(output).toContain('wrote /etc/powersite/mqtt.pass (0640, root:powersite)');
    expect(output).toContain('wrote /etc/powersite/agent.yaml (0640, root:powersite)');
    expect(output).toContain('wrote /usr/local/lib/powersite/powersite.mjs (0755, root:root)');
    expect(output).toContain('skipped (--root): useradd --system --user-group --home-dir /var/lib/powersite --no-create-home --shell /usr/sbin/nologin powersite');
    expect(output).toContain('skipped (--root): systemctl daemon-reload');
    expect(output).toContain('skipped (--root): systemctl enable --now powersite-agent.service');
    expect(output).not.toContain(PASSWORD);
  });

  it('installs the build itself, behind a command that runs it with this Node.js', async () => {
    expect(await sha256(inRoot('/usr/local/lib/powersite/powersite.mjs'))).toBe(await sha256(built.file));
    expect(await readFile(inRoot('/usr/local/bin/powersite'), 'utf8')).toBe(
      `#!/bin/sh\n# Written by powersite install: the single-file build, run by the Node.js it was installed with.\nexec ${process.execPath} /usr/local/lib/powersite/powersite.mjs "$@"\n`,
    );
  });

  it('writes the shipped unit and the secret', async () => {
    expect(await readFile(inRoot('/etc/systemd/system/powersite-agent.service'), 'utf8')).toBe(await readFile(join(repo, 'deploy/systemd/powersite-agent.service'), 'utf8'));
    expect(await readFile(inRoot('/etc/powersite/mqtt.pass'), 'utf8')).toBe(`${PASSWORD}\n`);
  });

  it('writes a config from the flags, with the MQTT user name the broker ACL expects, that check-config accepts', async () => {
    const config = parse(await readFile(inRoot('/etc/powersite/agent.yaml'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({
      site: 'tx-1',
      host: 'gpu-01',
      state_dir: '/var/lib/powersite',
      mqtt: { url: 'mqtts://broker.tx-1.example.net:8883', username: 'gpu-01', password_file: '/etc/powersite/mqtt.pass' },
      spool: { dir: '/var/lib/powersite/spool' },
      sources: [{ type: 'host', workload: 'hpc' }],
    });
    // Run by the installed copy: what systemd will start.
    const check = await run(process.execPath, [inRoot('/usr/local/lib/powersite/powersite.mjs'), 'check-config', '--schema-only', inRoot('/etc/powersite/agent.yaml')]);
    expect(check.stdout).toContain('valid agent configuration (agent for tx-1/gpu-01 with 1 source(s))');
    expect(check.code).toBe(0);
  });

  it('passes systemd-analyze verify, which fails when the command the unit starts is missing', async () => {
    await addSystemdBase(root);
    const ok = await verify(root, 'powersite-agent.service');
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    await rename(inRoot('/usr/local/bin/powersite'), inRoot('/usr/local/bin/powersite.away'));
    const missing = await verify(root, 'powersite-agent.service');
    await rename(inRoot('/usr/local/bin/powersite.away'), inRoot('/usr/local/bin/powersite'));
    expect(missing.stderr).toContain('/usr/local/bin/powersite');
    expect(missing.code).not.toBe(0);
  });

  it('run again with no flags (an upgrade): keeps config and secret, fixes their modes, replaces the program', async () => {
    await writeFile(inRoot('/etc/powersite/agent.yaml'), 'site: edited-by-hand\n');
    await writeFile(inRoot('/usr/local/lib/powersite/powersite.mjs'), 'old build');
    // As the old README left it: readable by root only, so the service failed with EACCES.
    await chmod(inRoot('/etc/powersite/mqtt.pass'), 0o600);
    const r = await powersite(['install', 'agent', '--root', root, '--no-enable']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept /etc/powersite/agent.yaml: it exists, so it is not overwritten (mode and owner set: 0640, root:powersite)');
    expect(r.stdout).toContain('/etc/powersite/agent.yaml was kept, so the config flags are not applied to it');
    expect(r.stdout).toContain('kept /etc/powersite/mqtt.pass: it exists, so it is not overwritten (mode and owner set: 0640, root:powersite)');
    expect(((await stat(inRoot('/etc/powersite/mqtt.pass'))).mode & 0o777).toString(8)).toBe('640');
    expect(r.stdout).not.toContain('skipped (--root): systemctl enable');
    expect(r.stdout).toContain('sudo systemctl enable --now powersite-agent.service');
    expect(await readFile(inRoot('/etc/powersite/agent.yaml'), 'utf8')).toBe('site: edited-by-hand\n');
    expect(await readFile(inRoot('/etc/powersite/mqtt.pass'), 'utf8')).toBe(`${PASSWORD}\n`);
    expect(await sha256(inRoot('/usr/local/lib/powersite/powersite.mjs'))).toBe(await sha256(built.file));
  });

  it('installs the collector beside it, with its own config, secret and a unit systemd accepts', async () => {
    const { certFile } = await createSelfSignedCertificate(built.dir);
    const r = await powersite(['install', 'collector', '--root', root, '--site', 'tx-1', '--broker', 'mqtts://broker.tx-1.example.net:8883', '--password-file', 'mqtt.pass', '--ca', certFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const config = parse(await readFile(inRoot('/etc/powersite/collector.yaml'), 'utf8')) as { mqtt: unknown; sites: Record<string, unknown> };
    expect(config.mqtt).toMatchObject({ url: 'mqtts://broker.tx-1.example.net:8883', username: 'collector-1', password_file: '/etc/powersite/collector-mqtt.pass', ca: '/etc/powersite/ca.pem' });
    expect(await readFile(inRoot('/etc/powersite/ca.pem'), 'utf8')).toBe(await readFile(certFile, 'utf8'));
    expect(((await stat(inRoot('/etc/powersite/ca.pem'))).mode & 0o777).toString(8)).toBe('644');
    expect(Object.keys(config.sites)).toEqual(['tx-1']);
    expect(((await stat(inRoot('/etc/powersite/collector-mqtt.pass'))).mode & 0o777).toString(8)).toBe('640');
    expect(await readFile(inRoot('/etc/systemd/system/powersite-collector.service'), 'utf8')).toBe(await readFile(join(repo, 'deploy/systemd/powersite-collector.service'), 'utf8'));
    const ok = await verify(root, 'powersite-collector.service');
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('uninstalls one part and keeps what the other still uses, then the other with --purge', async () => {
    const agent = await powersite(['uninstall', 'agent', '--root', root]);
    expect(agent.code).toBe(0);
    expect(agent.stdout).toContain('skipped (--root): systemctl disable --now powersite-agent.service');
    expect(agent.stdout).toContain("kept /var/lib/powersite (the agent's seq numbers, energy counters and spool): --purge removes it");
    const ours = async () => (await tree(root)).filter((l) => /powersite/.test(l) && !l.includes('/usr/lib/systemd/'));
    expect(await ours()).toEqual(
      [
        '0750 /etc/powersite',
        '0644 /etc/powersite/ca.pem',
        '0640 /etc/powersite/collector.yaml',
        '0640 /etc/powersite/collector-mqtt.pass',
        '0644 /etc/systemd/system/powersite-collector.service',
        '0755 /usr/local/bin/powersite',
        '0755 /usr/local/lib/powersite',
        '0755 /usr/local/lib/powersite/powersite.mjs',
        '0750 /var/lib/powersite',
        '0750 /var/lib/powersite/spool',
      ].sort(),
    );
    const collector = await powersite(['uninstall', 'collector', '--root', root, '--purge']);
    expect(collector.code).toBe(0);
    expect(collector.stdout).toContain('skipped (--root): userdel powersite');
    // The agent's data was kept by its own uninstall; a purge of the agent removes it.
    expect(await ours()).toEqual(['0750 /var/lib/powersite', '0750 /var/lib/powersite/spool']);
    const purge = await powersite(['uninstall', 'agent', '--root', root, '--purge']);
    expect(purge.code).toBe(0);
    expect(await ours()).toEqual([]);
  });
});

describe('install refuses', () => {
  it('without root and without --root (exit 77)', async () => {
    if (process.getuid?.() === 0) {
      // Run as nobody: the build must be readable by it.
      await chmod(built.dir, 0o755);
      await chmod(built.file, 0o755);
    }
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = await run(process.execPath, [built.file, 'install', 'agent', '--site', 'tx-1', '--broker', 'mqtt://b:1883'], { cwd: '/', ...asUser });
    expect(r.stderr).toContain('run it as root (sudo), or with --root DIR');
    expect(r.code).toBe(77);
  });

  it.each([
    [['--broker', 'mqtt://b:1883'], '--site is required'],
    [['--site', 'tx-1'], '--broker is required'],
    [['--site', 'tx 1', '--broker', 'mqtt://b:1883'], /invalid \/etc\/powersite\/agent\.yaml:\n {2}- site: /],
    [['--site', 'tx-1', '--broker', 'mqtt://b:1883', '--source', 'nvidai'], /sources\[0\]\.type: /],
    [['--site', 'tx-1', '--broker', 'mqtt://b:1883', '--source', 'cgminer'], /sources\[0\]\.\w+: [^]*--source gives each source a type and workload only/],
    [['--site', 'tx-1', '--broker', 'mqtt://b:1883', '--password-file', 'no-such-file'], '--password-file: cannot read no-such-file (ENOENT)'],
    [['--site', 'tx-1', '--broker', 'mqtt://b:1883', '--mqtt-user', 'x'], '--mqtt-user is a collector flag'],
    [['--site', 'tx-1', '--broker', 'mqtt://b:1883', '--ca', 'mqtt.pass'], '--ca: mqtt.pass is not a PEM certificate'],
  ])('bad flags %j (exit 64, nothing written)', async (flags, message) => {
    const dir = join(built.dir, 'refused');
    const r = await powersite(['install', 'agent', '--root', dir, ...flags]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(64);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it('an empty password (exit 64)', async () => {
    const r = await powersite(['install', 'agent', '--root', join(built.dir, 'refused'), '--site', 'tx-1', '--broker', 'mqtt://b:1883', '--password-stdin'], '\n');
    expect(r.stderr).toContain('--password-stdin: the password is empty');
    expect(r.code).toBe(64);
  });

  it('from the sources, which are no single file to install (exit 64)', async () => {
    const r = await run(process.execPath, [join(repo, 'bin/powersite.js'), 'install', 'agent', '--root', join(built.dir, 'refused'), '--site', 'tx-1', '--broker', 'mqtt://b:1883']);
    expect(r.stderr).toContain('install copies the single-file build: run `npm run bundle`');
    expect(r.code).toBe(64);
  });
});

describe("the README's install commands", () => {
  /**
   * A README line as the test runs it: as whoever runs the test (no sudo), the bundle built into a
   * work dir, every /etc/powersite path and install under a temp root. undefined: a systemctl line,
   * which install --no-enable must have printed as the step left to do.
   */
  function forTest(line: string, work: string, readmeRoot: string): string | undefined {
    if (line === 'npm run bundle') return `npm --prefix ${repo} run bundle -- ${work}/dist/powersite.mjs`;
    let command = line.replace(/^sudo (-u \S+ )?/, '');
    if (command.startsWith('systemctl ')) return undefined;
    command = command.replace(/^powersite /, `node ${readmeRoot}${'/usr/local/lib/powersite/powersite.mjs'} `).replaceAll('/etc/powersite/', `${readmeRoot}/etc/powersite/`);
    if (/ (un)?install /.test(command)) command += ` --root ${readmeRoot}`;
    expect(command, `README line the test cannot run: ${line}`).toMatch(/^node /);
    return command;
  }

  it('run as written against a temp root: bundle, install, check-config, agent --once', async () => {
    const readme = await readFile(join(repo, 'README.md'), 'utf8');
    const block = /<!-- install:start -->\n```sh\n([^]*?)```\n<!-- install:end -->/.exec(readme)?.[1];
    expect(block, 'README.md has no install block').toBeDefined();
    const lines = block!.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
    const work = join(built.dir, 'readme');
    const readmeRoot = join(work, 'root');
    await mkdir(work);
    await writeFile(join(work, 'gpu-01.pass'), 'readme-password\n');
    const nvidiaSmi = await installFakeNvidiaSmi();
    // The config names /etc/powersite/mqtt.pass; here it lies under the temp root.
    const env = { PATH: nvidiaSmi.path, FAKE_NVIDIA_SMI_FIXTURES: fixtureList('nvidia-h100-query-gpu.csv'), POWERSITE_MQTT_PASSWORD_FILE: `${readmeRoot}/etc/powersite/mqtt.pass` };
    const outputs: string[] = [];
    try {
      for (const line of lines) {
        const command = forTest(line, work, readmeRoot);
        if (command === undefined) {
          expect(outputs.join('\n').split('\n').map((l) => l.trim())).toContain(line);
          continue;
        }
        const r = await run('sh', ['-c', command], { cwd: work, env });
        expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
        outputs.push(r.stdout);
      }
    } finally {
      await nvidiaSmi.remove();
    }
    expect(lines).toHaveLength(5);
    const [, install, check, once] = outputs;
    expect(install).toContain('wrote /etc/powersite/agent.yaml (0640, root:powersite)');
    expect(check).toContain('valid agent configuration (agent for tx-1/gpu-01 with 2 source(s))');
    expect(once).toMatch(/^nvidia: 1 devices?$/m);
    expect(once).toContain('NVIDIA H100');
    expect(await readFile(`${readmeRoot}/etc/powersite/mqtt.pass`, 'utf8')).toBe('readme-password\n');
  });
});
