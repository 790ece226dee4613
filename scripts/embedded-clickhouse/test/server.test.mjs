import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ch, q } from '../test-support/helpers.mjs';

let srv;

before(async () => {
  srv = await startServer();
});

after(async () => {
  if (srv) await srv.stop();
});

test('GET /ping answers Ok.', async () => {
  const r = await fetch(`${srv.url}/ping`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'Ok.\n');
  assert.match(r.headers.get('keep-alive') || '', /timeout=30/);
});

test('SELECT version() is 26.x, with ClickHouse response headers', async () => {
  const r = await q(srv.url, 'SELECT version()');
  assert.match(r.text, /^26\.\d+\.\d+\.\d+\n$/);
  assert.equal(r.headers.get('x-clickhouse-format'), 'TabSeparated');
  assert.ok(r.headers.get('x-clickhouse-query-id'));
  assert.ok(r.headers.get('x-clickhouse-timezone'));
  assert.ok(r.headers.get('x-clickhouse-server-display-name'));
  assert.equal(r.summary.result_rows, '1');
  for (const k of ['read_rows', 'read_bytes', 'written_rows', 'written_bytes', 'total_rows_to_read',
    'result_rows', 'result_bytes', 'elapsed_ns']) {
    assert.equal(typeof r.summary[k], 'string', k);
  }
});

test('GET with query param works and is readonly', async () => {
  const r = await ch(srv.url, null, { method: 'GET', params: { query: 'SELECT 1 + 1' } });
  assert.equal(r.status, 200);
  assert.equal(r.text, '2\n');
  const w = await ch(srv.url, null, { method: 'GET', params: { query: 'CREATE TABLE ro_t (a UInt8) ENGINE=Memory' } });
  assert.equal(w.code, '164');
  assert.equal(w.status, 500); // as clickhouse-server: READONLY is not in its status map
});

test('query id is echoed; output format from header, default_format and FORMAT clause', async () => {
  let r = await q(srv.url, 'SELECT 1 AS x', { headers: { 'X-ClickHouse-Query-Id': 'my-query-1' } });
  assert.equal(r.headers.get('x-clickhouse-query-id'), 'my-query-1');
  r = await q(srv.url, 'SELECT 1 AS x', { headers: { 'X-ClickHouse-Format': 'JSONEachRow' } });
  assert.equal(r.text, '{"x":1}\n');
  assert.equal(r.headers.get('x-clickhouse-format'), 'JSONEachRow');
  r = await q(srv.url, 'SELECT 1 AS x', { params: { default_format: 'CSVWithNames' } });
  assert.equal(r.text, '"x"\n1\n');
  r = await q(srv.url, 'SELECT 1 AS x FORMAT JSONCompactEachRow', { headers: { 'X-ClickHouse-Format': 'RowBinary' } });
  assert.equal(r.text, '[1]\n');
  assert.equal(r.headers.get('x-clickhouse-format'), 'JSONCompactEachRow');
});

