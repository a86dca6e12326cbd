import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  addressFromPublicKey,
  addressFromSecretKey,
  buildDepositCredential,
  buildTransferNotification,
  decodeTx,
  duplicateJsonKey,
  publicKeyFromSecretKey,
  signBytes,
  signMessage,
  TxRejected,
  txHash,
} from "@nym-ts/chain-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SignatureVerifier } from "../../src/keys.js";
import { ethTxHashOf, testKey, zetaOf } from "../fixtures.js";

describe("keys", () => {
  it("derives Ethereum addresses (secret key 1 is the well-known 0x7e5f…5bdf)", () => {
    const one = new Uint8Array(32);
    one[31] = 1;
    expect(addressFromSecretKey(one)).toBe("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
  });

  it("refuses a zero secret key", () => {
    expect(() => addressFromSecretKey(new Uint8Array(32))).toThrow(TypeError);
  });
});

describe("tx codec", () => {
  const verifier = new SignatureVerifier();
  const key = testKey("codec");

  it("round-trips a signed tx: sender is the signer's address, hash is sha256 of the bytes", () => {
    const tx = buildDepositCredential(
      key,
      { chainId: "c", nonce: 3 },
      { zeta: zetaOf("r"), value: 5n, proof: new Uint8Array([1, 2]) },
    );
    const decoded = decodeTx(tx, verifier);
    expect(decoded.sender).toBe(addressFromSecretKey(key));
    expect(decoded.body).toMatchObject({ type: "deposit_credential", nonce: 3, value: "5", proof: "0x0102" });
    expect(decoded.hash).toBe(txHash(tx));
    expect(decoded.hash).toMatch(/^[0-9A-F]{64}$/);
  });

  it("signs Ethereum-style: the key recovered from keccak256(domain || body) has the sender's address", () => {
    const tx = buildDepositCredential(key, { chainId: "c", nonce: 0 }, { zeta: zetaOf("e"), value: 1n, proof: "0x01" });
    const digest = keccak_256(signBytes(tx.subarray(98)));
    const signature = secp256k1.Signature.fromBytes(tx.subarray(34, 98), "compact");
    const recovered = [0, 1].map((bit) => signature.addRecoveryBit(bit).recoverPublicKey(digest).toBytes(true));
    expect(recovered.map((pk) => addressFromPublicKey(pk))).toContain(addressFromSecretKey(key));
  });

  it("signs deterministically: the same body gives the same bytes", () => {
    const build = () =>
      buildTransferNotification(
        key,
        { chainId: "c", nonce: 0 },
        { ethTxHash: ethTxHashOf("d"), logIndex: 1, address: addressFromSecretKey(key), amount: 9n },
      );
    expect(Buffer.from(build()).equals(Buffer.from(build()))).toBe(true);
  });

  it("rejects every single-byte mutation of a valid tx (property)", () => {
    const tx = buildTransferNotification(
      key,
      { chainId: "c", nonce: 0 },
      { ethTxHash: ethTxHashOf("m"), logIndex: 0, address: addressFromSecretKey(key), amount: 1n },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: tx.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const mutated = Uint8Array.from(tx);
        mutated[i] = (mutated[i] as number) ^ x;
        expect(() => decodeTx(mutated, verifier)).toThrow(TxRejected);
      }),
      { numRuns: 1000 },
    );
    // And exhaustively over positions for a few bit flips, so a weak spot cannot hide behind the sampling.
    for (let i = 0; i < tx.length; i++) {
      for (const x of [0x01, 0x08, 0x80]) {
        const mutated = Uint8Array.from(tx);
        mutated[i] = (mutated[i] as number) ^ x;
        expect(() => decodeTx(mutated, verifier), `byte ${i} ^ ${x}`).toThrow(TxRejected);
      }
    }
  });

  it("builders refuse bodies their schema refuses", () => {
    expect(() =>
      buildDepositCredential(key, { chainId: "c", nonce: 0 }, { zeta: "0x12", value: 1n, proof: "0x01" }),
    ).toThrow();
    expect(() =>
      buildDepositCredential(key, { chainId: "c", nonce: 0 }, { zeta: zetaOf("a"), value: 0n, proof: "0x01" }),
    ).toThrow();
  });
});

/** A v1 tx over `body` exactly as written (the builders only write canonical bodies), validly signed by `key`. */
function signRawBody(key: Uint8Array, body: string): Uint8Array {
  const bodyBytes = new TextEncoder().encode(body);
  const tx = new Uint8Array(98 + bodyBytes.length);
  tx[0] = 1;
  tx.set(publicKeyFromSecretKey(key), 1);
  tx.set(signMessage(signBytes(bodyBytes), key), 34);
  tx.set(bodyBytes, 98);
  return tx;
}

describe("tx bodies with duplicate JSON keys", () => {
  const verifier = new SignatureVerifier();
  const key = testKey("duplicates");
  const fields = (nonce: string) =>
    `"type":"transfer_notification","chainId":"c",${nonce},"ethTxHash":"${ethTxHashOf("dup")}","logIndex":0,` +
    `"address":"${addressFromSecretKey(key)}","amount":"1"`;
  const code = (tx: Uint8Array) => {
    try {
      decodeTx(tx, verifier);
      return "accepted";
    } catch (error) {
      return (error as TxRejected).code;
    }
  };

  it('refuses "nonce":99,"nonce":3 (JSON.parse would run nonce 3) with CHAIN_ERROR_DUPLICATE_KEY, signed or not', () => {
    expect(code(signRawBody(key, `{${fields('"nonce":3')}}`))).toBe("accepted");
    const tx = signRawBody(key, `{${fields('"nonce":99,"nonce":3')}}`);
    expect(code(tx)).toBe("CHAIN_ERROR_DUPLICATE_KEY");
    expect(() => decodeTx(tx, verifier)).toThrow(/"nonce" twice/);
  });

  it("compares keys after unescaping and sees duplicates at any depth, never inside strings", () => {
    expect(code(signRawBody(key, `{${fields('"nonce":99,"non\\u0063e":3')}}`))).toBe("CHAIN_ERROR_DUPLICATE_KEY");
    expect(code(signRawBody(key, `{${fields('"nonce" : 1 ,\n "nonce":3')}}`))).toBe("CHAIN_ERROR_DUPLICATE_KEY");
    expect(duplicateJsonKey('{"a":[{"b":1,"b":2}]}')).toBe("b");
    expect(duplicateJsonKey('{"a":{"b":1},"b":{"a":2}}')).toBeUndefined();
    expect(duplicateJsonKey('{"a":"\\"a\\":1,\\"a\\":2","b":["a","a"]}')).toBeUndefined();
    expect(duplicateJsonKey('{"a\\\\":1,"a\\\\":2}')).toBe("a\\");
    expect(duplicateJsonKey('{"":1,"":2}')).toBe("");
    expect(duplicateJsonKey("[1,2,3]")).toBeUndefined();
  });

  it("finds no duplicate in any serialized JSON value, and finds the one injected into an object (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(duplicateJsonKey(JSON.stringify(value))).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.nat(),
        fc.jsonValue(),
        (object, pick, extra) => {
          const keys = Object.keys(object);
          const again = keys[pick % keys.length] as string;
          const text = JSON.stringify(object);
          const injected = `${text.slice(0, -1)},${JSON.stringify(again)}:${JSON.stringify(extra) ?? "null"}}`;
          expect(duplicateJsonKey(injected)).toBe(again);
          expect(duplicateJsonKey(JSON.stringify({ nested: [JSON.parse(injected)] }))).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
