//! BLS12-381 group arithmetic for `@nym-ts/coconut`: supranational's blst (C and assembly, built by the `blst`
//! crate) behind the small N-API surface that `src/backend/blst.ts` wraps into the package's `Backend` interface.
//!
//! Wire conventions (all values are Node Buffers):
//! - a point is the raw bytes of blst's projective struct: `blst_p1` (144 bytes) for G1, `blst_p2` (288 bytes) for
//!   G2. Only values this module returned are meant to come back; any other bytes of the right length are still
//!   memory-safe (every bit pattern is a valid struct of 64-bit limbs), they just compute garbage;
//! - a list of points is their concatenation; a list of scalars is the concatenation of 32-byte big-endian values,
//!   each < r (the TypeScript side checks the range, blst reduces nothing);
//! - a G2 fixed-base table is a Buffer of affine points built by `g2Precompute`.
//!
//! Nothing here panics on bad input: lengths are checked and reported as errors, which N-API turns into thrown JS
//! errors (the TypeScript wrapper rethrows them as RangeError naming the parameter). Unsafe code is limited to the
//! FFI calls into blst and to the byte views of blst's plain-old-data structs, each with its justification.

use blst::*;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::mem::size_of;
use std::ptr;

/// blst's `#[repr(C)]` structs made of 64-bit limbs only: no padding, and every bit pattern is a valid value.
///
/// # Safety
/// Implement only for such structs.
unsafe trait Pod: Copy {}
// SAFETY: each is a #[repr(C)] struct (or nest of structs) of `[u64; 6]` field elements.
unsafe impl Pod for blst_p1 {}
unsafe impl Pod for blst_p1_affine {}
unsafe impl Pod for blst_p2 {}
unsafe impl Pod for blst_p2_affine {}
unsafe impl Pod for blst_fp12 {}

fn invalid(msg: String) -> Error {
  Error::new(Status::InvalidArg, msg)
}

/// Copies a value out of bytes of exactly its size (the JS buffer need not be aligned).
fn read<T: Pod>(bytes: &[u8], what: &str) -> Result<T> {
  if bytes.len() != size_of::<T>() {
    return Err(invalid(format!(
      "{what}: expected {} bytes, got {}",
      size_of::<T>(),
      bytes.len()
    )));
  }
  // SAFETY: the length equals size_of::<T>(), T is Pod (any bit pattern is valid), and read_unaligned makes no
  // alignment assumption about the source.
  Ok(unsafe { ptr::read_unaligned(bytes.as_ptr().cast::<T>()) })
}

/// Splits a concatenation of `T`s into values.
fn read_all<T: Pod>(bytes: &[u8], what: &str) -> Result<Vec<T>> {
  if !bytes.len().is_multiple_of(size_of::<T>()) {
    return Err(invalid(format!(
      "{what}: length {} is not a multiple of {}",
      bytes.len(),
      size_of::<T>()
    )));
  }
  bytes.chunks_exact(size_of::<T>()).map(|c| read::<T>(c, what)).collect()
}

fn bytes_of<T: Pod>(v: &T) -> &[u8] {
  // SAFETY: T is Pod (no padding), so all size_of::<T>() bytes behind the reference are initialized.
  unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()) }
}

fn out<'e, T: Pod>(env: &'e Env, v: &T) -> Result<BufferSlice<'e>> {
  BufferSlice::copy_from(env, bytes_of(v))
}

/// Big-endian 32-byte scalars to blst's little-endian byte order, with the longest bit length among them.
fn scalars_le(be: &[u8], n: usize, what: &str) -> Result<(Vec<[u8; 32]>, usize)> {
  if be.len() != 32 * n {
    return Err(invalid(format!(
      "{what}: expected {} bytes for {n} scalars, got {}",
      32 * n,
      be.len()
    )));
  }
  let mut nbits = 0;
  let scalars = be
    .chunks_exact(32)
    .map(|c| {
      let mut le = [0u8; 32];
      for (dst, src) in le.iter_mut().zip(c.iter().rev()) {
        *dst = *src;
      }
      let top = le
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |i| 8 * i + 8 - le[i].leading_zeros() as usize);
      nbits = nbits.max(top);
      le
    })
    .collect();
  Ok((scalars, nbits))
}

fn scalar_le(be: &[u8], what: &str) -> Result<([u8; 32], usize)> {
  let (mut v, nbits) = scalars_le(be, 1, what)?;
  Ok((v.pop().unwrap_or([0; 32]), nbits))
}

/// Why a compressed point is refused: the message g1FromBytes / g2FromBytes throw, and the status byte of
/// `decompressMany` (the discriminant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
  BadEncoding = 1,
  NotOnCurve = 2,
  NotInGroup = 3,
  NonCanonical = 4,
}

