import { describe, expect, it } from "vitest";
import { pageScript, parseDocPage, withoutComment } from "../helpers/docs.js";

const page = (text: string) => parseDocPage("docs/x.md", text);
const commands = (text: string) => page(text).blocks.flatMap((b) => b.commands.map((c) => [c.line, c.mode, c.text]));

describe("the docs checks' reading of Markdown", () => {
  it("takes every line of a sh block as a command, joining backslash, quote and here-document continuations", () => {
    const text = [
      "# Title", // 1
      "```sh", // 2
      "# a comment", // 3
      "nym-x init --dir a   # don't mind the quote", // 4
      "nym-x run \\", // 5
      "  --port 1", // 6
      "node -e '", // 7
      "  console.log(1)", // 8
      "'", // 9
      "cat >f <<'EOF'", // 10
      "it's here", // 11
      "EOF", // 12
      "", // 13
      "echo done", // 14
      "```",
    ].join("\n");
    expect(commands(text)).toEqual([
      [4, "run", "nym-x init --dir a   # don't mind the quote"],
      [5, "run", "nym-x run \\\n  --port 1"],
      [7, "run", "node -e '\n  console.log(1)\n'"],
      [10, "run", "cat >f <<'EOF'\nit's here\nEOF"],
      [14, "run", "echo done"],
    ]);
  });

  it("reads only the `$ ` lines of a console block, and no command from other blocks", () => {
    const text = "```console\n$ nym-x --help\nusage: nym-x\n```\n\n```toml\na = 1\n```\n\n```\nnym-x run\n```";
    expect(commands(text)).toEqual([[2, "run", "nym-x --help"]]);
  });

  it("applies not run and validate only markers to the commands they name, the first one winning", () => {
    const text = [
      '<!-- docs-check: not run "docker": needs Docker; make test-docker covers it -->',
      '<!-- docs-check: validate only "nym-x run", "docker run": starts the daemon; test/e2e/x.test.ts runs it -->',
      "```sh",
      "nym-x init",
      "nym-x run --port 1 # the node",
      "docker run nym-x",
      "```",
      "<!-- docs-check: not run: needs the network up; test/e2e/y.test.ts -->",
      "```bash",
      "nym-x status",
      "```",
    ].join("\n");
    const blocks = page(text).blocks;
    expect(blocks[0]?.commands.map((c) => c.mode)).toEqual(["run", "validate", "skip"]);
    expect(blocks[0]?.commands[2]?.reason).toBe("needs Docker; make test-docker covers it");
    expect(blocks[1]?.commands.map((c) => c.mode)).toEqual(["skip"]);
  });

  it("refuses a marker without a reason, a prefix that matches nothing, a stray marker and an unknown directive", () => {
    expect(() => page("<!-- docs-check: not run: -->\n```sh\nx\n```")).toThrow(
      /docs\/x.md:1: "not run" needs a reason/,
    );
    expect(() => page('<!-- docs-check: not run "y": a reason long enough -->\n```sh\nx\n```')).toThrow(
      /no command of the block at line 2 starts with "y"/,
    );
    expect(() => page("```sh\nx\n```\n<!-- docs-check: not run: a reason long enough -->\n")).toThrow(
      /docs\/x.md:4: a docs-check marker with no fenced block after it/,
    );
    expect(() => page("<!-- docs-check: skip it -->\n```sh\nx\n```")).toThrow(/unknown docs-check directive "skip it"/);
    expect(() => page("<!-- docs-check: validate only: a reason long enough -->\n```sh\nx\n```")).toThrow(
      /validate only names the commands/,
    );
    expect(() => page("<!-- docs-check: file a.toml -->\n```sh\nx\n```")).toThrow(/`file` applies to a non-shell/);
  });

  it("records file and scratch markers, headings, and table data rows without header rows", () => {
    const text = [
      "## Configuration",
      "<!-- docs-check: file a.toml -->",
      "```toml",
      'a = "b"',
      "```",
      "| key | default |",
      "|---|---|",
      "| `a` | `b` |",
      "<!-- docs-check: scratch /var/lib/x -->",
      "```sh",
      "x init --dir /var/lib/x",
      "```",
    ].join("\n");
    const parsed = page(text);
    expect(parsed.headings).toEqual([{ level: 2, text: "Configuration", line: 1 }]);
    expect(parsed.rows).toEqual([{ cells: ["`a`", "`b`"], line: 8 }]);
    expect(parsed.blocks[0]).toMatchObject({ writeTo: "a.toml", body: 'a = "b"' });
    expect(parsed.blocks[1]?.scratchPaths).toEqual(["/var/lib/x"]);
    const script = pageScript(parsed, "/s/status", "/s");
    expect(script).toContain("{ x init --dir /s/var/lib/x\n}");
  });

  it("appends --validate-only before a trailing comment, and writes a status line per command", () => {
    expect(withoutComment("nym-x run --a 'b # c' # comment")).toBe("nym-x run --a 'b # c'");
    const parsed = page(
      '<!-- docs-check: validate only "nym-x run": starts it; e2e covers it -->\n```sh\nnym-x run # go\n```',
    );
    const script = pageScript(parsed, "/s/status", "/s");
    expect(script).toContain("{ nym-x run --validate-only\n}");
    expect(script).toContain("printf 'ok %s\\n' 3");
    expect(script).toContain("printf 'fail %s %s\\n' 3 $__s");
  });
});
