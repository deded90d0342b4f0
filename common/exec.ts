/** Runs a device CLI (nvidia-smi, rocm-smi) with a hard deadline; a hung tool is killed, never awaited forever. */
import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export class ExecError extends Error {
  constructor(
    message: string,
    readonly stdout = '',
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

export function runCommand(command: string, args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', signal, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
        let why: string;
        if (e.code === 'ENOENT') why = `${command} not found (install the driver tools or set "command:" in the source config)`;
        else if (e.code === 'EACCES') why = `${command} is not executable`;
        else if (e.killed || e.name === 'AbortError') why = `${command} did not answer within ${timeoutMs} ms and was killed`;
        else why = `${command} exited with ${e.code ?? 'a signal'}: ${(stderr || stdout).trim().split('\n')[0]?.slice(0, 200) ?? ''}`;
        reject(new ExecError(why, stdout, stderr));
      },
    );
  });
}
