//! The per-hop key derivation of `@nym-ts/sphinx` (nym's `sphinx-packet` versions 258, 259 and 260) behind one
//! N-API call: HKDF-SHA256 on RustCrypto's `hkdf` and `sha2` (whose compression uses the CPU's SHA extensions when it
//! has them, detected at run time, and portable Rust otherwise). `src/native.ts` loads it as the preferred path and
//! falls back to node:crypto's `hkdfSync` plus our JavaScript SHA-256 when it is missing.
//!
//! Why one call: node:crypto's `hkdfSync` costs ~4.5 us of fixed setup per call before any hashing (~8 us for the
//! 288 bytes every hop needs), and JavaScript reaches no faster SHA-256; here both HKDFs of a 259/260 hop, 39 + 21
//! compressions, cost ~3 us including the call (`pnpm bench`, "key derivation"; README "Performance").
//!
//! Conventions: inputs and outputs are Uint8Arrays (Node Buffers included); the caller passes the output array, which
//! measured ~0.8 us cheaper per call than returning a new Buffer. A wrong length is the caller's bug and is thrown
//! (an N-API error, `code: "InvalidArg"`); nothing here panics on any input.

use hkdf::HkdfExtract;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use sha2::Sha256;
use std::sync::LazyLock;

/// nym's key schedule: HKDF-SHA256(salt = empty, ikm = the X25519 shared secret, info = this string) to 288 bytes.
const HKDF_INFO: &[u8] =
  b"Dwste mou enan moxlo arketa makru kai ena upomoxlio gia na ton topothetisw kai tha kinisw thn gh.";
/// stream key 16, MAC key 16, payload key 192 (258) whose first 16 bytes are the seed (259, 260), blinding factor 32,
/// replay tag 32.
const EXPANDED_LENGTH: usize = 288;
const SEED_OFFSET: usize = 32;
const SEED_LENGTH: usize = 16;
/// Versions 259 and 260: the Lioness key is HKDF-SHA256(salt, ikm = the seed, info) to 192 bytes.
const PAYLOAD_KEY_LENGTH: usize = 192;
const PAYLOAD_KEY_SALT: &[u8] = b"sphinx-payload-key-V01-CS01-HKDF:SHA256-SALT";
const PAYLOAD_KEY_INFO: &[u8] = b"sphinx-payload-key-V01-CS01-HKDF:SHA256-INFO";

// HKDF-Extract is HMAC(salt, ikm): with the salt fixed, its padded-key states are computed once and cloned per call
// (two compressions saved per HKDF).
static SCHEDULE_EXTRACT: LazyLock<HkdfExtract<Sha256>> = LazyLock::new(|| HkdfExtract::new(None));
static PAYLOAD_KEY_EXTRACT: LazyLock<HkdfExtract<Sha256>> = LazyLock::new(|| HkdfExtract::new(Some(PAYLOAD_KEY_SALT)));

fn invalid(msg: String) -> Error {
  Error::new(Status::InvalidArg, msg)
}

fn hkdf(extract: &HkdfExtract<Sha256>, ikm: &[u8], info: &[u8], out: &mut [u8]) {
  let mut extract = extract.clone();
  extract.input_ikm(ikm);
  let (_, expander) = extract.finalize();
  // 288 and 192 bytes are far below HKDF-SHA256's limit of 255 * 32
  expander.expand(info, out).expect("HKDF output length below 8160 bytes");
}

fn payload_key(seed: &[u8], out: &mut [u8]) {
  hkdf(&PAYLOAD_KEY_EXTRACT, seed, PAYLOAD_KEY_INFO, out);
}

/// The output array as a mutable slice.
fn writable<'a>(out: &'a mut Uint8ArraySlice<'_>) -> &'a mut [u8] {
  // SAFETY: the call is synchronous on the JavaScript thread that owns the array, so nothing else reads or writes it
  // while this slice lives (it does not outlive the call), and its length is the array's own.
  unsafe { out.as_mut() }
}

/// A hop's key material from its 32-byte X25519 shared secret, written into `out`: bytes 0-287 are nym's 288-byte
/// expanded secret, and with `withPayloadKey` (versions 259, 260) bytes 288-479 the Lioness key derived from its
/// seed (the expanded secret's bytes 32-47). `out` must hold 288 bytes, or 480 with `withPayloadKey`; longer arrays
/// are written at the start only.
#[napi]
pub fn derive_hop_keys(shared_secret: &[u8], with_payload_key: bool, mut out: Uint8ArraySlice) -> Result<()> {
  if shared_secret.len() != 32 {
    return Err(invalid(format!(
      "sharedSecret: expected 32 bytes, got {}",
      shared_secret.len()
    )));
  }
  let need = if with_payload_key {
    EXPANDED_LENGTH + PAYLOAD_KEY_LENGTH
  } else {
    EXPANDED_LENGTH
  };
  let out = writable(&mut out);
  if out.len() < need {
    return Err(invalid(format!(
      "out: expected at least {need} bytes, got {}",
      out.len()
    )));
  }
  let (expanded, rest) = out.split_at_mut(EXPANDED_LENGTH);
  hkdf(&SCHEDULE_EXTRACT, shared_secret, HKDF_INFO, expanded);
  if with_payload_key {
    payload_key(
      &expanded[SEED_OFFSET..SEED_OFFSET + SEED_LENGTH],
      &mut rest[..PAYLOAD_KEY_LENGTH],
    );
  }
  Ok(())
}

/// Versions 259 and 260: the 192-byte Lioness key of a 16-byte seed, written into `out` (at least 192 bytes; SURB
/// key material and recovery bytes carry seeds).
#[napi]
pub fn derive_payload_key(seed: &[u8], mut out: Uint8ArraySlice) -> Result<()> {
  if seed.len() != SEED_LENGTH {
    return Err(invalid(format!(
      "seed: expected {SEED_LENGTH} bytes, got {}",
      seed.len()
    )));
  }
  let out = writable(&mut out);
  if out.len() < PAYLOAD_KEY_LENGTH {
    return Err(invalid(format!(
      "out: expected at least {PAYLOAD_KEY_LENGTH} bytes, got {}",
      out.len()
    )));
  }
  payload_key(seed, &mut out[..PAYLOAD_KEY_LENGTH]);
  Ok(())
}

/// Whether this CPU runs SHA-256 on its SHA extensions (x86 SHA-NI; the bench prints it). `sha2` makes the same
/// check at run time.
#[napi]
pub fn sha_extensions() -> bool {
  #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
  {
    std::arch::is_x86_feature_detected!("sha") && std::arch::is_x86_feature_detected!("sse4.1")
  }
  #[cfg(target_arch = "aarch64")]
  {
    std::arch::is_aarch64_feature_detected!("sha2")
  }
  #[cfg(not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")))]
  {
    false
  }
}
