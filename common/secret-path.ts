/**
 * How errors name a secret file's path. A password written where its file's path belongs
 * (`password_file: hunter2`) must not be echoed by the error, every restart, into the journal: a
 * path is shown only when it is absolute (as the shipped configs write them), never otherwise.
 */
export function shownSecretPath(path: string): string {
  return path.startsWith('/') && !/\s/.test(path) ? path : '(path not shown: not an absolute path, perhaps a secret written in its place)';
}