test('inserts: RowBinary with \\n\\n bytes, JSONEachRow, VALUES, TSV, CSV, RowBinaryWithNamesAndTypes', async () => {
  await q(srv.url, 'CREATE TABLE ins (id UInt64, s String) ENGINE = MergeTree ORDER BY id');

  // RowBinary: UInt64 0x0A0A followed by String "a\n\nb" — two adjacent 0x0A bytes twice.
  const s = Buffer.from('a\n\nb');
  const rb = Buffer.alloc(8 + 1 + s.length);
  rb.writeBigUInt64LE(0x0a0an, 0);
  rb[8] = s.length;
  s.copy(rb, 9);
  let r = await q(srv.url, rb, { params: { query: 'INSERT INTO ins FORMAT RowBinary' } });
  assert.equal(r.summary.written_rows, '1');

  // Statement and RowBinary payload in the body (client-v2 POJO insert style).
  const rb2 = Buffer.alloc(8 + 1 + 2);
  rb2.writeBigUInt64LE(0x0a0a0a0a0a0an, 0);
  rb2[8] = 2; rb2[9] = 0x0a; rb2[10] = 0x0a;
  r = await q(srv.url, Buffer.concat([Buffer.from('INSERT INTO ins \n FORMAT RowBinary \n'), rb2]));
  assert.equal(r.summary.written_rows, '1');

  // JSONEachRow with a blank line in the payload.
  r = await q(srv.url, 'INSERT INTO ins FORMAT JSONEachRow\n{"id":1,"s":"j1"}\n\n{"id":2,"s":"j\\n\\nx"}\n');
  assert.equal(r.summary.written_rows, '2');

  // Inline VALUES with \n\n inside a string literal and between tuples.
  r = await q(srv.url, "INSERT INTO ins (id, s) VALUES (3, 'v\n\nv'),\n\n(4, 'w')");
  assert.equal(r.summary.written_rows, '2');
  assert.equal(r.summary.result_rows, '2');

  // VALUES in the query param, tuples in the body.
  r = await q(srv.url, "(5, 'p')", { params: { query: 'INSERT INTO ins VALUES' } });
  assert.equal(r.summary.written_rows, '1');

  // TabSeparated and CSV payloads.
  r = await q(srv.url, '6\tt1\n7\tt\\n2\n', { params: { query: 'INSERT INTO ins FORMAT TabSeparated' } });
  assert.equal(r.summary.written_rows, '2');
  r = await q(srv.url, '8,"c\n\nsv"\n9,c2\n', { params: { query: 'INSERT INTO ins FORMAT CSV' } });
  assert.equal(r.summary.written_rows, '2');

  // RowBinaryWithNamesAndTypes.
  const hdr = Buffer.from([2, 2, ...Buffer.from('id'), 1, ...Buffer.from('s'), 6, ...Buffer.from('UInt64'), 6, ...Buffer.from('String')]);
  const row = Buffer.alloc(8 + 1 + 2);
  row.writeBigUInt64LE(10n, 0);
  row[8] = 2; row[9] = 0x0a; row[10] = 0x0a;
  r = await q(srv.url, Buffer.concat([hdr, row]), { params: { query: 'INSERT INTO ins FORMAT RowBinaryWithNamesAndTypes' } });
  assert.equal(r.summary.written_rows, '1');

  // INSERT ... SELECT reports written rows.
  r = await q(srv.url, "INSERT INTO ins SELECT 100 + number, 'sel' FROM numbers(3)");
  assert.equal(r.summary.written_rows, '3');

  // INSERT with a SETTINGS clause before FORMAT.
  r = await q(srv.url, '{"id":200,"s":"st"}\n', { params: { query: 'INSERT INTO ins SETTINGS max_insert_block_size=1000 FORMAT JSONEachRow' } });
  assert.equal(r.summary.written_rows, '1');

  r = await q(srv.url, 'SELECT id, s FROM ins ORDER BY id FORMAT JSONEachRow');
  const rows = r.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows, [
    { id: 1, s: 'j1' },
    { id: 2, s: 'j\n\nx' },
    { id: 3, s: 'v\n\nv' },
    { id: 4, s: 'w' },
    { id: 5, s: 'p' },
    { id: 6, s: 't1' },
    { id: 7, s: 't\n2' },
    { id: 8, s: 'c\n\nsv' },
    { id: 9, s: 'c2' },
    { id: 10, s: '\n\n' },
    { id: 100, s: 'sel' },
    { id: 101, s: 'sel' },
    { id: 102, s: 'sel' },
    { id: 200, s: 'st' },
    { id: 0x0a0a, s: 'a\n\nb' },
    { id: 0x0a0a0a0a0a0a, s: '\n\n' },
  ]);
  assert.equal(r.summary.result_rows, String(rows.length));

  // Binary read back is exact.
  r = await q(srv.url, 'SELECT id, s FROM ins WHERE id = 2570 FORMAT RowBinary');
  assert.deepEqual(r.body, rb);
});

