import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/index.js";

/**
 * RFC 8785 (JSON Canonicalization Scheme), its published examples: inputs as JSON text, expected outputs as the
 * canonical text. `canonicalize` is the JCS serializer behind `canonicalJson`; `canonicalJson` adds our restriction
 * (safe integers only), so for each example it must give the RFC's output or refuse with a RangeError.
 */

/** §3.2.2's input: number forms, string escapes and literals. */
const RFC_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`;
/** §3.2.4's output for it. */
const RFC_OUTPUT = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

/** §3.2.3's input: property names sorted by their UTF-16 code units, not by code points or UTF-8 bytes. */
const RFC_SORTING_INPUT = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`;
/** The order §3.2.3 gives, as the names' descriptions. */
const RFC_SORTED = [
  "Carriage Return",
  "One",
  "Control",
  "Latin Small Letter O With Diaeresis",
  "Euro Sign",
  "Emoji: Grinning Face",
  "Hebrew Letter Dalet With Dagesh",
];

/** Appendix B: IEEE 754 doubles (as hex bit patterns) and their JCS serialization; undefined where JCS refuses. */
const RFC_NUMBERS: Array<[string, string | undefined]> = [
  ["0000000000000000", "0"],
  ["8000000000000000", "0"], // minus zero
  ["0000000000000001", "5e-324"],
  ["8000000000000001", "-5e-324"],
  ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["ffefffffffffffff", "-1.7976931348623157e+308"],
  ["4340000000000000", "9007199254740992"],
  ["c340000000000000", "-9007199254740992"],
  ["4430000000000000", "295147905179352830000"],
  ["7fffffffffffffff", undefined], // NaN
  ["7ff0000000000000", undefined], // Infinity
  ["44b52d02c7e14af5", "9.999999999999997e+22"],
  ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"],
  ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"],
  ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"],
  ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"],
  ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"],
];

const double = (bits: string) => Buffer.from(bits, "hex").readDoubleBE(0);

/** The hand-written serializer `canonicalJson` was before it used `canonicalize` (kept here as the reference). */
function previousCanonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isSafeInteger(value)) throw new RangeError("only safe integers");
      return String(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(previousCanonicalJson).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${previousCanonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(typeof value);
  }
}

/** JSON values inside the signing domain: well-formed strings (any plane), safe integers, nested objects/arrays. */
const signable = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary-ascii" }),
    fc.maxSafeInteger(),
    fc.integer({ min: -1000, max: 1000 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: "grapheme" }), tie("value"), { maxKeys: 5 }),
  ),
})).value;

describe("canonical JSON (RFC 8785)", () => {
  it("serializes RFC 8785's §3.2.2 example to its §3.2.4 output (numbers, escapes, literals, sorting)", () => {
    expect(canonicalize(JSON.parse(RFC_INPUT))).toBe(RFC_OUTPUT);
    // Our restriction refuses the example's fractions and 1E30; without the numbers it is the RFC's text.
    expect(() => canonicalJson(JSON.parse(RFC_INPUT))).toThrow(RangeError);
    const { numbers: _, ...rest } = JSON.parse(RFC_INPUT) as Record<string, unknown>;
    expect(canonicalJson(rest)).toBe(RFC_OUTPUT.replace(/"numbers":\[[^\]]*\],/, ""));
    expect(canonicalJson(rest)).toBe(String.raw`{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}`);
  });

  it("sorts property names by UTF-16 code units as RFC 8785 §3.2.3 does", () => {
    const input = JSON.parse(RFC_SORTING_INPUT) as Record<string, string>;
    for (const text of [canonicalJson(input), canonicalize(input) as string]) {
      // (Read off the text: a parsed object would list the integer-like key "1" first whatever the text says.)
      expect([...text.matchAll(/:"([^"]*)"/g)].map((match) => match[1])).toEqual(RFC_SORTED);
      // Only the control character is escaped; U+0080, ö, €, the emoji and U+FB33 go out as UTF-8.
      expect(text).toBe(
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
          '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      );
    }
  });

  it("serializes Appendix B's numbers as the RFC does, and ours gives the same or refuses", () => {
    for (const [bits, expected] of RFC_NUMBERS) {
      const value = double(bits);
      if (expected === undefined) {
        expect(() => canonicalize(value), bits).toThrow();
        expect(() => canonicalJson(value), bits).toThrow(RangeError);
        continue;
      }
      expect(canonicalize(value), bits).toBe(expected);
      if (Number.isSafeInteger(value)) expect(canonicalJson(value), bits).toBe(expected);
      else expect(() => canonicalJson(value), bits).toThrow(RangeError);
    }
  });

  it("handles the number forms 1e30, 4.50, 2e-3, 0.000001 and -0", () => {
    expect(canonicalize(JSON.parse("[1e30, 4.50, 2e-3, 0.000001, -0, 1E+2, 100.0]"))).toBe(
      "[1e+30,4.5,0.002,0.000001,0,100,100]",
    );
    // Integral values in any spelling are safe integers and pass our restriction unchanged.
    expect(canonicalJson(JSON.parse("[-0, 1E+2, 100.0, 9007199254740991]"))).toBe("[0,100,100,9007199254740991]");
    for (const refused of ["1e30", "4.50", "2e-3", "0.000001", "9007199254740992"]) {
      expect(() => canonicalJson(JSON.parse(refused)), refused).toThrow(RangeError);
    }
  });

  it("escapes strings as RFC 8785 §3.2.2.2 says and refuses lone surrogates", () => {
    // Controls below U+0020 as \b \t \n \f \r or lowercase \u00xx; DEL (U+007F) and the rest go out as they are.
    expect(canonicalJson("\u0000\u0008\t\n\u000b\f\r\u001f \u007f")).toBe(
      '"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f \u007f"',
    );
    expect(canonicalJson('"\\/')).toBe(String.raw`"\"\\/"`);
    expect(canonicalJson("\u2028\u2029")).toBe('"\u2028\u2029"');
    expect(canonicalJson("\ud83d\ude00")).toBe('"😀"');
    expect(() => canonicalJson("a\ud800b")).toThrow(RangeError);
    expect(() => canonicalJson({ "\udfff": 1 })).toThrow(RangeError);
    expect(() => canonicalJson(["\ude00\ud83d"])).toThrow(RangeError);
  });

  it("refuses what JSON.stringify conventions would smuggle in", () => {
    expect(() => canonicalJson([1, undefined])).toThrow(TypeError);
    expect(() => canonicalJson(new Array(2))).toThrow(TypeError);
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(Symbol("s"))).toThrow(TypeError);
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it("gives the same bytes as the serializer it replaced, for every value it accepts", () => {
    fc.assert(
      fc.property(signable, (value) => {
        expect(canonicalJson(value)).toBe(previousCanonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });
});
