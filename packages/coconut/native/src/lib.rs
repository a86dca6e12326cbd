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

fn blst_error(e: BLST_ERROR) -> &'static str {
  match e {
    BLST_ERROR::BLST_BAD_ENCODING => "invalid point encoding (flags or coordinate not canonical)",
    BLST_ERROR::BLST_POINT_NOT_ON_CURVE => "invalid point encoding (not on the curve)",
    BLST_ERROR::BLST_POINT_NOT_IN_GROUP => "point not in the prime-order subgroup",
    _ => "invalid point encoding",
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
  fn uncompress(bytes: &[u8]) -> std::result::Result<Self, &'static str>;
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
      fn uncompress(bytes: &[u8]) -> std::result::Result<Self, &'static str> {
        if bytes.len() != $len {
          return Err("wrong length");
        }
        let mut aff = <$aff>::default();
        // SAFETY: blst reads exactly $len bytes, checked above.
        let e = unsafe { $uncompress(&mut aff, bytes.as_ptr()) };
        if e != BLST_ERROR::BLST_SUCCESS {
          return Err(blst_error(e));
        }
        // SAFETY: valid pointer to an initialized affine point (the identity is in the subgroup).
        if !unsafe { $in_group(&aff) } {
          return Err(blst_error(BLST_ERROR::BLST_POINT_NOT_IN_GROUP));
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

fn decompress<G: Group>(bytes: &[u8]) -> Result<G> {
  if bytes.len() != G::COMPRESSED {
    return Err(invalid(format!(
      "expected {} bytes, got {}",
      G::COMPRESSED,
      bytes.len()
    )));
  }
  let p = G::uncompress(bytes).map_err(|e| invalid(e.to_owned()))?;
  // blst also accepts e.g. a set "sort" flag on the identity in some versions: insist on the one canonical encoding.
  if G::compress(&p) != bytes {
    return Err(invalid("non-canonical point encoding".to_owned()));
  }
  Ok(p)
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
  out(env, &msm::<blst_p2>(&points, &scalars)?)
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
