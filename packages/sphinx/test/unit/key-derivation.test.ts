/**
 * The two key derivation paths (the Rust N-API addon in native/, and node:crypto's hkdfSync with our SHA-256 in
 * JavaScript) must be interchangeable: the same hop keys and payload keys, the same packets and hop results. The
 * vector suites (test/vectors) also run every golden and nym interop vector on both.
 */
import { createSecretKey, hkdfSync } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EXPANDED_SECRET_LENGTH,
  HKDF_INFO,
  OFFSET_PAYLOAD_KEY,
  PAYLOAD_KEY_LENGTH,
  SPHINX_VERSIONS,
} from "../../src/constants.js";
import {
  availableSphinxKeyDerivations,
  createForwardPacket,
  createSphinxNode,
  getSphinxKeyDerivation,
  type KeyDerivationName,
  SphinxError,
  setSphinxKeyDerivation,
} from "../../src/index.js";
import {
  addonSelfTest,
  currentKeyDerivation,
  HOP_KEYS_LENGTH,
  jsKeyDerivation,
  type SphinxAddon,
  sphinxAddon,
  sphinxAddonLoadError,
} from "../../src/key-derivation.js";
import { derivePayloadKeyHkdfSync } from "../../src/primitives.js";
import { expectedKeyDerivations, makeRoute, seededRandom } from "../helpers.js";

const hasNative = expectedKeyDerivations().includes("native");

function withKeyDerivation<T>(name: KeyDerivationName, f: () => T): T {
  const previous = getSphinxKeyDerivation();
  setSphinxKeyDerivation(name);
  try {
    return f();
  } finally {
    setSphinxKeyDerivation(previous);
  }
}

describe("key derivation availability and selection", () => {
  it("offers js always and native exactly when the addon is built; native is the default then", () => {
    expect(availableSphinxKeyDerivations()).toEqual(expectedKeyDerivations());
    if (hasNative) {
      expect(sphinxAddonLoadError).toBeUndefined();
      expect(getSphinxKeyDerivation()).toBe(process.env.NYM_SPHINX_KDF === "js" ? "js" : "native");
    } else {
      expect(getSphinxKeyDerivation()).toBe("js");
    }
  });

  it("setSphinxKeyDerivation rejects unknown names with a typed error and keeps the active path", () => {
    const before = getSphinxKeyDerivation();
    expect(() => setSphinxKeyDerivation("wasm" as KeyDerivationName)).toThrow(SphinxError);
    expect(getSphinxKeyDerivation()).toBe(before);
  });

  describe("NYM_SPHINX_KDF, read when the module loads", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });

    it.each(expectedKeyDerivations())("%s selects that path", async (name) => {
      vi.stubEnv("NYM_SPHINX_KDF", name);
      vi.resetModules();
      const fresh = await import("../../src/key-derivation.js");
      expect(fresh.getSphinxKeyDerivation()).toBe(name);
    });

    it("an unknown name fails the import with SPHINX_ERROR_INVALID_ARGUMENT", async () => {
      vi.stubEnv("NYM_SPHINX_KDF", "wasm");
      vi.resetModules();
      await expect(import("../../src/key-derivation.js")).rejects.toMatchObject({
        code: "SPHINX_ERROR_INVALID_ARGUMENT",
      });
    });
  });
});

describe("the JS path", () => {
  it("hop keys are hkdfSync's 288 bytes, followed on request by the payload key of their seed", () => {
    const shared = seededRandom("js path")(32);
    const expanded = new Uint8Array(hkdfSync("sha256", createSecretKey(shared), new Uint8Array(0), HKDF_INFO, 288));
    expect(jsKeyDerivation.hopKeys(shared, false)).toEqual(expanded);
    const keys = jsKeyDerivation.hopKeys(shared, true);
    expect(keys.length).toBe(HOP_KEYS_LENGTH);
    expect(keys.subarray(0, EXPANDED_SECRET_LENGTH)).toEqual(expanded);
    expect(keys.subarray(EXPANDED_SECRET_LENGTH)).toEqual(
      derivePayloadKeyHkdfSync(expanded.subarray(OFFSET_PAYLOAD_KEY, OFFSET_PAYLOAD_KEY + 16)),
    );
  });
});

