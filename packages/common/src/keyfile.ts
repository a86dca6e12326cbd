import {
  closeSync,
  fchmodSync,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { KeyFileError } from "./errors.js";

/** Permission bits a key file may not have: any access for group or others. */
const FORBIDDEN_BITS = 0o077;

/**
 * Writes a secret to `path` with mode 0600. The bytes go to a temporary file in the same directory, created 0600
 * before anything is written, then renamed over `path`, so a crash never leaves a half-written or readable key.
 * Refuses to replace an existing file unless `overwrite` is set.
 */
export function writeKeyFile(path: string, data: Uint8Array | string, options: { overwrite?: boolean } = {}): void {
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.keytmp`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    fchmodSync(fd, 0o600); // umask cannot widen it, but a restrictive umask must not narrow it below 0600 either
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  if (options.overwrite) {
    renameSync(tmp, path);
    return;
  }
  // link() fails with EEXIST instead of replacing, so the existence check and the write are one atomic step.
  try {
    linkSync(tmp, path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      throw new KeyFileError("KEYFILE_ERROR_EXISTS", `key file ${path} already exists`, { path }, { cause });
    }
    throw cause;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Reads a secret from `path`, refusing it when group or others may read or write it (as ssh does): a key another
 * user could read must be treated as leaked, and the operator told so.
 */
export function readKeyFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    throw new KeyFileError("KEYFILE_ERROR_NOT_FOUND", `cannot open key file ${path}`, { path }, { cause });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new KeyFileError("KEYFILE_ERROR_NOT_A_FILE", `key file ${path} is not a regular file`, { path });
    }
    const mode = stat.mode & 0o777;
    if ((mode & FORBIDDEN_BITS) !== 0) {
      throw new KeyFileError(
        "KEYFILE_ERROR_PERMISSIONS",
        `key file ${path} has mode ${mode.toString(8).padStart(4, "0")}; run chmod 600 ${path}`,
        { path, mode },
      );
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads a key file holding text (hex, PEM) and trims surrounding whitespace. */
export function readKeyFileText(path: string): string {
  return readKeyFile(path).toString("utf8").trim();
}