impl Refusal {
  fn from_blst(e: BLST_ERROR) -> Self {
    match e {
      BLST_ERROR::BLST_POINT_NOT_ON_CURVE => Refusal::NotOnCurve,
      BLST_ERROR::BLST_POINT_NOT_IN_GROUP => Refusal::NotInGroup,
      _ => Refusal::BadEncoding,
    }
  }
  fn message(self) -> &'static str {
    match self {
      Refusal::BadEncoding => "invalid point encoding (flags or coordinate not canonical)",
      Refusal::NotOnCurve => "invalid point encoding (not on the curve)",
      Refusal::NotInGroup => "point not in the prime-order subgroup",
      Refusal::NonCanonical => "non-canonical point encoding",
    }
  }
}

/// The operations shared by G1 and G2, so each N-API export below is a one-line wrapper.
trait Group: Pod {
  type Affine: Pod;
  const NAME: &'static str;
  const COMPRESSED: usize;
  fn identity() -> Self;
  fn generator() -> Self;
  fn add(a: &Self, b: &Self) -> Self;
  fn neg(a: &Self) -> Self;
  /// [k]a for little-endian k of at most `nbits` bits; constant-time in k for a given nbits.
  fn mult(a: &Self, k: &[u8; 32], nbits: usize) -> Self;
  fn equal(a: &Self, b: &Self) -> bool;
  fn is_inf(a: &Self) -> bool;
  fn compress(a: &Self) -> Vec<u8>;
  /// Uncompresses and checks the encoding, the curve equation and subgroup membership; the caller checks canonicity.
  fn uncompress(bytes: &[u8]) -> std::result::Result<Self, Refusal>;
  fn to_affines(points: &[Self]) -> Vec<Self::Affine>;
  /// Pippenger MSM over affine points and little-endian scalars (variable time).
  fn msm(points: &[Self::Affine], scalars: &[[u8; 32]], nbits: usize) -> Self;
}

macro_rules! impl_group {
  ($p:ty, $aff:ty, $name:literal, $len:literal, $gen:ident, $add:ident, $cneg:ident, $mult:ident, $eq:ident,
   $inf:ident, $compress:ident, $uncompress:ident, $in_group:ident, $from_aff:ident, $to_affs:ident,
   $pip:ident, $pip_scratch:ident) => {
    impl Group for $p {
      type Affine = $aff;
      const NAME: &'static str = $name;
      const COMPRESSED: usize = $len;
      fn identity() -> Self {
        // blst encodes the point at infinity as Z = 0; the all-zero struct is that point.
        <$p>::default()
      }
      fn generator() -> Self {
        // SAFETY: blst returns a pointer to its static generator constant.
        unsafe { *$gen() }
      }
      fn add(a: &Self, b: &Self) -> Self {
        let mut r = <$p>::default();
        // SAFETY: valid pointers to initialized points; blst handles a = b and the identity.
        unsafe { $add(&mut r, a, b) };
        r
      }
      fn neg(a: &Self) -> Self {
        let mut r = *a;
        // SAFETY: in-place conditional negation of an initialized point.
        unsafe { $cneg(&mut r, true) };
        r
      }
      fn mult(a: &Self, k: &[u8; 32], nbits: usize) -> Self {
        let mut r = <$p>::default();
        // SAFETY: k holds 32 bytes >= ceil(nbits/8) bytes that blst reads (nbits <= 256 by construction).
        unsafe { $mult(&mut r, a, k.as_ptr(), nbits.min(256)) };
        r
      }
      fn equal(a: &Self, b: &Self) -> bool {
        // SAFETY: valid pointers to initialized points.
        unsafe { $eq(a, b) }
      }
      fn is_inf(a: &Self) -> bool {
        // SAFETY: valid pointer to an initialized point.
        unsafe { $inf(a) }
      }
      fn compress(a: &Self) -> Vec<u8> {
        let mut v = vec![0u8; $len];
        // SAFETY: blst writes exactly $len bytes into a buffer of that size.
        unsafe { $compress(v.as_mut_ptr(), a) };
        v
      }
      fn uncompress(bytes: &[u8]) -> std::result::Result<Self, Refusal> {
        if bytes.len() != $len {
          return Err(Refusal::BadEncoding);
        }
        let mut aff = <$aff>::default();
        // SAFETY: blst reads exactly $len bytes, checked above.
        let e = unsafe { $uncompress(&mut aff, bytes.as_ptr()) };
        if e != BLST_ERROR::BLST_SUCCESS {
          return Err(Refusal::from_blst(e));
        }
        // SAFETY: valid pointer to an initialized affine point (the identity is in the subgroup).
        if !unsafe { $in_group(&aff) } {
          return Err(Refusal::NotInGroup);
        }
        let mut p = <$p>::default();
        // SAFETY: valid pointers; the all-zero affine (identity) maps to the projective identity.
        unsafe { $from_aff(&mut p, &aff) };
        Ok(p)
      }
      fn to_affines(points: &[Self]) -> Vec<$aff> {
        let mut out = vec![<$aff>::default(); points.len()];
        if points.is_empty() {
          return out;
        }
        // blst reads a contiguous array when the pointer list is {first, NULL}.
        let list: [*const $p; 2] = [points.as_ptr(), ptr::null()];
        // SAFETY: `out` has room for points.len() affine points; one batched inversion, identity maps to zeros.
        unsafe { $to_affs(out.as_mut_ptr(), list.as_ptr(), points.len()) };
        out
      }
      fn msm(points: &[$aff], scalars: &[[u8; 32]], nbits: usize) -> Self {
        let mut r = <$p>::default();
        let n = points.len().min(scalars.len());
        if n == 0 || nbits == 0 {
          return r;
        }
        let ps: Vec<*const $aff> = points[..n].iter().map(|p| p as *const $aff).collect();
        // One pointer per scalar: each points at 32 bytes, of which blst reads ceil(nbits/8).
        let ss: Vec<*const u8> = scalars[..n].iter().map(|s| s.as_ptr()).collect();
        // SAFETY: scratch is sized by blst's own sizeof function (in bytes; u64 units rounded up).
        let mut scratch = vec![0u64; unsafe { $pip_scratch(n) }.div_ceil(8)];
        // SAFETY: n valid point and scalar pointers, nbits <= 256 <= 8 * 32, scratch as sized above.
        unsafe {
          $pip(
            &mut r,
            ps.as_ptr(),
            n,
            ss.as_ptr(),
            nbits.min(256),
            scratch.as_mut_ptr().cast(),
          )
        };
        r
      }
    }
  };
}

