#!/usr/bin/env node
// The endpoint's own cost: the same RowBinary INSERT payloads into `flows` (with its rollup views)
// once through the engine in this process (no HTTP: INSERT … FROM INFILE of a payload file written
// beforehand — chDB has no binary-safe in-process INSERT for RowBinary, its raw-insert entry takes
// text formats only) and once through the endpoint (HTTP body, staging file, the same INSERT … FROM
// INFILE), CPU per row for each. The difference is what the endpoint adds: receiving and staging. Read the benchmark's
// "ClickHouse core-µs per row" with this difference in mind: the benchmark measures through the
// endpoint.
//
//   node scripts/embedded-clickhouse/bench/overhead.mjs --data ./data/demo [--rows 200000] [--payload-mb 8]
//
// --data: a data directory holding netobserv.flows with rows (scripts/demo leaves one in ./data/demo);
// it is copied, never changed. Rows are the table's own, repeated with shifted Kafka offsets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { Connection } from '../lib/engine.mjs';
import { startServer } from '../test-support/helpers.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const data = opt('--data', null);
const rows = Number(opt('--rows', '200000'));
const payloadBytes = Number(opt('--payload-mb', '8')) * 2 ** 20;
if (!data || !fs.existsSync(data)) {
  console.error('usage: overhead.mjs --data <dir with netobserv.flows> [--rows N] [--payload-mb M]');
  process.exit(2);
}
const clickhouseDir = fs.existsSync(path.join(data, 'clickhouse')) ? path.join(data, 'clickhouse') : data;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ech-overhead-'));
const TICK_US = 1e6 / 100; // /proc clock ticks (USER_HZ = 100 on Linux)

function cpuOf(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US; // utime + stime, µs
}

async function payloads(conn) {
  const cols = (await conn.query("SELECT name FROM system.columns WHERE database = 'netobserv' AND table = 'flows'"
    + " AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') ORDER BY position", 'TabSeparated'));
  const names = Buffer.from(cols.bytes).toString('utf8').trim().split('\n');
  const have = Number(Buffer.from((await conn.query('SELECT count() FROM netobserv.flows')).bytes).toString().trim());
  if (have === 0) throw new Error('netobserv.flows is empty: run scripts/demo first');
  const list = names.map((n) => '`' + n + '`').join(', ');
  const source = `(SELECT * REPLACE (kafka_offset + number * 1000000000 AS kafka_offset) FROM netobserv.flows AS f,`
    + ` numbers(${Math.ceil(rows / have)}) AS n LIMIT ${rows}) AS src`;
  const sample = await conn.query(`SELECT ${list} FROM ${source} LIMIT 1000 FORMAT RowBinary`, 'RowBinary');
  const perPayload = Math.max(1, Math.floor(payloadBytes / (sample.bytes.byteLength / 1000)));
  const out = [];
  for (let off = 0; off < rows; off += perPayload) {
    const r = await conn.query(`SELECT ${list} FROM ${source} LIMIT ${perPayload} OFFSET ${off} FORMAT RowBinary`, 'RowBinary');
    out.push({ rows: Math.min(perPayload, rows - off), bytes: Buffer.from(r.bytes) });
  }
  return { list, out };
}

function post(url, query, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    u.searchParams.set('query', query);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST',
      headers: { 'Content-Length': body.length } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(text))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const copyA = path.join(work, 'a');
const copyB = path.join(work, 'b');
fs.cpSync(clickhouseDir, copyA, { recursive: true });
fs.cpSync(clickhouseDir, copyB, { recursive: true });
try {
  // 1. In process: the engine alone.
  const conn = new Connection(copyA, 0);
  await conn.init();
  const { list, out } = await payloads(conn);
  const total = out.reduce((n, p) => n + p.rows, 0);
  const mb = out.reduce((n, p) => n + p.bytes.length, 0) / 2 ** 20;
  const insert = `INSERT INTO netobserv.flows (${list}) FORMAT RowBinary`;
  const files = out.map((p, i) => {
    const f = path.join(work, `payload-${i}.bin`);
    fs.writeFileSync(f, p.bytes);
    return f;
  });
  let c0 = process.cpuUsage();
  let t0 = process.hrtime.bigint();
  for (const f of files) {
    await conn.exec(`INSERT INTO netobserv.flows (${list}) FROM INFILE '${f}' COMPRESSION 'none' FORMAT RowBinary`);
  }
  const c1 = process.cpuUsage(c0);
  const engineUs = c1.user + c1.system;
  const engineS = Number(process.hrtime.bigint() - t0) / 1e9;
  conn.close();

  // 2. Through the endpoint: HTTP, staging file, INSERT … FROM INFILE.
  const srv = await startServer({ dataDir: copyB });
  let endpointUs;
  let endpointS;
  try {
    const cpu0 = cpuOf(srv.proc.pid);
    t0 = process.hrtime.bigint();
    for (const p of out) await post(srv.url, insert, p.bytes);
    endpointS = Number(process.hrtime.bigint() - t0) / 1e9;
    endpointUs = cpuOf(srv.proc.pid) - cpu0;
  } finally {
    await srv.stop();
  }
  const line = (what, s, us) => console.log(`${what.padEnd(28)} ${(total / s).toFixed(0).padStart(8)} rows/s`
    + `  ${(us / 1e6).toFixed(2).padStart(6)} core-s  ${(us / total).toFixed(2).padStart(6)} core-µs/row`);
  console.log(`${total} rows in ${out.length} RowBinary INSERTs of ~${(mb / out.length).toFixed(1)} MiB (${mb.toFixed(0)} MiB),`
    + ` into netobserv.flows with its views; ${os.cpus().length} cores, ${os.cpus()[0].model}, Node ${process.version}`);
  line('engine in process (no HTTP)', engineS, engineUs);
  line('through the endpoint', endpointS, endpointUs);
  console.log(`OVERHEAD endpoint_us_per_row=${((endpointUs - engineUs) / total).toFixed(2)}`
    + ` share=${(100 * (endpointUs - engineUs) / endpointUs).toFixed(1)}%`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
