/**
 * `powersite install agent|collector` and `powersite uninstall agent|collector`: the single-file
 * build, a config written from the flags, the MQTT secret, the service user, its directories and
 * the hardened systemd unit, in one step (plan in install/plan.ts, carried out by install/apply.ts).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { defaultHost } from '../agent/config.js';
import { NoPermissionError } from '../common/exit-codes.js';
import { BUNDLED } from '../common/version.js';
import { UsageError } from './flags.js';
import { applyInstall, applyUninstall, exists, type Target } from './install/apply.js';
import { loadDeployFiles } from './install/deploy-files.js';
import { configPath, LAYOUT, planInstall, planUninstall, secretPath, unitName, unitPath, type Part } from './install/plan.js';

export interface InstallFlags {
  root?: string;
  user: string;
  site?: string;
  host?: string;
  broker?: string;
  source?: string[];
  workload?: 'hpc' | 'mining';
  mqttUser?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
  ca?: string;
  /** false with --no-enable */
  enable: boolean;
}

export interface UninstallFlags {
  root?: string;
  user: string;
  purge?: boolean;
  keepConfig?: boolean;
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);

export async function runInstall(part: Part, flags: InstallFlags): Promise<void> {
  if (part === 'collector' && (flags.host !== undefined || flags.source !== undefined || flags.workload !== undefined)) {
    throw new UsageError('install collector: --host, --source and --workload are agent flags');
  }
  if (part === 'agent' && flags.mqttUser !== undefined) throw new UsageError("install agent: --mqtt-user is a collector flag (an agent's MQTT user name is its --host)");
  if (!BUNDLED) {
    throw new UsageError('install copies the single-file build: run `npm run bundle`, then `sudo node dist/powersite.mjs install ...`');
  }
  const target = await targetFor(flags.root);
  const configExists = await exists(resolve(target.root, `.${configPath(part)}`));
  const password = await readPassword(flags);
  const ca = flags.ca === undefined ? undefined : await readCa(flags.ca);
  const plan = planInstall(
    {
      part,
      user: flags.user,
      site: flags.site,
      host: part === 'agent' ? (flags.host ?? defaultHost()) : undefined,
      broker: flags.broker,
      sources: flags.source,
      workload: flags.workload,
      mqttUser: flags.mqttUser,
      password,
      ca,
      enable: flags.enable,
      configExists,
      program: fileURLToPath(import.meta.url),
      node: process.execPath,
    },
    await loadDeployFiles(),
  );
  await applyInstall(plan, target);
  if (configExists) log(`${configPath(part)} was kept, so the config flags are not applied to it`);

  log(`\ninstalled the ${part}. Next:`);
  if (password === undefined) log(`  no MQTT password given: add mqtt.password_file to ${configPath(part)} (or POWERSITE_MQTT_PASSWORD to ${LAYOUT.configDir}/${part}.env) if the broker wants one`);
  log(`  sudo -u ${flags.user} powersite check-config ${configPath(part)}   # what would fail at run time`);
  if (!flags.enable) log(`  sudo systemctl enable --now ${unitName(part)}`);
  log(`  journalctl -u ${unitName(part)} -f`);
}

export async function runUninstall(part: Part, flags: UninstallFlags): Promise<void> {
  const target = await targetFor(flags.root);
  const other: Part = part === 'agent' ? 'collector' : 'agent';
  const otherInstalled = await exists(resolve(target.root, `.${unitPath(other)}`));
  await applyUninstall(planUninstall({ part, user: flags.user, purge: flags.purge === true, keepConfig: flags.keepConfig === true, otherInstalled }), target);
  if (flags.keepConfig) log(`kept ${configPath(part)} and ${secretPath(part)} (--keep-config)`);
  if (otherInstalled) log(`kept ${LAYOUT.command}, ${LAYOUT.program} and user ${flags.user}: the ${other} is still installed`);
  if (part === 'agent' && !flags.purge) log(`kept ${LAYOUT.stateDir} (the agent's seq numbers, energy counters and spool): --purge removes it`);
}

/** This machine (as root only), or a directory standing for it. */
async function targetFor(root: string | undefined): Promise<Target> {
  if (root !== undefined && resolve(root) !== '/') return { root: resolve(root), log };
  if (process.getuid?.() !== 0) {
    throw new NoPermissionError('this writes /etc, /usr/local and a systemd unit and manages a user: run it as root (sudo), or with --root DIR to write the files under DIR instead');
  }
  return { root: '/', log };
}

/** The MQTT password from --password-file or --password-stdin: one line, never echoed. */
async function readPassword(flags: InstallFlags): Promise<string | undefined> {
  if (flags.passwordFile !== undefined && flags.passwordStdin) throw new UsageError('give --password-file or --password-stdin, not both');
  let raw: string;
  if (flags.passwordFile !== undefined) {
    raw = await readFile(flags.passwordFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--password-file: cannot read ${flags.passwordFile} (${err.code ?? err.message})`);
    });
  } else if (flags.passwordStdin) {
    raw = await text(process.stdin);
  } else {
    return undefined;
  }
  const password = raw.replace(/\r?\n$/, '');
  const from = flags.passwordFile !== undefined ? `--password-file ${flags.passwordFile}` : '--password-stdin';
  if (password === '') throw new UsageError(`${from}: the password is empty`);
  if (/[\r\n]/.test(password)) throw new UsageError(`${from}: expected the password on one line`);
  return password;
}

/** --ca: a PEM certificate, checked as one before it is installed. */
async function readCa(file: string): Promise<string> {
  const pem = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--ca: cannot read ${file} (${err.code ?? err.message})`);
  });
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca: ${file} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----")`);
  return pem;
}