impl_group!(
  blst_p1,
  blst_p1_affine,
  "G1",
  48,
  blst_p1_generator,
  blst_p1_add_or_double,
  blst_p1_cneg,
  blst_p1_mult,
  blst_p1_is_equal,
  blst_p1_is_inf,
  blst_p1_compress,
  blst_p1_uncompress,
  blst_p1_affine_in_g1,
  blst_p1_from_affine,
  blst_p1s_to_affine,
  blst_p1s_mult_pippenger,
  blst_p1s_mult_pippenger_scratch_sizeof
);
impl_group!(
  blst_p2,
  blst_p2_affine,
  "G2",
  96,
  blst_p2_generator,
  blst_p2_add_or_double,
  blst_p2_cneg,
  blst_p2_mult,
  blst_p2_is_equal,
  blst_p2_is_inf,
  blst_p2_compress,
  blst_p2_uncompress,
  blst_p2_affine_in_g2,
  blst_p2_from_affine,
  blst_p2s_to_affine,
  blst_p2s_mult_pippenger,
  blst_p2s_mult_pippenger_scratch_sizeof
);

fn point<G: Group>(bytes: &[u8]) -> Result<G> {
  read::<G>(bytes, G::NAME)
}

fn mul<G: Group>(a: &[u8], k: &[u8], constant_time: bool) -> Result<G> {
  let a = point::<G>(a)?;
  let (k, nbits) = scalar_le(k, "scalar")?;
  // Secret scalars always take the full-length (GLV/GLS, constant-time) path, whatever their actual length.
  Ok(G::mult(&a, &k, if constant_time { 255 } else { nbits }))
}

fn msm<G: Group>(points: &[u8], scalars: &[u8]) -> Result<G> {
  let points = read_all::<G>(points, G::NAME)?;
  let (scalars, nbits) = scalars_le(scalars, points.len(), "scalars")?;
  Ok(G::msm(&G::to_affines(&points), &scalars, nbits))
}

/// Uncompresses and checks one point: flags, x < p, on the curve (blst), in the prime-order subgroup
/// (`blst_p*_affine_in_g*`), and the one canonical encoding.
fn checked<G: Group>(bytes: &[u8]) -> std::result::Result<G, Refusal> {
  let p = G::uncompress(bytes)?;
  // blst also accepts e.g. a set "sort" flag on the identity in some versions: insist on the one canonical encoding.
  if G::compress(&p) != bytes {
    return Err(Refusal::NonCanonical);
  }
  Ok(p)
}

fn decompress<G: Group>(bytes: &[u8]) -> Result<G> {
  if bytes.len() != G::COMPRESSED {
    return Err(invalid(format!(
      "expected {} bytes, got {}",
      G::COMPRESSED,
      bytes.len()
    )));
  }
  checked::<G>(bytes).map_err(|e| invalid(e.message().to_owned()))
}