describe.runIf(hasNative)("the native addon equals the JS path", () => {
  const native = () => withKeyDerivation("native", currentKeyDerivation);
  const addon = sphinxAddon as SphinxAddon;

  it("passes its known answer, and a wrong answer is refused", () => {
    expect(addonSelfTest(addon)).toBe(true);
    const broken: SphinxAddon = {
      ...addon,
      deriveHopKeys(shared, withPayloadKey, out) {
        addon.deriveHopKeys(shared, withPayloadKey, out);
        out[300]! ^= 1;
      },
    };
    expect(addonSelfTest(broken)).toBe(false);
  });

  it("hop keys with and without the payload key, for any shared secret", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (shared) => {
        const n = native();
        expect(n.hopKeys(shared, false)).toEqual(jsKeyDerivation.hopKeys(shared, false));
        expect(n.hopKeys(shared, true)).toEqual(jsKeyDerivation.hopKeys(shared, true));
      }),
      { numRuns: 300 },
    );
  });

  it("the payload key of any seed equals hkdfSync's", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (seed) => {
        expect(native().payloadKey(seed)).toEqual(derivePayloadKeyHkdfSync(seed));
      }),
      { numRuns: 300 },
    );
  });

  it("results of successive calls do not overlap (each is its own view, kept valid)", () => {
    const n = native();
    const random = seededRandom("views");
    const kept = Array.from({ length: 40 }, () => {
      const shared = random(32);
      return { keys: n.hopKeys(shared, true), copy: jsKeyDerivation.hopKeys(shared, true) };
    });
    for (const { keys, copy } of kept) expect(keys).toEqual(copy);
    const seed = random(16);
    expect(n.payloadKey(seed).length).toBe(PAYLOAD_KEY_LENGTH);
  });

  it("wrong lengths: a typed error from the wrapper, an InvalidArg error from the addon itself", () => {
    const n = native();
    expect(() => n.hopKeys(new Uint8Array(31), true)).toThrow(SphinxError);
    expect(() => n.payloadKey(new Uint8Array(32))).toThrow(SphinxError);
    expect(() => addon.deriveHopKeys(new Uint8Array(33), false, new Uint8Array(288))).toThrow(/32 bytes/);
    expect(() => addon.deriveHopKeys(new Uint8Array(32), true, new Uint8Array(288))).toThrow(/480 bytes/);
    expect(() => addon.derivePayloadKey(new Uint8Array(16), new Uint8Array(191))).toThrow(/192 bytes/);
  });

  it("packets built on one path are processed to the same results on the other, every version", () => {
    const random = seededRandom("cross path");
    for (const version of SPHINX_VERSIONS) {
      const { keys, route } = makeRoute(3, random);
      const options = {
        route,
        delays: [1, 2, 3],
        destination: { address: new Uint8Array(32).fill(7), identifier: new Uint8Array(16).fill(8) },
        message: new TextEncoder().encode(`version ${version}`),
        version,
      };
      const draw = random(1024);
      const replayDraw = () => {
        let used = 0;
        return (length: number) => {
          used += length;
          return draw.slice(used - length, used);
        };
      };
      const viaJs = withKeyDerivation("js", () => createForwardPacket({ ...options, random: replayDraw() }));
      const viaNative = withKeyDerivation("native", () => createForwardPacket({ ...options, random: replayDraw() }));
      expect(viaNative.packet).toEqual(viaJs.packet);
      let a = viaJs.packet;
      let b = viaNative.packet;
      for (const k of keys) {
        const outJs = withKeyDerivation("js", () => createSphinxNode(k.privateKey).process(b));
        const outNative = withKeyDerivation("native", () => createSphinxNode(k.privateKey).process(a));
        expect(outNative).toEqual(outJs);
        if (outJs.kind === "forward" && outNative.kind === "forward") {
          a = outNative.packet;
          b = outJs.packet;
        }
      }
    }
  });
});
