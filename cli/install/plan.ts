/**
 * What `powersite install` and `powersite uninstall` do, as data: the directories and files (text,
 * mode, owner) and the commands, computed from the flags and the shipped deploy/ files without
 * touching the machine. apply.ts carries a plan out, on the machine or under --root.
 */
import { parse, parseDocument } from 'yaml';
import { AgentConfig } from '../../agent/config.js';
import { CollectorConfig } from '../../collector/config.js';
import { ConfigError, validateConfig } from '../../common/config-file.js';
import { UsageError } from '../flags.js';
import { DEFAULT_COLLECTOR_MQTT_USER, type Part } from './defaults.js';
import type { DeployFiles } from './deploy-files.js';

export type { Part };

/** Where everything goes. The shipped units start LAYOUT.command and deploy/agent.yaml keeps its state in LAYOUT.stateDir. */
export const LAYOUT = {
  programDir: '/usr/local/lib/powersite',
  program: '/usr/local/lib/powersite/powersite.mjs',
  command: '/usr/local/bin/powersite',
  configDir: '/etc/powersite',
  unitDir: '/etc/systemd/system',
  stateDir: '/var/lib/powersite',
  spoolDir: '/var/lib/powersite/spool',
} as const;

/** Directories whose contents systemd's ProtectHome=true hides from the service: Node.js must not live there. */
const HIDDEN_FROM_SERVICE = /^\/(home|root|run\/user)(\/|$)/;

export const unitName = (part: Part): string => `powersite-${part}.service`;
export const unitPath = (part: Part): string => `${LAYOUT.unitDir}/${unitName(part)}`;
export const configPath = (part: Part): string => `${LAYOUT.configDir}/${part}.yaml`;
/** The MQTT password file each part's config names (the paths deploy/*.yaml suggest). */
export const secretPath = (part: Part): string => `${LAYOUT.configDir}/${part === 'agent' ? 'mqtt.pass' : 'collector-mqtt.pass'}`;
/** The broker's CA certificate (a private CA), shared by the parts of a machine. */
export const CA_PATH = `${LAYOUT.configDir}/ca.pem`;

/** Root, or the service user (and its group). */
export type Owner = 'root' | 'service';

export interface PlannedDir {
  path: string;
  mode: number;
  owner: Owner;
  group: Owner;
}

export interface PlannedFile {
  path: string;
  mode: number;
  /** The file's owner is always root; the group is root's or the service user's. */
  group: Owner;
  /** The text, or the file to copy; undefined: nothing to write, but where the file exists its mode and owner are set. */
  content: string | { copyOf: string } | undefined;
  /** An existing file is kept as it is: the operator's config and secrets. */
  keep: boolean;
}

export interface InstallRequest {
  part: Part;
  user: string;
  site?: string;
  /** Agent: its name in topics and its MQTT user name. */
  host?: string;
  broker?: string;
  /** Agent: source types to read (each with `workload`), instead of the example's nvidia and host. */
  sources?: string[];
  workload?: 'hpc' | 'mining';
  /** Collector: its MQTT user name. */
  mqttUser?: string;
  password?: string;
  /** The PEM text of the CA that signed the broker's certificate. */
  ca?: string;
  enable: boolean;
  /** The part's config is already there: it is kept, so no flag for it is needed (an upgrade). */
  configExists: boolean;
  /** The running single-file build, copied to LAYOUT.program. */
  program: string;
  /** The Node.js that runs it (absolute path), written into LAYOUT.command. */
  node: string;
}

export interface InstallPlan {
  user: string;
  /** Run when the user does not exist yet. */
  createUser: string[];
  dirs: PlannedDir[];
  files: PlannedFile[];
  /** Run after every file is in place. */
  commands: string[][];
}

export function planInstall(request: InstallRequest, deploy: DeployFiles): InstallPlan {
  const { part, user } = request;
  if (HIDDEN_FROM_SERVICE.test(request.node)) {
    throw new UsageError(`Node.js is at ${request.node}, which the unit's ProtectHome=true hides from the service: install Node.js 20 system-wide (e.g. /usr/bin/node) and run the install with it`);
  }
  const config = request.configExists ? undefined : part === 'agent' ? agentConfig(request, deploy.agentConfig) : collectorConfig(request, deploy.collectorConfig);
  const unit = withUser(part === 'agent' ? deploy.agentUnit : deploy.collectorUnit, user);

  // Our own directories, whose mode and owner are set even when they exist (system ones such as
  // /usr/local/bin are only created, 0755, where missing).
  const dirs: PlannedDir[] = [
    { path: LAYOUT.programDir, mode: 0o755, owner: 'root', group: 'root' },
    // The service reads its config through its group; nobody else needs to see the secrets' names.
    { path: LAYOUT.configDir, mode: 0o750, owner: 'root', group: 'service' },
  ];
  if (part === 'agent') {
    // Same mode as the unit's StateDirectoryMode, so systemd does not change it at start.
    dirs.push({ path: LAYOUT.stateDir, mode: 0o750, owner: 'service', group: 'service' }, { path: LAYOUT.spoolDir, mode: 0o750, owner: 'service', group: 'service' });
  }

  const files: PlannedFile[] = [
    { path: LAYOUT.program, mode: 0o755, group: 'root', content: { copyOf: request.program }, keep: false },
    { path: LAYOUT.command, mode: 0o755, group: 'root', content: wrapper(request.node), keep: false },
    { path: unitPath(part), mode: 0o644, group: 'root', content: unit, keep: false },
  ];
  files.push({ path: configPath(part), mode: 0o640, group: 'service', content: config, keep: true });
  // Listed even without a new text, so an existing secret gets the mode the service needs.
  files.push({ path: secretPath(part), mode: 0o640, group: 'service', content: request.password === undefined ? undefined : `${request.password}\n`, keep: true });
  // A certificate is public; kept like the config, since both parts name the one file.
  files.push({ path: CA_PATH, mode: 0o644, group: 'root', content: request.ca, keep: true });

  const commands = [['systemctl', 'daemon-reload']];
  if (request.enable) commands.push(['systemctl', 'enable', '--now', unitName(part)]);
  return {
    user,
    createUser: ['useradd', '--system', '--user-group', '--home-dir', LAYOUT.stateDir, '--no-create-home', '--shell', '/usr/sbin/nologin', user],
    dirs,
    files,
    commands,
  };
}

