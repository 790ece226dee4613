// ClickHouse native compression framing for the HTTP `compress=1` /
// `decompress=1` parameters.
//
// Each block: 16-byte CityHash128 (v1.0.2) checksum of the rest, then
//   method (1 byte: 0x82 LZ4, 0x02 NONE, 0x90 ZSTD), compressed size incl. the
//   9-byte header (UInt32 LE), decompressed size (UInt32 LE), payload.
//
// Responses are written as LZ4 blocks that hold only literals (valid LZ4, no
// actual compression: cheap to produce, and every LZ4 decoder accepts it).
// Requests may use LZ4 or NONE blocks; ZSTD is not supported.

import { ClickHouseError } from './errors.mjs';

const M64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;
const K3 = 0xc949d7c7509e6557n;
const KMUL = 0x9ddfea08eb382d69n;

const mul = (a, b) => (a * b) & M64;
const add = (a, b) => (a + b) & M64;
const sub = (a, b) => (a - b) & M64;
const rot = (v, s) => (s === 0 ? v : ((v >> BigInt(s)) | (v << BigInt(64 - s))) & M64);
const shiftMix = (v) => v ^ (v >> 47n);

function hash16(u, v) {
  let a = mul(u ^ v, KMUL);
  a ^= a >> 47n;
  let b = mul(v ^ a, KMUL);
  b ^= b >> 47n;
  return mul(b, KMUL);
}

function f64(b, i) { return b.readBigUInt64LE(i); }
function f32(b, i) { return BigInt(b.readUInt32LE(i)); }

function hashLen0to16(b, off, len) {
  const L = BigInt(len);
  if (len > 8) {
    const a = f64(b, off);
    const c = f64(b, off + len - 8);
    return hash16(a, rot(add(c, L), len)) ^ c;
  }
  if (len >= 4) {
    const a = f32(b, off);
    return hash16(add(L, (a << 3n) & M64), f32(b, off + len - 4));
  }
  if (len > 0) {
    const a = BigInt(b[off]);
    const c = BigInt(b[off + (len >> 1)]);
    const d = BigInt(b[off + len - 1]);
    const y = (a + (c << 8n)) & 0xffffffffn;
    const z = (L + (d << 2n)) & 0xffffffffn;
    return mul(shiftMix(mul(y, K2) ^ mul(z, K3)), K2);
  }
  return K2;
}

function weak32(b, off, a, c) {
  const w = f64(b, off);
  const x = f64(b, off + 8);
  const y = f64(b, off + 16);
  const z = f64(b, off + 24);
  a = add(a, w);
  c = rot(add(add(c, a), z), 21);
  const t = a;
  a = add(add(a, x), y);
  c = add(c, rot(a, 44));
  return [add(a, z), add(c, t)];
}

function cityMurmur(b, off, len, lo, hi) {
  let a = lo;
  let c = hi;
  let x;
  let d;
  let l = len - 16;
  if (l <= 0) {
    a = mul(shiftMix(mul(a, K1)), K1);
    x = add(mul(c, K1), hashLen0to16(b, off, len));
    d = shiftMix(add(a, len >= 8 ? f64(b, off) : x));
  } else {
    x = hash16(add(f64(b, off + len - 8), K1), a);
    d = hash16(add(c, BigInt(len)), add(x, f64(b, off + len - 16)));
    a = add(a, d);
    let p = off;
    do {
      a ^= mul(shiftMix(mul(f64(b, p), K1)), K1);
      a = mul(a, K1);
      c ^= a;
      x ^= mul(shiftMix(mul(f64(b, p + 8), K1)), K1);
      x = mul(x, K1);
      d ^= x;
      p += 16;
      l -= 16;
    } while (l > 0);
  }
  a = hash16(a, x);
  c = hash16(d, c);
  return [a ^ c, hash16(c, a)];
}

