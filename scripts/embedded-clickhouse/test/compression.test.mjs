import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  cityHash128, encodeNativeBlocks, decodeNativeBlocks, encodeLz4Frame, decodeLz4Frame,
} from '../lib/native-compression.mjs';
import { startServer, ch, q } from '../test-support/helpers.mjs';

// Reference values computed with the Java client's com.clickhouse.data.ClickHouseCityHash
// (clickhouse-data 0.10.0) over bytes b[i] = ((i * 131 + 7) ^ (i >> 3)) & 0xff.
const VECTORS = [
  [0, '3df09dfc64c09a2b', '3cb540c392e51e29'],
  [16, 'c71ce956412e6208', 'd78fd03ee23f6969'],
  [128, '5aa2a80bbafacd71', '4277e9cafa3045f3'],
  [160, '1a0c79f769e47d08', '547f9619f7087d3a'],
  [4096, '1cd5980452be6d6b', 'df0d592e5b4ff2bf'],
  [10007, '9fb1910dc23d28b1', 'a6e8d19d6be21aff'],
];

function pattern(len) {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = ((i * 131 + 7) ^ (i >> 3)) & 0xff;
  return b;
}

test('CityHash128 v1.0.2 matches the Java client implementation', () => {
  for (const [len, lo, hi] of VECTORS) {
    const [l, h] = cityHash128(pattern(len));
    assert.equal(l.toString(16), lo, `low64 for len ${len}`);
    assert.equal(h.toString(16), hi, `high64 for len ${len}`);
  }
});

test('native blocks and LZ4 frames round-trip', () => {
  for (const len of [0, 1, 14, 15, 16, 269, 270, 5000, (1 << 20) + 17]) {
    const d = pattern(len);
    assert.ok(decodeNativeBlocks(encodeNativeBlocks(d)).equals(d), `native ${len}`);
    assert.ok(decodeLz4Frame(encodeLz4Frame(d)).equals(d), `frame ${len}`);
  }
  const bad = encodeNativeBlocks(pattern(100));
  bad[40] ^= 1;
  assert.throws(() => decodeNativeBlocks(bad), (e) => e.code === 40);
});

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

test('compress=1 answers in checksummed native blocks; decompress=1 accepts them', async () => {
  const r = await q(srv.url, 'SELECT number FROM numbers(100000) FORMAT TSV', { params: { compress: '1' } });
  const plain = decodeNativeBlocks(r.body);
  assert.equal(plain.toString().split('\n').length, 100001);
  assert.equal(r.body[16], 0x82);

  await q(srv.url, 'CREATE TABLE cz (x UInt32, s String) ENGINE = MergeTree ORDER BY x');
  const payload = Buffer.from('INSERT INTO cz FORMAT TSV\n1\ta\n2\tb\n');
  const w = await q(srv.url, encodeNativeBlocks(payload), { params: { decompress: '1' } });
  assert.equal(w.summary.written_rows, '2');
  assert.equal((await q(srv.url, 'SELECT sum(x) FROM cz')).text, '3\n');

  // Errors stay plain text, as on the server.
  const e = await ch(srv.url, 'SELEC 1', { params: { compress: '1' } });
  assert.equal(e.code, '62');
  assert.match(e.text, /^Code: 62\./);
});

test('enable_http_compression=1 with Accept-Encoding: lz4 answers an LZ4 frame', async () => {
  const r = await ch(srv.url, 'SELECT 123', {
    params: { enable_http_compression: '1' }, headers: { 'Accept-Encoding': 'lz4' },
  });
  assert.equal(r.headers.get('content-encoding'), 'lz4');
  assert.equal(decodeLz4Frame(r.body).toString(), '123\n');
  const w = await ch(srv.url, encodeLz4Frame(Buffer.from('SELECT 7')), { headers: { 'Content-Encoding': 'lz4' } });
  assert.equal(w.text, '7\n');
});

test('an INSERT … FORMAT body with Content-Encoding: lz4 is decoded by the engine, which checks the frame', async () => {
  await q(srv.url, 'CREATE TABLE lz_in (x UInt32) ENGINE = Memory');
  const frame = encodeLz4Frame(Buffer.from('1\n2\n3\n'));
  const insert = { params: { query: 'INSERT INTO lz_in FORMAT TSV' }, headers: { 'Content-Encoding': 'lz4' } };
  const ok = await ch(srv.url, frame, insert);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.summary.written_rows, '3');
  // A damaged frame header checksum: liblz4 refuses it, as the server's HTTP handler would; the
  // endpoint's own frame decoder (statements in the body) does not check it.
  const damaged = Buffer.from(frame);
  damaged[6] ^= 0xff;
  const e = await ch(srv.url, damaged, insert);
  assert.notEqual(e.status, 200);
  assert.match(e.text, /LZ4|lz4/);
  assert.equal((await ch(srv.url, 'SELECT count() FROM lz_in')).text, '3\n');
});