/** The command on PATH: the build, run by the Node.js that installed it (PATH may lack it under systemd). */
function wrapper(node: string): string {
  return `#!/bin/sh\n# Written by powersite install: the single-file build, run by the Node.js it was installed with.\nexec ${shellQuote(node)} ${LAYOUT.program} "$@"\n`;
}

function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function withUser(unit: string, user: string): string {
  return unit.replace(/^User=.*$/m, `User=${user}`).replace(/^Group=.*$/m, `Group=${user}`);
}

function agentConfig(request: InstallRequest, example: string): string {
  if (!request.site) throw new UsageError('install agent: --site is required (the site this host belongs to, e.g. --site tx-1)');
  if (!request.broker) throw new UsageError('install agent: --broker is required (e.g. --broker mqtts://broker.example.net:8883)');
  if (!request.host) throw new UsageError('install agent: no host name (--host)');
  const doc = parseDocument(example);
  doc.setIn(['site'], request.site);
  doc.setIn(['host'], request.host);
  doc.setIn(['mqtt', 'url'], request.broker);
  // The broker ACL lets a host publish only under its own name.
  doc.setIn(['mqtt', 'username'], request.host);
  if (request.password !== undefined) doc.setIn(['mqtt', 'password_file'], secretPath('agent'));
  else doc.deleteIn(['mqtt', 'password_file']);
  if (request.ca !== undefined) doc.setIn(['mqtt', 'ca'], CA_PATH);
  if (request.sources?.length) doc.setIn(['sources'], doc.createNode(request.sources.map((type) => ({ type, workload: request.workload ?? 'hpc' }))));
  const hint = request.sources?.length ? '--source gives each source a type and workload only: add sources that need more keys (addresses, credentials) to the file after install (docs/configuration.md)' : undefined;
  return checked(AgentConfig, doc.toString(), configPath('agent'), hint);
}

function collectorConfig(request: InstallRequest, example: string): string {
  const doc = parseDocument(example);
  if (request.broker) doc.setIn(['mqtt', 'url'], request.broker);
  if (request.password !== undefined) {
    doc.setIn(['mqtt', 'username'], request.mqttUser ?? DEFAULT_COLLECTOR_MQTT_USER);
    doc.setIn(['mqtt', 'password_file'], secretPath('collector'));
  } else if (request.mqttUser) {
    doc.setIn(['mqtt', 'username'], request.mqttUser);
  }
  if (request.ca !== undefined) doc.setIn(['mqtt', 'ca'], CA_PATH);
  if (request.site) {
    // The example's one site, renamed: its limits and economics stay as a starting point.
    const sites = doc.get('sites', true) as { items?: { key: { value?: unknown } }[] } | undefined;
    const first = sites?.items?.[0];
    if (first) first.key.value = request.site;
  }
  return checked(CollectorConfig, doc.toString(), configPath('collector'));
}

/** The text, once the part's schema accepts it: flags that make an invalid config are a usage error. */
function checked(schema: typeof AgentConfig | typeof CollectorConfig, text: string, file: string, hint?: string): string {
  try {
    validateConfig(schema, parse(text), file, { env: {} });
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new UsageError(`these flags make an invalid ${file}:\n${err.problems.map((p) => `  - ${p}`).join('\n')}${hint ? `\n${hint}` : ''}`);
    }
    throw err;
  }
  return text;
}

export interface UninstallRequest {
  part: Part;
  user: string;
  /** Also remove the data (the agent's state and spool) and, when no part is left, the user. */
  purge: boolean;
  /** Leave the config and secrets in place. */
  keepConfig: boolean;
  /** Whether the other part is installed here: then the program, command and user stay. */
  otherInstalled: boolean;
}

export interface UninstallPlan {
  /** Run before anything is removed. */
  before: string[][];
  /** Files, and with `recursive` whole trees. */
  remove: { path: string; recursive: boolean }[];
  /** Removed only when empty, deepest first. */
  removeIfEmpty: string[];
  after: string[][];
}

export function planUninstall(request: UninstallRequest): UninstallPlan {
  const { part, purge, keepConfig, otherInstalled } = request;
  const remove = [{ path: unitPath(part), recursive: false }];
  if (!keepConfig) remove.push({ path: configPath(part), recursive: false }, { path: secretPath(part), recursive: false });
  if (!otherInstalled) remove.push({ path: LAYOUT.command, recursive: false }, { path: LAYOUT.program, recursive: false });
  if (!otherInstalled && !keepConfig) remove.push({ path: CA_PATH, recursive: false });
  if (purge && part === 'agent') remove.push({ path: LAYOUT.stateDir, recursive: true });
  const after = [['systemctl', 'daemon-reload']];
  if (purge && !otherInstalled) after.push(['userdel', request.user]);
  return {
    before: [['systemctl', 'disable', '--now', unitName(part)]],
    remove,
    removeIfEmpty: [LAYOUT.programDir, LAYOUT.configDir],
    after,
  };
}