/** CityHash128 v1.0.2 (as used by ClickHouse for compressed-block checksums); returns [low64, high64]. */
export function cityHash128(b, off = 0, len = b.length - off) {
  if (len >= 16) {
    return cityHash128WithSeed(b, off + 16, len - 16, f64(b, off) ^ K3, f64(b, off + 8));
  }
  if (len >= 8) {
    return cityHash128WithSeed(b, off, 0, f64(b, off) ^ mul(BigInt(len), K0), f64(b, off + len - 8) ^ K1);
  }
  return cityHash128WithSeed(b, off, len, K0, K1);
}

function cityHash128WithSeed(b, off, len, lo, hi) {
  if (len < 128) return cityMurmur(b, off, len, lo, hi);
  let x = lo;
  let y = hi;
  let z = mul(BigInt(len), K1);
  let v0 = add(mul(rot(y ^ K1, 49), K1), f64(b, off));
  let v1 = add(mul(rot(v0, 42), K1), f64(b, off + 8));
  let w0 = add(mul(rot(add(y, z), 35), K1), x);
  let w1 = mul(rot(add(x, f64(b, off + 88)), 53), K1);
  let p = off;
  const round = () => {
    x = mul(rot(add(add(add(x, y), v0), f64(b, p + 16)), 37), K1);
    y = mul(rot(add(add(y, v1), f64(b, p + 48)), 42), K1);
    x ^= w1;
    y ^= v0;
    z = rot(z ^ w0, 33);
    [v0, v1] = weak32(b, p, mul(v1, K1), add(x, w0));
    [w0, w1] = weak32(b, p + 32, add(z, w1), y);
    const t = z; z = x; x = t;
    p += 64;
  };
  do {
    round();
    round();
    len -= 128;
  } while (len >= 128);
  y = add(y, add(mul(rot(w0, 37), K0), z));
  x = add(x, mul(rot(add(v0, z), 49), K0));
  for (let done = 0; done < len;) {
    done += 32;
    y = add(mul(rot(sub(y, x), 42), K0), v1);
    w0 = add(w0, f64(b, p + len - done + 16));
    x = add(mul(rot(x, 49), K0), w0);
    w0 = add(w0, v0);
    [v0, v1] = weak32(b, p + len - done, v0, v1);
  }
  x = hash16(x, v0);
  y = hash16(y, w0);
  return [add(hash16(add(x, v1), w1), y), hash16(add(x, w1), add(y, v1))];
}

const HEADER = 9;
const CHECKSUM = 16;
const MAX_BLOCK = 1 << 20; // like max_compress_block_size