/// Decodes each `G::COMPRESSED`-byte encoding of `bytes` into `points` (the identity where refused) and its status
/// byte (0 or a `Refusal`) into `status`.
fn decompress_into<G: Group>(bytes: &[u8], points: &mut Vec<u8>, status: &mut Vec<u8>) {
  for c in bytes.chunks_exact(G::COMPRESSED) {
    match checked::<G>(c) {
      Ok(p) => {
        points.extend_from_slice(bytes_of(&p));
        status.push(0);
      }
      Err(e) => {
        points.extend_from_slice(bytes_of(&G::identity()));
        status.push(e as u8);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// G1

#[napi]
pub fn g1_identity(env: &Env) -> Result<BufferSlice<'_>> {
  out(env, &blst_p1::identity())
}
#[napi]
pub fn g1_generator(env: &Env) -> Result<BufferSlice<'_>> {
  out(env, &blst_p1::generator())
}
#[napi]
pub fn g1_add<'e>(env: &'e Env, a: BufferSlice, b: BufferSlice) -> Result<BufferSlice<'e>> {
  out(env, &blst_p1::add(&point(&a)?, &point(&b)?))
}
#[napi]
pub fn g1_neg<'e>(env: &'e Env, a: BufferSlice) -> Result<BufferSlice<'e>> {
  out(env, &blst_p1::neg(&point(&a)?))
}
/// [k]a; `constantTime` forces the full-length constant-time path (for secret k).
#[napi]
pub fn g1_mul<'e>(env: &'e Env, a: BufferSlice, k: BufferSlice, constant_time: bool) -> Result<BufferSlice<'e>> {
  out(env, &mul::<blst_p1>(&a, &k, constant_time)?)
}
#[napi]
pub fn g1_msm<'e>(env: &'e Env, points: BufferSlice, scalars: BufferSlice) -> Result<BufferSlice<'e>> {
  out(env, &msm::<blst_p1>(&points, &scalars)?)
}
#[napi]
pub fn g1_eq(a: BufferSlice, b: BufferSlice) -> Result<bool> {
  Ok(blst_p1::equal(&point(&a)?, &point(&b)?))
}
#[napi]
pub fn g1_is_identity(a: BufferSlice) -> Result<bool> {
  Ok(blst_p1::is_inf(&point(&a)?))
}
#[napi]
pub fn g1_to_bytes<'e>(env: &'e Env, a: BufferSlice) -> Result<BufferSlice<'e>> {
  BufferSlice::copy_from(env, blst_p1::compress(&point(&a)?))
}
#[napi]
pub fn g1_from_bytes<'e>(env: &'e Env, bytes: BufferSlice) -> Result<BufferSlice<'e>> {
  out(env, &decompress::<blst_p1>(&bytes)?)
}
/// RFC 9380 hash_to_curve, suite BLS12381G1_XMD:SHA-256_SSWU_RO_, with the caller's domain separation tag.
#[napi]
pub fn hash_to_g1<'e>(env: &'e Env, msg: BufferSlice, dst: BufferSlice) -> Result<BufferSlice<'e>> {
  let mut p = blst_p1::default();
  // SAFETY: pointer/length pairs of live slices (an empty slice's dangling pointer is never read), no augmentation.
  unsafe { blst_hash_to_g1(&mut p, msg.as_ptr(), msg.len(), dst.as_ptr(), dst.len(), ptr::null(), 0) };
  out(env, &p)
}

// ---------------------------------------------------------------------------------------------------------------
// G2

