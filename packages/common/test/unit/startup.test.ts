import { describe, expect, it } from "vitest";
import { nodeVersionProblem } from "../../src/startup.js";

describe("nodeVersionProblem", () => {
  it("names the daemon, the Node.js it found and what to run, for Node.js older than 24", () => {
    const problem = nodeVersionProblem("nym-mixnode", "22.12.0");
    expect(problem).toMatch(
      /^nym-mixnode needs Node\.js 24 or newer \(it uses node:sqlite\); this is Node\.js 22\.12\.0/,
    );
    expect(problem).toMatch(/make bootstrap/);
    expect(problem).toMatch(/\.tools\/bin/);
  });

  it("has nothing to say on Node.js 24 and later", () => {
    expect(nodeVersionProblem("nym-directory", "24.0.0")).toBeUndefined();
    expect(nodeVersionProblem("nym-directory", "25.1.0")).toBeUndefined();
    expect(nodeVersionProblem("nym-directory")).toBeUndefined();
  });
});
