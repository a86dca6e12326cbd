import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  blstBackend,
  decodeTheta,
  decodeVerificationKey,
  fromHex,
  hashToScalar,
  mclBackend,
  nobleBackend,
  setup,
  verifyCredential,
} from "../../src/index.js";
import { enc } from "../helpers.js";
import { computeVectors } from "./compute.js";

const golden = JSON.parse(readFileSync(new URL("./coconut-v1.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;

describe("golden vectors (test/vectors/coconut-v1.json, fixed seed)", () => {
  it("the mcl backend reproduces every pinned output byte for byte", async () => {
    expect(computeVectors(setup(3, { backend: await mclBackend() }))).toEqual(golden);
  });

  it("the blst backend reproduces every pinned output byte for byte", () => {
    expect(computeVectors(setup(3, { backend: blstBackend() }))).toEqual(golden);
  });

  it("the noble reference backend reproduces every pinned output byte for byte", () => {
    expect(computeVectors(setup(3, { backend: nobleBackend() }))).toEqual(golden);
  });

  it.each(["blst", "mcl"])("the pinned proof decodes and verifies for its binding only (%s)", async (name) => {
    const params = setup(3, { backend: name === "blst" ? blstBackend() : await mclBackend() });
    const vk = decodeVerificationKey(params, fromHex(golden.aggregatedVerificationKey as string));
    const theta = decodeTheta(params, fromHex(golden.theta as string));
    const binding = fromHex(golden.binding as string);
    expect(verifyCredential(params, vk, theta, [42n], binding)).toBe(true);
    expect(verifyCredential(params, vk, theta, [42n], enc("sp-address-0002"))).toBe(false);
  });

  it("pins the attribute hash", () => {
    expect((golden.privateAttributes as string[])[0]).toBe(hashToScalar(enc("serial number")).toString(16));
  });
});