#[napi]
pub fn g2_identity(env: &Env) -> Result<BufferSlice<'_>> {
  out(env, &blst_p2::identity())
}
#[napi]
pub fn g2_generator(env: &Env) -> Result<BufferSlice<'_>> {
  out(env, &blst_p2::generator())
}
#[napi]
pub fn g2_add<'e>(env: &'e Env, a: BufferSlice, b: BufferSlice) -> Result<BufferSlice<'e>> {
  out(env, &blst_p2::add(&point(&a)?, &point(&b)?))
}
#[napi]
pub fn g2_neg<'e>(env: &'e Env, a: BufferSlice) -> Result<BufferSlice<'e>> {
  out(env, &blst_p2::neg(&point(&a)?))
}
#[napi]
pub fn g2_mul<'e>(env: &'e Env, a: BufferSlice, k: BufferSlice, constant_time: bool) -> Result<BufferSlice<'e>> {
  out(env, &mul::<blst_p2>(&a, &k, constant_time)?)
}
#[napi]
pub fn g2_msm<'e>(env: &'e Env, points: BufferSlice, scalars: BufferSlice) -> Result<BufferSlice<'e>> {
  let points = read_all::<blst_p2>(&points, "G2")?;
  let (scalars, nbits) = scalars_le(&scalars, points.len(), "scalars")?;
  if nbits <= 64 {
    // one digit each: the endomorphism has nothing to split
    return out(env, &blst_p2::msm(&blst_p2::to_affines(&points), &scalars, nbits));
  }
  out(env, &g2_msm_gls(&points, &scalars)?)
}
#[napi]
pub fn g2_eq(a: BufferSlice, b: BufferSlice) -> Result<bool> {
  Ok(blst_p2::equal(&point(&a)?, &point(&b)?))
}
#[napi]
pub fn g2_is_identity(a: BufferSlice) -> Result<bool> {
  Ok(blst_p2::is_inf(&point(&a)?))
}
#[napi]
pub fn g2_to_bytes<'e>(env: &'e Env, a: BufferSlice) -> Result<BufferSlice<'e>> {
  BufferSlice::copy_from(env, blst_p2::compress(&point(&a)?))
}
#[napi]
pub fn g2_from_bytes<'e>(env: &'e Env, bytes: BufferSlice) -> Result<BufferSlice<'e>> {
  out(env, &decompress::<blst_p2>(&bytes)?)
}

// ---------------------------------------------------------------------------------------------------------------
// Batches: one N-API call for many points

/// Decodes many compressed points in one call (one allocation, one crossing): `g1s` is a concatenation of 48-byte
/// encodings, `g2s` of 96-byte ones, each checked exactly as g1FromBytes / g2FromBytes check one (flags, x < p, on
/// the curve, in the prime-order subgroup, canonical). The answer is the points (144 bytes per G1 point, then 288
/// per G2 point, in order; the identity where one was refused) followed by one status byte per point in the same
/// order: 0 decoded, 1 bad encoding, 2 not on the curve, 3 not in the subgroup, 4 non-canonical.
#[napi]
pub fn decompress_many<'e>(env: &'e Env, g1s: BufferSlice, g2s: BufferSlice) -> Result<BufferSlice<'e>> {
  if !g1s.len().is_multiple_of(48) || !g2s.len().is_multiple_of(96) {
    return Err(invalid(format!(
      "decompressMany: lengths {} and {} are not multiples of 48 and 96",
      g1s.len(),
      g2s.len()
    )));
  }
  let (n1, n2) = (g1s.len() / 48, g2s.len() / 96);
  let mut points = Vec::with_capacity(n1 * size_of::<blst_p1>() + n2 * size_of::<blst_p2>() + n1 + n2);
  let mut status = Vec::with_capacity(n1 + n2);
  decompress_into::<blst_p1>(&g1s, &mut points, &mut status);
  decompress_into::<blst_p2>(&g2s, &mut points, &mut status);
  points.extend_from_slice(&status);
  BufferSlice::copy_from(env, points)
}

/// [k_i]P_i for each i (public scalars: variable time, each at its own bit length), concatenated.
#[napi]
pub fn g1_mul_many<'e>(env: &'e Env, points: BufferSlice, scalars: BufferSlice) -> Result<BufferSlice<'e>> {
  let points = read_all::<blst_p1>(&points, "G1")?;
  let (scalars, _) = scalars_le(&scalars, points.len(), "scalars")?;
  let mut all = Vec::with_capacity(points.len() * size_of::<blst_p1>());
  for (p, k) in points.iter().zip(scalars.iter()) {
    all.extend_from_slice(bytes_of(&blst_p1::mult(p, k, bit_length(k))));
  }
  BufferSlice::copy_from(env, all)
}

// ---------------------------------------------------------------------------------------------------------------
// G2 MSM with the GLS endomorphism ψ (untwist-Frobenius-twist).
//
// On G2, ψ acts as multiplication by the BLS parameter z = −0xd201000000010000: ψ(P) = [z]P. That is exactly the
// equation blst's subgroup check verifies on every decoded point (Scott, "A note on group membership tests for G1,
// G2 and GT on BLS pairing-friendly curves", ePrint 2021/1130), and every other G2 point here is a combination of
// such points and the generator. With u = |z| < 2^64 and r < u^4, a scalar k < r has four base-u digits,
// k = d0 + d1·u + d2·u² + d3·u³, so [k]P = [d0]P + [d1](−ψ(P)) + [d2]ψ²(P) + [d3](−ψ³(P)): one pippenger over up to
// four times the points with 64-bit scalars instead of 255-bit ones (blst's single-point GLS multiplication uses
// the same digits). On an affine point ψ(x, y) = (conj(x)·cx, conj(y)·cy) for two constants of Fp2, derived once
// from the generator (cx = x([z]g2) / conj(x(g2)), likewise cy) and checked on another point before any use.