test('URL settings apply to one request only', async () => {
  const before = (await q(srv.url, "SELECT getSetting('max_threads')")).text;
  const during = (await q(srv.url, "SELECT getSetting('max_threads')", { params: { max_threads: '1' } })).text;
  assert.equal(during, '1\n');
  // Hit every pooled connection.
  for (let i = 0; i < 8; i++) {
    const after = (await q(srv.url, "SELECT getSetting('max_threads')")).text;
    assert.equal(after, before);
  }
  const tz = await q(srv.url, 'SELECT timezone()', { params: { session_timezone: 'Asia/Tokyo' } });
  assert.equal(tz.text, 'Asia/Tokyo\n');
  assert.equal(tz.headers.get('x-clickhouse-timezone'), 'Asia/Tokyo');
});

test('unknown setting -> 115 UNKNOWN_SETTING', async () => {
  const r = await ch(srv.url, 'SELECT 1', { params: { no_such_setting_xyz: '1' } });
  assert.equal(r.code, '115');
  assert.equal(r.status, 404);
  assert.match(r.text, /^Code: 115\. DB::Exception: .*\(UNKNOWN_SETTING\) \(version 26\./);
  assert.equal((await q(srv.url, 'SELECT 7')).text, '7\n');
});

test('session-less SET and temporary tables do not leak', async () => {
  await q(srv.url, "SET max_threads = 1");
  await q(srv.url, 'CREATE TEMPORARY TABLE leak_tmp (x UInt8)');
  for (let i = 0; i < 8; i++) {
    assert.notEqual((await q(srv.url, "SELECT getSetting('max_threads')")).text, '1\n');
    const r = await q(srv.url, "SELECT count() FROM system.tables WHERE is_temporary AND name = 'leak_tmp'");
    assert.equal(r.text, '0\n');
  }
});

test('insert_deduplication_token: a repeated token is dropped', async () => {
  await q(srv.url, 'CREATE TABLE dedup (x UInt64) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100');
  const send = (rows, token) => q(srv.url, rows, { params: { query: 'INSERT INTO dedup FORMAT TSV', insert_deduplication_token: token } });
  await send('1\n2\n', 'tok-1');
  await send('1\n2\n', 'tok-1');
  await send('3\n', 'tok-2');
  await send('3\n', 'tok-1'); // different data, same token: dropped as well
  assert.equal((await q(srv.url, 'SELECT count(), sum(x) FROM dedup')).text, '3\t6\n');
  // The token does not leak into the next insert.
  assert.equal((await q(srv.url, "SELECT getSetting('insert_deduplication_token')")).text, '\n');
});

test('errors: syntax error code, status and body format', async () => {
  const r = await ch(srv.url, 'SELEC 1');
  assert.equal(r.status, 400);
  assert.equal(r.code, '62');
  assert.match(r.text, /^Code: 62\. DB::Exception: Syntax error.*\(SYNTAX_ERROR\) \(version 26\.\d+\.\d+\.\d+\)\n$/s);
  const t = await ch(srv.url, 'SELECT * FROM no_such_table');
  assert.equal(t.status, 404);
  assert.equal(t.code, '60');
  assert.match(t.text, /\(UNKNOWN_TABLE\) \(version 26\./);
  const d = await ch(srv.url, 'SELECT 1', { headers: { 'X-ClickHouse-Database': 'no_such_db' } });
  assert.equal(d.code, '81');
  assert.equal(d.status, 404);
  const m = await ch(srv.url, 'SELECT 1; SELECT 2');
  assert.equal(m.code, '62');
  assert.match(m.text, /Multi-statements are not allowed/);
  const e = await ch(srv.url, '  ');
  assert.equal(e.code, '62');
});

test('a failed query does not leak output into the next one (drain)', async () => {
  // Pin to one connection with a session so the next query surely reuses it.
  const params = { session_id: 'drain-test' };
  const r = await ch(srv.url, 'SELECT throwIf(number = 3) FROM numbers(5) SETTINGS max_block_size = 1', { params });
  assert.equal(r.code, '395');
  assert.equal((await q(srv.url, 'SELECT 42', { params })).text, '42\n');
  // Same on pooled connections.
  for (let i = 0; i < 4; i++) {
    await ch(srv.url, 'SELECT throwIf(number = 3) FROM numbers(5) SETTINGS max_block_size = 1');
  }
  for (let i = 0; i < 8; i++) assert.equal((await q(srv.url, 'SELECT 42')).text, '42\n');
});

test('param_ binding', async () => {
  // Values use the server's escaped-text semantics: "\\t" is a tab.
  const r = await q(srv.url, 'SELECT {x:UInt32} + 1 AS a, {s:String} AS s FORMAT JSONEachRow', { params: { param_x: '41', param_s: "it's\\ta" } });
  assert.deepEqual(JSON.parse(r.text), { a: 42, s: "it's\ta" });
  const w = await ch(srv.url, 'SELECT {missing:UInt8}');
  assert.equal(w.code, '456');
});

test('X-ClickHouse-Database header and database param select the current database', async () => {
  await q(srv.url, 'CREATE DATABASE IF NOT EXISTS other_db');
  await q(srv.url, 'CREATE TABLE other_db.tt (a UInt8) ENGINE = Memory');
  await q(srv.url, 'INSERT INTO tt VALUES (5)', { headers: { 'X-ClickHouse-Database': 'other_db' } });
  assert.equal((await q(srv.url, 'SELECT currentDatabase(), a FROM tt', { params: { database: 'other_db' } })).text, 'other_db\t5\n');
  for (let i = 0; i < 8; i++) assert.equal((await q(srv.url, 'SELECT currentDatabase()')).text, 'default\n');
});

test('session_id keeps temporary tables and SET across requests', async () => {
  const params = { session_id: 'sess-1', session_timeout: '30' };
  await q(srv.url, 'CREATE TEMPORARY TABLE tmp_s (x UInt8)', { params });
  await q(srv.url, 'INSERT INTO tmp_s VALUES (1), (2)', { params });
  await q(srv.url, 'SET max_threads = 1', { params });
  assert.equal((await q(srv.url, 'SELECT count() FROM tmp_s', { params })).text, '2\n');
  assert.equal((await q(srv.url, "SELECT getSetting('max_threads')", { params })).text, '1\n');
  // URL settings in a session are per request and restore the session value afterwards.
  assert.equal((await q(srv.url, "SELECT getSetting('max_threads')", { params: { ...params, max_threads: '2' } })).text, '2\n');
  assert.equal((await q(srv.url, "SELECT getSetting('max_threads')", { params })).text, '1\n');
  // Other sessions / session-less requests do not see it.
  const other = await ch(srv.url, 'SELECT count() FROM tmp_s', { params: { session_id: 'sess-2' } });
  assert.equal(other.code, '60');
  const none = await ch(srv.url, 'SELECT count() FROM tmp_s');
  assert.equal(none.code, '60');
  // session_check=1 on an unknown session.
  const chk = await ch(srv.url, 'SELECT 1', { params: { session_id: 'nope-session', session_check: '1' } });
  assert.equal(chk.code, '372');
});

test('concurrent requests with different settings do not interfere', async () => {
  const jobs = [];
  for (let i = 1; i <= 16; i++) {
    const v = String((i % 4) + 1);
    jobs.push(q(srv.url, "SELECT getSetting('max_threads'), sleep(0.05)", { params: { max_threads: v } })
      .then((r) => assert.equal(r.text, `${v}\t0\n`)));
  }
  await Promise.all(jobs);
});

test('HTTP compression (enable_http_compression=1) and gzip request bodies', async () => {
  const zlib = await import('node:zlib');
  const res = await fetch(`${srv.url}/?enable_http_compression=1`, {
    method: 'POST', body: 'SELECT number FROM numbers(1000) FORMAT TSV', headers: { 'Accept-Encoding': 'gzip' },
  });
  // fetch transparently decodes gzip; check the header and the decoded body.
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  const text = await res.text();
  assert.equal(text.split('\n').length, 1001);
  await q(srv.url, 'CREATE TABLE gz (x UInt32) ENGINE = Memory');
  const r = await q(srv.url, zlib.gzipSync('1\n2\n3\n'), {
    params: { query: 'INSERT INTO gz FORMAT TSV' }, headers: { 'Content-Encoding': 'gzip' },
  });
  assert.equal(r.summary.written_rows, '3');
});