/** Wrap data in ClickHouse LZ4 blocks (literal-only LZ4). */
export function encodeNativeBlocks(data) {
  const parts = [];
  for (let pos = 0; pos < data.length; pos += MAX_BLOCK) {
    const chunk = data.subarray(pos, Math.min(data.length, pos + MAX_BLOCK));
    const n = chunk.length;
    // LZ4 sequence with literals only: token, extra length bytes, literals.
    const extra = n >= 15 ? Math.floor((n - 15) / 255) + 1 : 0;
    const lz4Len = 1 + extra + n;
    const block = Buffer.allocUnsafe(CHECKSUM + HEADER + lz4Len);
    let o = CHECKSUM;
    block[o++] = 0x82;
    block.writeUInt32LE(HEADER + lz4Len, o); o += 4;
    block.writeUInt32LE(n, o); o += 4;
    if (n >= 15) {
      block[o++] = 0xf0;
      let rest = n - 15;
      while (rest >= 255) { block[o++] = 255; rest -= 255; }
      block[o++] = rest;
    } else {
      block[o++] = n << 4;
    }
    chunk.copy(block, o);
    const [lo, hi] = cityHash128(block, CHECKSUM, HEADER + lz4Len);
    block.writeBigUInt64LE(lo, 0);
    block.writeBigUInt64LE(hi, 8);
    parts.push(block);
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function lz4DecodeBlock(src, out) {
  const n = lz4DecodeInto(src, out, 0);
  if (n !== out.length) throw new Error(`size mismatch: ${n} != ${out.length}`);
  return out;
}

/** Decode a request body made of ClickHouse compressed blocks. */
export function decodeNativeBlocks(buf, verify = true) {
  const parts = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + CHECKSUM + HEADER > buf.length) {
      throw new ClickHouseError(271, 'CANNOT_DECOMPRESS', 'Cannot decompress: truncated compressed block header');
    }
    const method = buf[pos + CHECKSUM];
    const compSize = buf.readUInt32LE(pos + CHECKSUM + 1);
    const rawSize = buf.readUInt32LE(pos + CHECKSUM + 5);
    if (compSize < HEADER || pos + CHECKSUM + compSize > buf.length) {
      throw new ClickHouseError(271, 'CANNOT_DECOMPRESS', 'Cannot decompress: truncated compressed block');
    }
    if (verify) {
      const [lo, hi] = cityHash128(buf, pos + CHECKSUM, compSize);
      if (buf.readBigUInt64LE(pos) !== lo || buf.readBigUInt64LE(pos + 8) !== hi) {
        throw new ClickHouseError(40, 'CHECKSUM_DOESNT_MATCH',
          'Checksum doesn\'t match: corrupted data. Reference: ' + buf.readBigUInt64LE(pos + 8).toString(16) + buf.readBigUInt64LE(pos).toString(16));
      }
    }
    const payload = buf.subarray(pos + CHECKSUM + HEADER, pos + CHECKSUM + compSize);
    if (method === 0x82) {
      try {
        parts.push(lz4DecodeBlock(payload, Buffer.allocUnsafe(rawSize)));
      } catch (e) {
        throw new ClickHouseError(271, 'CANNOT_DECOMPRESS', `Cannot decompress LZ4 block: ${e.message}`);
      }
    } else if (method === 0x02) {
      parts.push(payload);
    } else if (method === 0x90) {
      throw new ClickHouseError(89, 'UNKNOWN_COMPRESSION_METHOD',
        'ZSTD request compression is not supported by the embedded endpoint; use LZ4 or disable request compression (decompress=0)');
    } else {
      throw new ClickHouseError(89, 'UNKNOWN_COMPRESSION_METHOD', `Unknown compression method: 0x${method.toString(16)}`);
    }
    pos += CHECKSUM + compSize;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

// ---------------------------------------------------------------------------
// LZ4 frame format (HTTP `Content-Encoding: lz4`).
// ---------------------------------------------------------------------------

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;
const rotl32 = (x, r) => ((x << r) | (x >>> (32 - r))) >>> 0;

/** xxHash32 for short inputs (< 16 bytes), enough for frame-descriptor checksums. */
function xxh32Short(b, seed = 0) {
  let h = (seed + P5 + b.length) >>> 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) {
    h = (h + Math.imul(b.readUInt32LE(i), P3)) >>> 0;
    h = Math.imul(rotl32(h, 17), P4) >>> 0;
  }
  for (; i < b.length; i++) {
    h = (h + Math.imul(b[i], P5)) >>> 0;
    h = Math.imul(rotl32(h, 11), P1) >>> 0;
  }
  h ^= h >>> 15; h = Math.imul(h, P2) >>> 0;
  h ^= h >>> 13; h = Math.imul(h, P3) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const FRAME_MAGIC = 0x184d2204;
const FRAME_BLOCK = 4 << 20; // BD 0x70: 4 MiB blocks
const FRAME_DESCRIPTOR = Buffer.from([0x60, 0x70]); // v01, independent blocks, no checksums / size

/** Encode data as an LZ4 frame made of uncompressed blocks. */
export function encodeLz4Frame(data) {
  const hc = (xxh32Short(FRAME_DESCRIPTOR) >>> 8) & 0xff;
  const nBlocks = Math.ceil(data.length / FRAME_BLOCK);
  const out = Buffer.allocUnsafe(7 + nBlocks * 4 + data.length + 4);
  out.writeUInt32LE(FRAME_MAGIC, 0);
  out[4] = FRAME_DESCRIPTOR[0];
  out[5] = FRAME_DESCRIPTOR[1];
  out[6] = hc;
  let o = 7;
  for (let pos = 0; pos < data.length; pos += FRAME_BLOCK) {
    const n = Math.min(FRAME_BLOCK, data.length - pos);
    out.writeUInt32LE((n | 0x80000000) >>> 0, o); // high bit: stored uncompressed
    o += 4;
    data.copy(out, o, pos, pos + n);
    o += n;
  }
  out.writeUInt32LE(0, o); // end mark
  return out;
}

const BLOCK_MAX = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

/** Decode an LZ4 frame (possibly several concatenated frames). */
export function decodeLz4Frame(buf) {
  const parts = [];
  let p = 0;
  try {
    while (p < buf.length) {
      const magic = buf.readUInt32LE(p);
      if ((magic & 0xfffffff0) === 0x184d2a50) { // skippable frame
        p += 8 + buf.readUInt32LE(p + 4);
        continue;
      }
      if (magic !== FRAME_MAGIC) throw new Error('bad LZ4 frame magic');
      const flg = buf[p + 4];
      const bd = buf[p + 5];
      const blockChecksum = (flg & 0x10) !== 0;
      const hasSize = (flg & 0x08) !== 0;
      const contentChecksum = (flg & 0x04) !== 0;
      const hasDictId = (flg & 0x01) !== 0;
      const maxBlock = BLOCK_MAX[(bd >> 4) & 7];
      if (!maxBlock) throw new Error('bad LZ4 block size');
      p += 6 + (hasSize ? 8 : 0) + (hasDictId ? 4 : 0) + 1; // descriptor + header checksum
      // Linked blocks can reference previous output: decode into one window.
      let window = Buffer.allocUnsafe(0);
      for (;;) {
        const word = buf.readUInt32LE(p);
        p += 4;
        if (word === 0) break;
        const size = word & 0x7fffffff;
        const block = buf.subarray(p, p + size);
        p += size + (blockChecksum ? 4 : 0);
        let decoded;
        if (word & 0x80000000) {
          decoded = Buffer.from(block);
        } else {
          const tmp = Buffer.allocUnsafe(window.length + maxBlock);
          window.copy(tmp, 0);
          const n = lz4DecodeInto(block, tmp, window.length);
          decoded = tmp.subarray(window.length, n);
        }
        parts.push(decoded);
        window = decoded.length >= 65536 ? decoded.subarray(decoded.length - 65536)
          : Buffer.concat([window, decoded]).subarray(-65536);
      }
      if (contentChecksum) p += 4;
    }
  } catch (e) {
    throw new ClickHouseError(271, 'CANNOT_DECOMPRESS', `Cannot decompress LZ4 frame: ${e.message}`);
  }
  return Buffer.concat(parts);
}

/** LZ4 block decode into out starting at op (history before op is the window); returns end offset. */
function lz4DecodeInto(src, out, op) {
  let ip = 0;
  const n = src.length;
  while (ip < n) {
    const token = src[ip++];
    let lit = token >> 4;
    if (lit === 15) {
      let b;
      do { b = src[ip++]; lit += b; } while (b === 255 && ip < n);
    }
    if (ip + lit > n || op + lit > out.length) throw new Error('literal overrun');
    src.copy(out, op, ip, ip + lit);
    ip += lit;
    op += lit;
    if (ip >= n) break;
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw new Error('invalid offset');
    let ml = token & 15;
    if (ml === 15) {
      let b;
      do { b = src[ip++]; ml += b; } while (b === 255 && ip < n);
    }
    ml += 4;
    if (op + ml > out.length) throw new Error('match overrun');
    let from = op - offset;
    if (offset >= ml) {
      out.copy(out, op, from, from + ml);
      op += ml;
    } else {
      for (let i = 0; i < ml; i++) out[op++] = out[from++];
    }
  }
  return op;
}
