import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, tempDir } from '../test-support/helpers.mjs';

// --users-file: the endpoint checks privileges the way ClickHouse documents them (see lib/grants.mjs).

let srv;
let dir;

async function run(user, password, sql) {
  const auth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  const r = await fetch(srv.url + '/', { method: 'POST', body: sql, headers: { authorization: auth } });
  return { status: r.status, code: r.headers.get('x-clickhouse-exception-code'), text: await r.text() };
}

before(async () => {
  dir = tempDir();
  const file = path.join(dir, 'users.json');
  fs.writeFileSync(file, JSON.stringify({
    admin: { password: 'a', grants: ['ALL'] },
    writer: { password: 'w', grants: ['INSERT ON db.t', 'SELECT(seq, day) ON db.t'] },
    inserter: { password: 'i', grants: ['INSERT(seq) ON db.t'] },
  }));
  srv = await startServer({ args: ['--users-file', file] });
  for (const sql of ['CREATE DATABASE db', 'CREATE TABLE db.t (seq UInt64, day Date, secret String) ENGINE = MergeTree ORDER BY seq']) {
    const r = await run('admin', 'a', sql);
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => {
  await srv.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('unknown users and wrong passwords are refused', async () => {
  assert.equal((await run('nobody', 'x', 'SELECT 1')).code, '516');
  assert.equal((await run('writer', 'wrong', 'SELECT 1')).code, '516');
});

test('INSERT needs INSERT on every column written', async () => {
  assert.equal((await run('writer', 'w', "INSERT INTO db.t (seq, day, secret) VALUES (1, '2026-01-01', 'x')")).status, 200);
  const r = await run('inserter', 'i', "INSERT INTO db.t (seq, day) VALUES (2, '2026-01-01')");
  assert.equal(r.code, '497');
  assert.match(r.text, /inserter: Not enough privileges\. To execute this query, it's necessary to have the grant INSERT\(day\) ON db\.t/);
  assert.equal((await run('inserter', 'i', 'INSERT INTO db.t (seq) VALUES (3)')).status, 200);
  // without a column list: every column
  assert.match((await run('inserter', 'i', "INSERT INTO `db`.`t` VALUES (4, '2026-01-01', '')")).text, /INSERT\(day, secret\) ON db\.t/);
});

test('SELECT needs SELECT on the columns it reads', async () => {
  assert.equal((await run('writer', 'w', 'SELECT 1 FROM db.t WHERE seq = 1 LIMIT 1')).status, 200);
  const r = await run('writer', 'w', 'SELECT secret FROM db.t');
  assert.equal(r.code, '497');
  assert.match(r.text, /necessary to have the grant SELECT\(secret\) ON db\.t/);
  assert.equal((await run('writer', 'w', "SELECT count() FROM db.t WHERE _partition_id = ''")).status, 200);
  assert.match((await run('inserter', 'i', 'SELECT count() FROM db.t')).text, /necessary to have the grant SELECT ON db\.t/);
  assert.match((await run('inserter', 'i', 'SELECT 1 FROM db.t WHERE seq = 1')).text, /SELECT\(seq\) ON db\.t/);
});

test('system tables are readable, DDL needs ALL', async () => {
  assert.equal((await run('inserter', 'i', "SELECT name FROM system.tables WHERE database = 'db'")).status, 200);
  assert.equal((await run('inserter', 'i', 'SELECT version()')).status, 200);
  assert.equal((await run('writer', 'w', 'DROP TABLE db.t')).code, '497');
  assert.equal((await run('writer', 'w', 'OPTIMIZE TABLE db.t FINAL')).code, '497');
  assert.equal((await run('admin', 'a', 'SELECT secret FROM db.t')).status, 200);
});