/// u = |z|, the radix of the digits.
const U: u64 = 0xd201_0000_0001_0000;

struct Psi {
  cx: blst_fp2,
  cy: blst_fp2,
}

fn conj(a: &blst_fp2) -> blst_fp2 {
  let mut r = *a;
  let im = r.fp[1];
  // SAFETY: valid pointers to initialized field elements.
  unsafe { blst_fp_cneg(&mut r.fp[1], &im, true) };
  r
}

fn fp2_mul(a: &blst_fp2, b: &blst_fp2) -> blst_fp2 {
  let mut r = blst_fp2::default();
  // SAFETY: valid pointers to initialized field elements.
  unsafe { blst_fp2_mul(&mut r, a, b) };
  r
}

impl Psi {
  fn apply(&self, p: &blst_p2_affine) -> blst_p2_affine {
    blst_p2_affine {
      x: fp2_mul(&conj(&p.x), &self.cx),
      y: fp2_mul(&conj(&p.y), &self.cy),
    }
  }

  fn derive() -> Option<Psi> {
    let z_times = |p: &blst_p2| {
      let mut u = [0u8; 32];
      u[..8].copy_from_slice(&U.to_le_bytes());
      blst_p2::neg(&blst_p2::mult(p, &u, 64))
    };
    let g = blst_p2::generator();
    let zg = z_times(&g);
    let [ga, zga] = <[blst_p2_affine; 2]>::try_from(blst_p2::to_affines(&[g, zg])).ok()?;
    let inv = |a: &blst_fp2| {
      let mut r = blst_fp2::default();
      // SAFETY: valid pointers; conj(x(g2)) and conj(y(g2)) are nonzero.
      unsafe { blst_fp2_inverse(&mut r, a) };
      r
    };
    let psi = Psi {
      cx: fp2_mul(&zga.x, &inv(&conj(&ga.x))),
      cy: fp2_mul(&zga.y, &inv(&conj(&ga.y))),
    };
    // Check ψ(P) = [z]P on P = [5]g2 (not used in the derivation), and that ψ maps it to a point of the curve.
    let mut five = [0u8; 32];
    five[0] = 5;
    let p = blst_p2::mult(&g, &five, 3);
    let [pa, zpa] = <[blst_p2_affine; 2]>::try_from(blst_p2::to_affines(&[p, z_times(&p)])).ok()?;
    let q = psi.apply(&pa);
    // SAFETY: valid pointers to initialized affine points.
    let ok = unsafe { blst_p2_affine_is_equal(&q, &zpa) && blst_p2_affine_on_curve(&q) };
    ok.then_some(psi)
  }

  fn get() -> Result<&'static Psi> {
    static PSI: std::sync::OnceLock<Option<Psi>> = std::sync::OnceLock::new();
    PSI.get_or_init(Psi::derive).as_ref().ok_or_else(|| {
      Error::new(
        Status::GenericFailure,
        "g2Msm: the endomorphism failed its self-check".to_owned(),
      )
    })
  }
}

/// Bit length of a little-endian scalar.
fn bit_length(k: &[u8; 32]) -> usize {
  k.iter()
    .rposition(|&b| b != 0)
    .map_or(0, |i| 8 * i + 8 - k[i].leading_zeros() as usize)
}

/// The four base-u digits of a little-endian scalar below u^4 (every k < r is).
fn base_u_digits(k: &[u8; 32]) -> [u64; 4] {
  let mut limbs = [0u64; 4];
  for (limb, chunk) in limbs.iter_mut().zip(k.chunks_exact(8)) {
    let mut b = [0u8; 8];
    b.copy_from_slice(chunk);
    *limb = u64::from_le_bytes(b);
  }
  let mut digits = [0u64; 4];
  for d in digits.iter_mut() {
    let mut rem: u128 = 0;
    for limb in limbs.iter_mut().rev() {
      let cur = (rem << 64) | u128::from(*limb);
      // the quotient fits: rem < U, so cur < U·2^64
      *limb = (cur / u128::from(U)) as u64;
      rem = cur % u128::from(U);
    }
    *d = rem as u64;
  }
  digits
}

