/** A db:backup or db:restore failure the user can act on: the CLI prints its message alone. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandFailed";
  }
}

const reasons: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ENOSPC: "no space left on the device",
  EROFS: "the file system is read-only",
};

/** "cannot read x: permission denied" rather than Node's "EACCES: permission denied, open 'x'". */
export function fileProblem(doing: string, path: string, error: unknown): CommandFailed {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return new CommandFailed(`cannot ${doing} ${path}: ${reasons[code] ?? (error as Error).message}`);
}
