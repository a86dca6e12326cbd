import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DirectoryConfig } from "../../src/config.js";

describe("directory configuration", () => {
  it("keeps its state per user by default, not relative to the working directory", () => {
    const path = DirectoryConfig.parse({}).storage.path;
    expect(isAbsolute(path)).toBe(true);
    expect(path).toBe(join(homedir(), ".nym-ts", "directory", "directory.sqlite"));
    expect(DirectoryConfig.parse({ storage: { path: "x.sqlite" } }).storage.path).toBe("x.sqlite");
  });
});
