import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KeyFileError, readKeyFile, readKeyFileText, writeKeyFile } from "../../src/index.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "nym-keys-"));
}

describe("key files", () => {
  it("writes secrets with mode 0600 and reads them back", () => {
    const dir = tempDir();
    const path = join(dir, "sphinx.key");
    const secret = new Uint8Array([1, 2, 3, 250]);
    writeKeyFile(path, secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(new Uint8Array(readKeyFile(path))).toEqual(secret);
    expect(readdirSync(dir)).toEqual(["sphinx.key"]);
  });

  it("keeps 0600 even under a permissive umask", () => {
    const previous = process.umask(0o000);
    try {
      const path = join(tempDir(), "k");
      writeKeyFile(path, "abcd\n");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readKeyFileText(path)).toBe("abcd");
    } finally {
      process.umask(previous);
    }
  });

  it("refuses to replace an existing key unless asked, leaving it intact and no temporary file behind", () => {
    const dir = tempDir();
    const path = join(dir, "k");
    writeKeyFile(path, "first");
    expect(() => writeKeyFile(path, "second")).toThrowError(KeyFileError);
    expect(readKeyFileText(path)).toBe("first");
    expect(readdirSync(dir)).toEqual(["k"]);
    writeKeyFile(path, "second", { overwrite: true });
    expect(readKeyFileText(path)).toBe("second");
  });

  it.each([0o644, 0o604, 0o640, 0o660, 0o666])("refuses a key file with mode %o", (mode) => {
    const path = join(tempDir(), "k");
    writeFileSync(path, "secret");
    chmodSync(path, mode);
    try {
      readKeyFile(path);
      expect.unreachable("an exposed key file must be refused");
    } catch (error) {
      expect(error).toBeInstanceOf(KeyFileError);
      expect((error as KeyFileError).code).toBe("KEYFILE_ERROR_PERMISSIONS");
      expect((error as KeyFileError).message).toContain("chmod 600");
    }
  });

  it("reports a missing key file and a directory with their own codes", () => {
    const dir = tempDir();
    expect(() => readKeyFile(join(dir, "absent"))).toThrowError(
      expect.objectContaining({ code: "KEYFILE_ERROR_NOT_FOUND" }),
    );
    chmodSync(dir, 0o700);
    expect(() => readKeyFile(dir)).toThrowError(expect.objectContaining({ code: "KEYFILE_ERROR_NOT_A_FILE" }));
  });
});
