/**
 * What check-config asks of this machine: who the service user is, whether it can read a file
 * (every directory on the way searchable, the file readable, by owner, group or other bits), and
 * whether a command is on PATH. Read from /etc/passwd, /etc/group and stat(), nothing else.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

export interface ServiceUser {
  name: string;
  uid: number;
  gids: number[];
}

export interface Machine {
  user: ServiceUser;
  /** Undefined when `user` can read the file; else why not, in words. */
  unreadable(path: string): Promise<string | undefined>;
  /** Whether the command runs: an executable path, or a name found on PATH. */
  runnable(command: string): Promise<boolean>;
}

/** The named user (or, with none given, `powersite` where it exists, else whoever runs this). */
export async function lookupUser(name: string | undefined): Promise<ServiceUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const group = await readFile('/etc/group', 'utf8').catch(() => '');
  const users = passwd.split('\n').map((l) => l.split(':')).filter((f) => f.length >= 4);
  const wanted = name ?? (users.some((f) => f[0] === 'powersite') ? 'powersite' : undefined);
  const entry = wanted === undefined ? users.find((f) => Number(f[2]) === process.getuid?.()) : users.find((f) => f[0] === wanted);
  if (!entry) return undefined;
  const gids = [Number(entry[3])];
  for (const g of group.split('\n').map((l) => l.split(':'))) {
    if (g.length >= 4 && g[3]!.split(',').includes(entry[0]!)) gids.push(Number(g[2]));
  }
  return { name: entry[0]!, uid: Number(entry[2]), gids };
}

export function localMachine(user: ServiceUser, env: NodeJS.ProcessEnv = process.env): Machine {
  const allows = async (path: string, bit: 4 | 1): Promise<string | undefined> => {
    const st = await stat(path);
    if (user.uid === 0) return undefined; // root reads everything
    const shift = st.uid === user.uid ? 6 : user.gids.includes(st.gid) ? 3 : 0;
    if ((st.mode >> shift) & bit) return undefined;
    return `owner uid ${st.uid}, group gid ${st.gid}, mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}`;
  };
  return {
    user,
    async unreadable(path) {
      const full = resolve(path);
      try {
        for (let dir = dirname(full); ; dir = dirname(dir)) {
          const why = await allows(dir, 1);
          if (why) return `directory ${dir} is not searchable by user ${user.name} (${why})`;
          if (dir === dirname(dir)) break;
        }
        const why = await allows(full, 4);
        return why ? `not readable by user ${user.name} (${why})` : undefined;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code === 'ENOENT' ? 'no such file' : `cannot be checked (${code ?? String(err)})`;
      }
    },
    async runnable(command) {
      const candidates = isAbsolute(command) || command.includes('/') ? [command] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, command));
      for (const c of candidates) {
        if (await access(c, constants.X_OK).then(() => true, () => false)) return true;
      }
      return false;
    },
  };
}