fn g2_msm_gls(points: &[blst_p2], scalars: &[[u8; 32]]) -> Result<blst_p2> {
  let psi = Psi::get()?;
  let affine = blst_p2::to_affines(points);
  let mut terms: Vec<blst_p2_affine> = Vec::with_capacity(4 * affine.len());
  let mut digits: Vec<[u8; 32]> = Vec::with_capacity(4 * affine.len());
  for (p, k) in affine.iter().zip(scalars.iter()) {
    // SAFETY: valid pointer to an initialized affine point.
    if unsafe { blst_p2_affine_is_inf(p) } {
      continue;
    }
    let d = base_u_digits(k);
    let top = d.iter().rposition(|&x| x != 0);
    let mut q = *p;
    for (j, &dj) in d.iter().enumerate().take(top.map_or(0, |t| t + 1)) {
      if j > 0 {
        q = psi.apply(&q);
      }
      if dj == 0 {
        continue;
      }
      let mut t = q;
      if j % 2 == 1 {
        // u = −z: the odd powers of u are minus the odd powers of ψ
        let y = t.y;
        // SAFETY: valid pointers to initialized field elements.
        unsafe { blst_fp2_cneg(&mut t.y, &y, true) };
      }
      let mut s = [0u8; 32];
      s[..8].copy_from_slice(&dj.to_le_bytes());
      terms.push(t);
      digits.push(s);
    }
  }
  let nbits = digits.iter().map(bit_length).max().unwrap_or(0);
  Ok(blst_p2::msm(&terms, &digits, nbits))
}

// ---------------------------------------------------------------------------------------------------------------
// G2 fixed-base tables: signed 8-bit windows. Row i holds [d·2^(8i)]B for d = 1..128 (affine), so [k]B is one mixed
// addition per nonzero signed base-256 digit of k and no doubling. 33 rows cover 255-bit scalars plus the carry.
// Variable time (like the mcl backend's tables): used for public scalars and for the holder's own secrets.
// Window widths 5, 6, 7 and 10 measured no faster in VerifyCred (smaller tables stay in cache but need more
// additions; 10 bits quadruples the build time); 8 bits builds a table in about 20 ms.

const WINDOW_BITS: usize = 8;
const HALF: usize = 1 << (WINDOW_BITS - 1);
/// Rows for 255-bit scalars plus the final carry of the signed recoding.
const ROWS: usize = 255 / WINDOW_BITS + 2;
const TABLE_POINTS: usize = ROWS * HALF;

/// Bits [bit, bit + WINDOW_BITS) of the little-endian scalar k (zero past its 256 bits).
fn window(k: &[u8; 32], bit: usize) -> i32 {
  (0..WINDOW_BITS)
    .filter(|i| k.get((bit + i) / 8).is_some_and(|b| (b >> ((bit + i) % 8)) & 1 == 1))
    .fold(0, |v, i| v | (1 << i))
}

#[napi]
pub fn g2_precompute<'e>(env: &'e Env, base: BufferSlice) -> Result<BufferSlice<'e>> {
  let mut row_base = point::<blst_p2>(&base)?;
  let mut all = Vec::with_capacity(TABLE_POINTS);
  for _ in 0..ROWS {
    let mut acc = row_base;
    all.push(acc);
    for _ in 1..HALF {
      acc = blst_p2::add(&acc, &row_base);
      all.push(acc);
    }
    // next row's base: 2^8·B_i = 2·(128·B_i)
    row_base = blst_p2::add(&acc, &acc);
  }
  let affine = blst_p2::to_affines(&all);
  // SAFETY: blst_p2_affine is Pod; the slice covers exactly the vector's initialized elements.
  let bytes =
    unsafe { std::slice::from_raw_parts(affine.as_ptr().cast::<u8>(), affine.len() * size_of::<blst_p2_affine>()) };
  BufferSlice::copy_from(env, bytes)
}

/// Σ ±[k_i]B_i over tables from g2Precompute; `negate[i]` != 0 flips the sign of term i (the caller passes
/// min(k, r − k) so that short negative scalars stay short).
#[napi]
pub fn g2_fixed_msm<'e>(
  env: &'e Env,
  tables: Vec<BufferSlice>,
  scalars: BufferSlice,
  negate: BufferSlice,
) -> Result<BufferSlice<'e>> {
  let (scalars, _) = scalars_le(&scalars, tables.len(), "scalars")?;
  if negate.len() != tables.len() {
    return Err(invalid(format!(
      "negate: expected {} flags, got {}",
      tables.len(),
      negate.len()
    )));
  }
  let entry_size = size_of::<blst_p2_affine>();
  let mut acc = blst_p2::identity();
  for ((table, k), &neg) in tables.iter().zip(scalars.iter()).zip(negate.iter()) {
    if table.len() != TABLE_POINTS * entry_size {
      return Err(invalid(format!(
        "tables: expected {} bytes per table, got {}",
        TABLE_POINTS * entry_size,
        table.len()
      )));
    }
    let mut carry = 0i32;
    for row in 0..ROWS {
      let mut d = window(k, row * WINDOW_BITS) + carry;
      carry = 0;
      if d > HALF as i32 {
        d -= 1 << WINDOW_BITS;
        carry = 1;
      }
      if d == 0 {
        continue;
      }
      let at = (row * HALF + d.unsigned_abs() as usize - 1) * entry_size;
      let raw = table
        .get(at..at + entry_size)
        .ok_or_else(|| invalid("tables: entry out of range".to_owned()))?;
      let mut entry = read::<blst_p2_affine>(raw, "table entry")?;
      if (d < 0) != (neg != 0) {
        let y = entry.y;
        // SAFETY: valid pointers to initialized field elements.
        unsafe { blst_fp2_cneg(&mut entry.y, &y, true) };
      }
      let a = &mut acc as *mut blst_p2;
      // SAFETY: blst allows the output to alias the first input; both are valid, initialized points.
      unsafe { blst_p2_add_or_double_affine(a, a, &entry) };
    }
  }
  out(env, &acc)
}

