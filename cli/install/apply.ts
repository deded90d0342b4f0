/**
 * Carries out an install or uninstall plan (plan.ts). On the machine (root '/') it creates the
 * user, sets owners and runs systemctl; under --root DIR it writes the same files with the same
 * modes into DIR, owned by whoever runs it, and prints the commands it skips instead of running them.
 */
import { spawn } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UnavailableError } from '../../common/exit-codes.js';
import { lookupUser } from '../check-config/machine.js';
import type { InstallPlan, Owner, UninstallPlan } from './plan.js';

export interface Target {
  /** '/' for this machine, else the directory that stands for it (--root). */
  root: string;
  log(line: string): void;
}

const onMachine = (target: Target): boolean => target.root === '/';
const at = (target: Target, path: string): string => join(target.root, path);
const octal = (mode: number): string => `0${mode.toString(8)}`;

type Ids = Record<Owner, { uid: number; gid: number }>;

export async function applyInstall(plan: InstallPlan, target: Target): Promise<void> {
  let ids: Ids | undefined;
  if (onMachine(target)) {
    ids = await serviceIds(plan, target);
  } else {
    target.log(`--root ${target.root}: files are owned by you; the owners shown are what they get on a machine`);
    await runOrSkip(plan.createUser, target);
  }
  const owners = (owner: Owner, group: Owner): string => `${owner === 'root' ? 'root' : plan.user}:${group === 'root' ? 'root' : plan.user}`;
  const own = async (path: string, owner: Owner, group: Owner): Promise<void> => {
    if (ids) await chown(path, ids[owner].uid, ids[group].gid);
  };

  for (const dir of plan.dirs) {
    const path = at(target, dir.path);
    // Missing parents get 0755 like any system directory; the mode asked for is for this one only.
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await mkdir(path, { mode: dir.mode }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await chmod(path, dir.mode);
    await own(path, dir.owner, dir.group);
    target.log(`directory ${dir.path} (${octal(dir.mode)}, ${owners(dir.owner, dir.group)})`);
  }
  for (const file of plan.files) {
    const path = at(target, file.path);
    if (file.keep && (await exists(path))) {
      // Its text stays; its mode and owner are made right, so the service can read it (installs by
      // hand left secrets readable by root alone: EACCES and a restart loop).
      await chmod(path, file.mode);
      await own(path, 'root', file.group);
      target.log(`kept ${file.path}: it exists, so it is not overwritten (mode and owner set: ${octal(file.mode)}, ${owners('root', file.group)})`);
      continue;
    }
    if (file.content === undefined) continue;
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    // Written beside the target and renamed over it: a running program or a reader never sees half a file.
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      if (typeof file.content === 'string') await writeFile(temporary, file.content, { mode: 0o600 });
      else await copyFile(file.content.copyOf, temporary);
      await chmod(temporary, file.mode);
      await own(temporary, 'root', file.group);
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
    target.log(`wrote ${file.path} (${octal(file.mode)}, ${owners('root', file.group)})`);
  }
  for (const command of plan.commands) await runOrSkip(command, target);
}

/** The service user's ids, created first when missing. */
async function serviceIds(plan: InstallPlan, target: Target): Promise<Ids> {
  let user = await lookupUser(plan.user);
  if (!user) {
    await runOrSkip(plan.createUser, target);
    user = await lookupUser(plan.user);
    if (!user) throw new UnavailableError(`user ${plan.user} is still missing after ${plan.createUser.join(' ')}`);
  }
  return { root: { uid: 0, gid: 0 }, service: { uid: user.uid, gid: user.gids[0]! } };
}

export async function applyUninstall(plan: UninstallPlan, target: Target): Promise<void> {
  // A unit that is not loaded (stopped by hand, never enabled) must not stop the clean-up.
  for (const command of plan.before) await runOrSkip(command, target, { mayFail: true });
  for (const { path, recursive } of plan.remove) {
    if (!(await exists(at(target, path)))) continue;
    await rm(at(target, path), { recursive, force: true });
    target.log(`removed ${path}`);
  }
  for (const dir of plan.removeIfEmpty) {
    try {
      await rmdir(at(target, dir));
      target.log(`removed ${dir} (empty)`);
    } catch (err) {
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  for (const command of plan.after) await runOrSkip(command, target, { mayFail: command[0] === 'userdel' });
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

/** Runs a command with its output on ours; under --root, only says what would run. */
async function runOrSkip(command: string[], target: Target, { mayFail = false } = {}): Promise<void> {
  const line = command.join(' ');
  if (!onMachine(target)) {
    target.log(`skipped (--root): ${line}`);
    return;
  }
  target.log(`running: ${line}`);
  const [program, ...args] = command as [string, ...string[]];
  const outcome = await new Promise<string | undefined>((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err) => resolve(`${program} could not run: ${err.message}`));
    child.on('exit', (code, signal) => resolve(code === 0 ? undefined : `${line} exited with ${code ?? signal}`));
  });
  if (outcome === undefined) return;
  if (!mayFail) throw new UnavailableError(outcome);
  target.log(`warning: ${outcome}; going on`);
}
