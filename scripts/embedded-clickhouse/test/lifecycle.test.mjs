import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, ch, q, tempDir, SERVER } from '../test-support/helpers.mjs';

test('SIGTERM exits 0; data survives a restart and a kill -9', async () => {
  const dir = tempDir();
  let srv = await startServer({ dataDir: dir });
  assert.match(srv.stdout(), /^READY http:\/\/127\.0\.0\.1:\d+\n$/);
  await q(srv.url, 'CREATE TABLE keep (x UInt64) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100');
  await q(srv.url, '1\n2\n', { params: { query: 'INSERT INTO keep FORMAT TSV', insert_deduplication_token: 'persist-1' } });
  const term = await srv.stop('SIGTERM');
  assert.deepEqual(term, { code: 0, signal: null });

  srv = await startServer({ dataDir: dir });
  assert.equal((await q(srv.url, 'SELECT sum(x) FROM keep')).text, '3\n');
  // The dedup log survived too.
  await q(srv.url, '1\n2\n', { params: { query: 'INSERT INTO keep FORMAT TSV', insert_deduplication_token: 'persist-1' } });
  assert.equal((await q(srv.url, 'SELECT count() FROM keep')).text, '2\n');
  await q(srv.url, '10\n', { params: { query: 'INSERT INTO keep FORMAT TSV' } });
  const killed = await srv.stop('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');

  srv = await startServer({ dataDir: dir });
  assert.equal((await q(srv.url, 'SELECT sum(x) FROM keep')).text, '13\n');
  assert.deepEqual(await srv.stop('SIGINT'), { code: 0, signal: null });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--parent-pid: the server exits when the parent process is gone', async () => {
  // A short-lived stand-in parent.
  const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'], { stdio: 'ignore' });
  const srv = await startServer({ args: ['--parent-pid', String(parent.pid)] });
  assert.equal((await q(srv.url, 'SELECT 1')).text, '1\n');
  const res = await Promise.race([
    srv.exited,
    new Promise((resolve) => setTimeout(() => resolve('timeout'), 15000)),
  ]);
  await srv.stop('SIGKILL'); // no-op when it already exited; removes the data dir
  assert.deepEqual(res, { code: 0, signal: null });
});

test('--require-user / --require-password-file check credentials', async () => {
  const dir = tempDir();
  const pwFile = path.join(dir, 'pw');
  fs.writeFileSync(pwFile, 's3cret\n');
  const srv = await startServer({ args: ['--require-user', 'tester', '--require-password-file', pwFile] });
  try {
    const basic = (u, p) => ({ Authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });
    assert.equal((await q(srv.url, 'SELECT 1', { headers: basic('tester', 's3cret') })).text, '1\n');
    assert.equal((await q(srv.url, 'SELECT 1', { headers: { 'X-ClickHouse-User': 'tester', 'X-ClickHouse-Key': 's3cret' } })).text, '1\n');
    assert.equal((await q(srv.url, 'SELECT 1', { params: { user: 'tester', password: 's3cret' } })).text, '1\n');
    for (const h of [basic('tester', 'wrong'), basic('default', ''), {}]) {
      const r = await ch(srv.url, 'SELECT 1', { headers: h });
      assert.equal(r.code, '516');
      assert.equal(r.status, 403);
      assert.match(r.text, /AUTHENTICATION_FAILED/);
    }
    // /ping needs no credentials.
    assert.equal((await fetch(`${srv.url}/ping`)).status, 200);
  } finally {
    await srv.stop();
  }
  assert.doesNotMatch(srv.stderr(), /s3cret/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('bad command line exits with a usage error', async () => {
  const p = spawn(process.execPath, [SERVER, '--port', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((resolve) => p.on('exit', resolve));
  assert.equal(code, 2);
  assert.match(err, /Usage/);
});