// ---------------------------------------------------------------------------------------------------------------
// Pairings

/// True iff Π e(P_i, Q_i) = 1, as one multi-Miller loop and one final exponentiation. `onGenerator[i]` != 0 marks a
/// pair whose Q is the generator g2: those P are summed into one pair (e(P1, g2)·e(P2, g2) = e(P1 + P2, g2)). Pairs
/// with an identity point contribute 1 and are skipped. (blst's precomputed g2 lines were measured slower here: a
/// separate lines-based Miller loop repeats the Fp12 squarings that the multi-Miller loop shares between pairs.)
#[napi]
pub fn pairing_check(g1s: BufferSlice, g2s: BufferSlice, on_generator: BufferSlice) -> Result<bool> {
  let ps = read_all::<blst_p1>(&g1s, "G1")?;
  let qs = read_all::<blst_p2>(&g2s, "G2")?;
  if ps.len() != qs.len() || on_generator.len() != ps.len() {
    return Err(invalid(
      "pairingCheck: as many G1 points, G2 points and flags expected".to_owned(),
    ));
  }
  let mut gen_sum = blst_p1::identity();
  let mut rest_p = Vec::with_capacity(ps.len() + 1);
  let mut rest_q = Vec::with_capacity(ps.len() + 1);
  for ((p, q), &g) in ps.iter().zip(qs.iter()).zip(on_generator.iter()) {
    if g != 0 {
      gen_sum = blst_p1::add(&gen_sum, p);
    } else if !blst_p1::is_inf(p) && !blst_p2::is_inf(q) {
      rest_p.push(*p);
      rest_q.push(*q);
    }
  }
  if !blst_p1::is_inf(&gen_sum) {
    rest_p.push(gen_sum);
    rest_q.push(blst_p2::generator());
  }
  if rest_p.is_empty() {
    return Ok(true);
  }
  let pa = blst_p1::to_affines(&rest_p);
  let qa = blst_p2::to_affines(&rest_q);
  let pp: Vec<*const blst_p1_affine> = pa.iter().map(|p| p as *const _).collect();
  let qp: Vec<*const blst_p2_affine> = qa.iter().map(|q| q as *const _).collect();
  // SAFETY: blst_fp12_one points at a static constant; used only as an initial value that blst overwrites.
  let mut f = unsafe { *blst_fp12_one() };
  // SAFETY: pp and qp hold pa.len() == qa.len() valid pointers to finite affine points.
  unsafe { blst_miller_loop_n(&mut f, qp.as_ptr(), pp.as_ptr(), pa.len()) };
  let mut r = f;
  // SAFETY: valid pointers to initialized Fp12 values.
  unsafe { blst_final_exp(&mut r, &f) };
  // SAFETY: valid pointer to an initialized Fp12 value.
  Ok(unsafe { blst_fp12_is_one(&r) })
}

/// One full pairing e(P, Q) (Miller loop and final exponentiation), returned as blst's 576-byte Fp12: the benchmark's
/// unit of cost.
#[napi]
pub fn pairing<'e>(env: &'e Env, p: BufferSlice, q: BufferSlice) -> Result<BufferSlice<'e>> {
  let pa = blst_p1::to_affines(&[point::<blst_p1>(&p)?]);
  let qa = blst_p2::to_affines(&[point::<blst_p2>(&q)?]);
  let (Some(pa), Some(qa)) = (pa.first(), qa.first()) else {
    return Err(invalid("pairing: missing point".to_owned()));
  };
  // SAFETY: as in pairing_check.
  let mut m = unsafe { *blst_fp12_one() };
  // SAFETY: valid affine points (the identity gives a meaningless value, which the benchmark never asks for).
  unsafe { blst_miller_loop(&mut m, qa, pa) };
  let mut r = m;
  // SAFETY: valid pointers to initialized Fp12 values.
  unsafe { blst_final_exp(&mut r, &m) };
  out(env, &r)
}
