//! Signature checks for `@nym-ts/chain`: ECDSA/secp256k1 verification by libsecp256k1 0.6 (the C library vendored and
//! compiled by the `secp256k1` crate) and keccak256 (`tiny-keccak`), behind the small N-API surface that
//! `src/keys.ts` loads as its preferred backend.
//!
//! Every validator verifies every tx once in CheckTx, so `verifyTx` does the whole check in one call: keccak256 of
//! `domain || body` (absorbed in two pieces, never concatenated), the range checks on `r` and `s`, and the ECDSA
//! verification against a compressed public key that is parsed (decompressed) once per distinct key and cached.
//!
//! Conventions (all byte values are Node Buffers or Uint8Arrays):
//! - a public key is 33 bytes, SEC1 compressed; a signature is 64 bytes, `r || s` big-endian;
//! - a wrong length is the caller's bug and is thrown (an N-API error, `code: "InvalidArg"`); bad values of the right
//!   length (a key not on the curve, `r` or `s` out of range, a high `s`, a wrong signature) are data and give
//!   `false`. Nothing here panics on any input.
//!
//! No unsafe code: the `secp256k1` crate owns the FFI.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use secp256k1::ecdsa::Signature;
use secp256k1::{Message, PublicKey, Secp256k1, VerifyOnly};
use std::cell::RefCell;
use std::collections::HashMap;
use tiny_keccak::{Hasher, Keccak};

/// The group order n of secp256k1, big-endian.
const ORDER: [u8; 32] = [
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc,
  0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];
/// floor(n / 2), big-endian: the largest low `s`.
const HALF_ORDER: [u8; 32] = [
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e,
  0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// Parsed public keys kept at most; the cache is cleared when it reaches this size (the same policy as the
/// TypeScript side's address cache).
const MAX_CACHED_KEYS: usize = 50_000;

struct State {
  ctx: Secp256k1<VerifyOnly>,
  /// Compressed encoding to parsed key. Decompressing a key costs about 6 us against about 40 us for a
  /// verification, and the same watchers and verifiers sign most txs.
  keys: HashMap<[u8; 33], PublicKey>,
}

thread_local! {
  // One per JS thread that loads the addon (the main thread, or a worker): no locking.
  static STATE: RefCell<State> = RefCell::new(State {
    ctx: Secp256k1::verification_only(),
    keys: HashMap::new(),
  });
}

fn invalid(msg: String) -> Error {
  Error::new(Status::InvalidArg, msg)
}

fn exact<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N]> {
  bytes
    .try_into()
    .map_err(|_| invalid(format!("{what}: expected {N} bytes, got {}", bytes.len())))
}

/// keccak256 of the concatenation of `parts` (Ethereum's Keccak padding, not SHA3-256's).
fn keccak(parts: &[&[u8]]) -> [u8; 32] {
  let mut hasher = Keccak::v256();
  for part in parts {
    hasher.update(part);
  }
  let mut out = [0u8; 32];
  hasher.finalize(&mut out);
  out
}

/// A big-endian 32-byte scalar is in [1, `max`] (byte-wise comparison of equal-length big-endian values).
fn in_range(x: &[u8], max: &[u8; 32]) -> bool {
  x.iter().any(|&b| b != 0) && x <= &max[..]
}

/// True when `signature` (64 bytes, `r || s`) is a valid low-s ECDSA signature of keccak256(`domain || body`) under
/// the compressed `publicKey` (33 bytes). False for a key that is not a curve point, r or s outside [1, n - 1], s
/// above n / 2 (the malleable twin of a valid signature) and any signature that does not verify. Throws on a key or
/// signature of the wrong length.
#[napi]
pub fn verify_tx(public_key: &[u8], signature: &[u8], domain: &[u8], body: &[u8]) -> Result<bool> {
  let key = exact::<33>(public_key, "publicKey")?;
  let sig = exact::<64>(signature, "signature")?;
  let (r, s) = sig.split_at(32);
  // libsecp256k1 rejects all of these itself (parse: r, s >= n; verify: zero, high s); checked here too so the rule
  // does not rest on one library's documentation.
  let order_minus_one = {
    let mut m = ORDER;
    m[31] -= 1; // n ends in 0x41: no borrow
    m
  };
  if !in_range(r, &order_minus_one) || !in_range(s, &HALF_ORDER) {
    return Ok(false);
  }
  let Ok(sig) = Signature::from_compact(&sig) else {
    return Ok(false);
  };
  let digest = keccak(&[domain, body]);
  Ok(STATE.with_borrow_mut(|state| {
    let parsed = match state.keys.get(&key) {
      Some(pk) => *pk,
      None => {
        let Ok(pk) = PublicKey::from_byte_array_compressed(key) else {
          return false;
        };
        if state.keys.len() >= MAX_CACHED_KEYS {
          state.keys.clear();
        }
        state.keys.insert(key, pk);
        pk
      }
    };
    state
      .ctx
      .verify_ecdsa(Message::from_digest(digest), &sig, &parsed)
      .is_ok()
  }))
}

/// keccak256 of `data` (32 bytes). Copied into a buffer Node allocates: measured cheaper per call than handing over a
/// Rust-owned one.
#[napi]
pub fn keccak256<'e>(env: &'e Env, data: &[u8]) -> Result<BufferSlice<'e>> {
  BufferSlice::copy_from(env, keccak(&[data]))
}

/// The Ethereum address of a compressed public key: the last 20 bytes of keccak256 of its uncompressed encoding
/// without the 0x04 prefix. Null when the 33 bytes are not a point on the curve; throws on another length.
#[napi]
pub fn address_of<'e>(env: &'e Env, public_key: &[u8]) -> Result<Option<BufferSlice<'e>>> {
  let key = exact::<33>(public_key, "publicKey")?;
  let Ok(pk) = PublicKey::from_byte_array_compressed(key) else {
    return Ok(None);
  };
  let point = pk.serialize_uncompressed();
  BufferSlice::copy_from(env, &keccak(&[&point[1..]])[12..]).map(Some)
}

/// The number of parsed public keys cached by this thread (for tests of the bound).
#[napi]
pub fn cached_keys() -> u32 {
  STATE.with_borrow(|state| state.keys.len() as u32)
}
