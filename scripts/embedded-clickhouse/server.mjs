#!/usr/bin/env node
// Embedded ClickHouse HTTP endpoint over the in-process chDB engine.
// See README.md in this directory for usage, supported features and gaps.

import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';

import { analyze, quoteString, quoteIdent } from './lib/sql.mjs';
import { ClickHouseError, chError, CODES } from './lib/errors.mjs';
import { Connection, Mutex } from './lib/engine.mjs';
import { encodeNativeBlocks, decodeNativeBlocks, encodeLz4Frame, decodeLz4Frame } from './lib/native-compression.mjs';
import { loadUsers, checkStatement } from './lib/grants.mjs';

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

function usage(msg) {
  if (msg) process.stderr.write(`embedded-clickhouse: ${msg}\n`);
  process.stderr.write(`Usage: node server.mjs --path <data dir> [--port 0] [--host 127.0.0.1]
       [--pool-size 4] [--parent-pid <pid>] [--tmp-dir <dir>] [--response-buffer <bytes>]
       [--require-user <name> --require-password-file <file> | --users-file <json>]
       [--tls-cert <pem> --tls-key <pem> | --tls-pfx <p12> [--tls-pfx-password-file <file>]]
       [--verbose] [--log-requests]
`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    port: 0, host: '127.0.0.1', path: null, poolSize: 4, parentPid: null, tmpDir: null, responseBuffer: 1 << 20,
    requireUser: null, requirePasswordFile: null, usersFile: null, verbose: false, logRequests: false,
    tlsCert: null, tlsKey: null, tlsPfx: null, tlsPfxPasswordFile: null,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    const val = () => {
      if (v !== undefined) return v;
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case '--port': o.port = Number(val()); break;
      case '--host': o.host = val(); break;
      case '--path': o.path = val(); break;
      case '--pool-size': o.poolSize = Number(val()); break;
      case '--response-buffer': o.responseBuffer = Number(val()); break;
      case '--parent-pid': o.parentPid = Number(val()); break;
      case '--tmp-dir': o.tmpDir = val(); break;
      case '--require-user': o.requireUser = val(); break;
      case '--require-password-file': o.requirePasswordFile = val(); break;
      case '--users-file': o.usersFile = val(); break;
      case '--tls-cert': o.tlsCert = val(); break;
      case '--tls-key': o.tlsKey = val(); break;
      case '--tls-pfx': o.tlsPfx = val(); break;
      case '--tls-pfx-password-file': o.tlsPfxPasswordFile = val(); break;
      case '--verbose': o.verbose = true; o.logRequests = true; break;
      case '--log-requests': o.logRequests = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!o.path) usage('--path is required');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) usage('invalid --port');
  if (!Number.isInteger(o.poolSize) || o.poolSize < 1 || o.poolSize > 64) usage('invalid --pool-size');
  if (o.parentPid !== null && !(Number.isInteger(o.parentPid) && o.parentPid > 0)) usage('invalid --parent-pid');
  if (o.requirePasswordFile && !o.requireUser) usage('--require-password-file needs --require-user');
  if (o.usersFile && o.requireUser) usage('use either --require-user or --users-file');
  if ((o.tlsCert === null) !== (o.tlsKey === null)) usage('--tls-cert and --tls-key go together');
  if (o.tlsPfx && o.tlsCert) usage('use either --tls-cert/--tls-key or --tls-pfx');
  if (o.tlsPfxPasswordFile && !o.tlsPfx) usage('--tls-pfx-password-file needs --tls-pfx');
  return o;
}

const opts = parseArgs(process.argv.slice(2));

function log(...args) {
  process.stderr.write(`[embedded-clickhouse] ${args.join(' ')}\n`);
}

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

// URL parameters that belong to the HTTP layer and are not engine settings.
const HTTP_PARAMS = new Set([
  'query', 'database', 'default_format', 'query_id', 'user', 'password', 'quota_key', 'role',
  'compress', 'decompress', 'enable_http_compression', 'http_zlib_compression_level',
  'http_native_compression_disable_checksumming_on_decompress',
  'wait_end_of_query', 'buffer_size', 'http_response_buffer_size', 'http_wait_end_of_query',
  'session_id', 'session_timeout', 'session_check',
  'send_progress_in_http_headers', 'http_headers_progress_interval_ms',
  'client_protocol_version', 'add_http_cors_header', 'stacktrace', 'readonly',
  'cancel_http_readonly_queries_on_client_close', 'http_write_exception_in_output_format',
  'output_format_parallel_formatting_http', 'max_query_size_http',
]);

const DEFAULT_SESSION_TIMEOUT = 60;
const MAX_SESSION_TIMEOUT = 3600;
const KEEP_ALIVE_SECONDS = 30;

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

const dataPath = path.resolve(opts.path);
fs.mkdirSync(dataPath, { recursive: true });

const tmpRoot = (() => {
  let base = opts.tmpDir;
  if (!base) {
    try {
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      base = '/dev/shm';
    } catch {
      base = os.tmpdir();
    }
  }
  fs.mkdirSync(base, { recursive: true });
  // Remove staging directories left behind by servers that were killed (-9). A PID that looks
  // dead may belong to another PID namespace sharing /dev/shm, so only directories untouched for
  // ten minutes go (a live server also recreates its directory if it vanishes).
  for (const name of fs.readdirSync(base)) {
    const m = /^embedded-clickhouse-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    let alive = true;
    try { process.kill(Number(m[1]), 0); } catch (e) { alive = e.code !== 'ESRCH'; }
    let stale = false;
    try { stale = Date.now() - fs.statSync(path.join(base, name)).mtimeMs > 10 * 60 * 1000; } catch { /* gone */ }
    if (!alive && stale) {
      try { fs.rmSync(path.join(base, name), { recursive: true, force: true }); } catch { /* ignore */ }
    }
  }
  return fs.mkdtempSync(path.join(base, `embedded-clickhouse-${process.pid}-`));
})();
let tmpCounter = 0;

let requiredPassword = null;
if (opts.requirePasswordFile) {
  requiredPassword = fs.readFileSync(opts.requirePasswordFile, 'utf8').replace(/\r?\n$/, '');
}

/** --users-file: user name -> { password, grants }, or null (no access control beyond --require-user). */
let users = null;
if (opts.usersFile) {
  try {
    users = loadUsers(opts.usersFile);
  } catch (e) {
    process.stderr.write(`embedded-clickhouse: cannot use --users-file: ${e.message}\n`);
    process.exit(2);
  }
}

/**
 * Key material for HTTPS, or null for plain HTTP. Checked before the engine opens, so unreadable
 * files, a wrong PFX password or a key that does not match its certificate fail fast (exit 2).
 */
function tlsOptions() {
  let material = null;
  try {
    if (opts.tlsCert) {
      material = { cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) };
    } else if (opts.tlsPfx) {
      const passphrase = opts.tlsPfxPasswordFile
        ? fs.readFileSync(opts.tlsPfxPasswordFile, 'utf8').replace(/\r?\n$/, '') : undefined;
      material = { pfx: fs.readFileSync(opts.tlsPfx), passphrase };
    }
    if (material) tls.createSecureContext(material);
  } catch (e) {
    usage(`cannot use the TLS key material: ${e.message}`);
  }
  return material;
}
const tlsMaterial = tlsOptions();

const pool = [];
const sessions = new Map(); // session_id -> { conn, timer, timeoutSec }
let engineVersion = 'unknown';
let engineTimezone = 'UTC';
const displayName = os.hostname();
let shuttingDown = false;
let server;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let len = 0;
    req.on('data', (c) => { chunks.push(c); len += c.length; });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, len)));
    req.on('error', reject);
  });
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);
const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotliCompress = promisify(zlib.brotliCompress);

async function decodeContentEncoding(body, encoding) {
  if (!encoding) return body;
  const enc = encoding.trim().toLowerCase();
  try {
    if (enc === '' || enc === 'identity' || enc === 'none') return body;
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzip(body);
    if (enc === 'deflate') return await inflate(body);
    if (enc === 'br') return await brotliDecompress(body);
    if (enc === 'lz4') return decodeLz4Frame(body);
  } catch (e) {
    if (e instanceof ClickHouseError) throw e;
    throw chError('CANNOT_DECOMPRESS', `Cannot decompress request body (${enc}): ${e.message}`);
  }
  throw new ClickHouseError(CODES.NOT_IMPLEMENTED, 'NOT_IMPLEMENTED',
    `Content-Encoding '${enc}' is not supported by the embedded endpoint (supported: gzip, deflate, br, lz4)`);
}

// Request Content-Encodings the engine decodes itself when an INSERT body is staged in a file, by
// the engine's name for them ('none' for a plain body); undefined: decoded here, in memory, or
// refused (decodeContentEncoding).
const ENGINE_DECODED = new Map([['', 'none'], ['identity', 'none'], ['none', 'none'], ['gzip', 'gzip'],
  ['x-gzip', 'gzip'], ['deflate', 'deflate'], ['br', 'br'], ['lz4', 'lz4']]);

function engineDecodedEncoding(header) {
  if (header === undefined) return 'none';
  return ENGINE_DECODED.get(String(header).trim().toLowerCase());
}

function pickAcceptEncoding(header) {
  if (!header) return null;
  const list = header.toLowerCase().split(',').map((s) => s.trim().split(';')[0]);
  for (const e of ['gzip', 'deflate', 'br', 'lz4']) if (list.includes(e)) return e;
  return null;
}

function contentTypeFor(format) {
  const f = String(format).toLowerCase();
  if (f === 'jsoneachrow' || f === 'ndjson' || f === 'jsonlines') return 'application/x-ndjson; charset=UTF-8';
  if (f.startsWith('json')) return 'application/json; charset=UTF-8';
  if (f.startsWith('tabseparated') || f.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (f.startsWith('csv')) return 'text/csv; charset=UTF-8; header=absent';
  if (f === 'xml') return 'application/xml; charset=UTF-8';
  if (f.startsWith('rowbinary') || f === 'native' || f === 'parquet' || f.startsWith('arrow')
      || f === 'orc' || f === 'avro' || f === 'msgpack' || f === 'protobuf' || f === 'capnproto'
      || f === 'npy' || f === 'bson' || f === 'rawblob') {
    return 'application/octet-stream';
  }
  return 'text/plain; charset=UTF-8';
}

function credentials(req, qp) {
  let user = null;
  let password = null;
  const auth = req.headers.authorization;
  if (auth && /^basic\s+/i.test(auth)) {
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    user = i >= 0 ? decoded.slice(0, i) : decoded;
    password = i >= 0 ? decoded.slice(i + 1) : '';
  }
  if (req.headers['x-clickhouse-user'] !== undefined) {
    user = String(req.headers['x-clickhouse-user']);
    password = String(req.headers['x-clickhouse-key'] ?? '');
  }
  if (qp.has('user')) {
    user = qp.get('user');
    password = qp.get('password') ?? '';
  }
  return { user: user || 'default', password: password ?? '' };
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A new, unused path in the staging directory. */
function stagingPath() {
  return path.join(tmpRoot, `insert-${process.pid}-${++tmpCounter}.dat`);
}

async function writeTempFile(data) {
  const file = stagingPath();
  try {
    await fsp.writeFile(file, data, { mode: 0o600 });
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    // The staging directory was removed under us (e.g. a tmp cleaner): recreate it.
    await fsp.mkdir(tmpRoot, { recursive: true, mode: 0o700 });
    await fsp.writeFile(file, data, { mode: 0o600 });
  }
  return file;
}

/** Streams a request body into a new staging file (memory: a few socket buffers); returns its path. */
async function spoolBody(req) {
  const file = stagingPath();
  await fsp.mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  try {
    await pipeline(req, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    fsp.unlink(file).catch(() => {});
    throw new ClickHouseError(210, 'NETWORK_ERROR', `Cannot read the request body: ${e.message}`);
  }
  return file;
}

function lineCol(buf, offset) {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < buf.length; i++) {
    if (buf[i] === 0x0a) { line++; col = 1; } else col++;
  }
  return { line, col };
}

/** Statement text for --verbose logs: data payloads cut off, passwords redacted. */
function statementHead(stmt, analysis) {
  const end = analysis.insert && analysis.insert.dataStart >= 0 ? analysis.insert.dataStart : stmt.length;
  let t = stmt.toString('utf8', 0, Math.min(end, 300)).replace(/\s+/g, ' ').trim();
  if (end > 300) t += ' ...';
  if (analysis.insert && analysis.insert.dataStart >= 0) t += ` <${stmt.length - analysis.insert.dataStart} bytes of data>`;
  return t.replace(/(IDENTIFIED\b[^']*?BY\s+)'(?:[^'\\]|\\.)*'/gi, "$1'***'").replace(/(PASSWORD\s*=?\s*)'(?:[^'\\]|\\.)*'/gi, "$1'***'");
}

function formatSetValue(v) {
  return quoteString(v);
}

// ---------------------------------------------------------------------------
// Connections: pool + sessions
// ---------------------------------------------------------------------------

async function openConnection(id) {
  const conn = new Connection(dataPath, id);
  try {
    await conn.init();
  } catch (e) {
    conn.close();
    throw e;
  }
  return conn;
}

function pickPooled() {
  let best = pool[0];
  for (const c of pool) if (c.mutex.load < best.mutex.load) best = c;
  return best;
}

async function getSession(sid, qp) {
  let timeoutSec = DEFAULT_SESSION_TIMEOUT;
  if (qp.has('session_timeout')) {
    const t = Number(qp.get('session_timeout'));
    if (!Number.isFinite(t) || t < 0) {
      throw chError('BAD_ARGUMENTS', `Invalid session timeout: '${qp.get('session_timeout')}'`);
    }
    if (t > MAX_SESSION_TIMEOUT) {
      throw chError('BAD_ARGUMENTS',
        `Session timeout '${t}' is larger than max_session_timeout: ${MAX_SESSION_TIMEOUT}. Maximum session timeout could be modified in configuration file.`);
    }
    timeoutSec = t;
  }
  let s = sessions.get(sid);
  if (!s) {
    if (qp.get('session_check') === '1') {
      throw new ClickHouseError(CODES.SESSION_NOT_FOUND, 'SESSION_NOT_FOUND', `Session ${sid} not found`);
    }
    s = { id: sid, conn: null, timer: null, timeoutSec, ready: null };
    sessions.set(sid, s);
    s.ready = openConnection(`session:${sid}`).then((c) => { s.conn = c; }, (e) => { sessions.delete(sid); throw e; });
  }
  await s.ready;
  s.timeoutSec = timeoutSec;
  if (s.timer) { clearTimeout(s.timer); s.timer = null; }
  return s;
}

function touchSession(s) {
  if (s.timer) clearTimeout(s.timer);
  s.timer = setTimeout(() => {
    if (sessions.get(s.id) !== s) return;
    sessions.delete(s.id);
    s.conn.mutex.run(async () => s.conn.close());
    if (opts.verbose) log(`session ${s.id} expired`);
  }, Math.max(1, s.timeoutSec) * 1000);
  s.timer.unref();
}

// ---------------------------------------------------------------------------
// Query execution
// ---------------------------------------------------------------------------

/**
 * Execute one request on a connection, holding its mutex.
 * Returns { bytes, rowsRead, bytesRead, rowsWritten, bytesWritten, isInsert }.
 */
async function runOnConnection(conn, isSession, job) {
  const { stmt, analysis, format, settings, params, database } = job;
  const settingKeys = Object.keys(settings);
  let savedDb = null;          // session: database to restore
  let savedSettings = null;    // session: name -> {value, changed}
  let settingsApplied = false;
  let failed = false;
  try {
    // 1. Current database.
    if (isSession) {
      if (database) {
        if (conn.currentDb === null) conn.currentDb = await currentDatabase(conn);
        if (conn.currentDb !== database) {
          savedDb = conn.currentDb;
          await conn.query(`USE ${quoteIdent(database)}`);
          conn.currentDb = database;
        }
      }
    } else {
      const target = database || 'default';
      if (conn.currentDb !== target) {
        conn.currentDb = null;
        await conn.query(`USE ${quoteIdent(target)}`);
        conn.currentDb = target;
      }
    }

    // 2. Per-query settings from the URL.
    if (settingKeys.length) {
      if (isSession) savedSettings = await readSettings(conn, settingKeys);
      settingsApplied = true;
      await conn.query('SET ' + settingKeys.map((k) => `${k} = ${formatSetValue(settings[k])}`).join(', '));
    }

    // 3. Privileges (--users-file): checked by the endpoint, the engine has no access control.
    if (job.grantsOf) {
      const db = conn.currentDb || database || 'default';
      await checkStatement(job.grantsOf.user, job.grantsOf.grants, stmt, analysis, db, (d, t) => columnsOf(conn, d, t));
    }

    // 4. The statement itself.
    return await execute(conn, stmt, analysis, format, params, job.responder, job.staged, job.stagedCompression);
  } catch (e) {
    failed = true;
    await conn.drain();
    throw e;
  } finally {
    await cleanup(conn, isSession, job, { savedDb, savedSettings, settingsApplied, failed });
  }
}

async function columnsOf(conn, database, table) {
  const r = await conn.query(`SELECT name FROM system.columns WHERE database = ${quoteString(database)}`
    + ` AND table = ${quoteString(table)} ORDER BY position`, 'TabSeparatedRaw');
  return Buffer.from(r.bytes).toString('utf8').split('\n').filter((l) => l.length > 0);
}

async function currentDatabase(conn) {
  const r = await conn.query('SELECT currentDatabase()', 'TabSeparatedRaw');
  return Buffer.from(r.bytes).toString('utf8').replace(/\n$/, '');
}

async function readSettings(conn, keys) {
  const r = await conn.query(
    `SELECT name, value, changed FROM system.settings WHERE name IN (${keys.map(quoteString).join(', ')})`,
    'JSONCompactEachRow');
  const out = new Map();
  for (const line of Buffer.from(r.bytes).toString('utf8').split('\n')) {
    if (!line) continue;
    const [n, v, ch] = JSON.parse(line);
    out.set(n, { value: v, changed: Number(ch) === 1 });
  }
  return out;
}

async function cleanup(conn, isSession, job, st) {
  const { analysis, settings } = job;
  const keys = Object.keys(settings);
  const safe = async (sql) => {
    try { await conn.query(sql); return true; } catch { await conn.drain(); return false; }
  };
  // Restore URL settings.
  if (st.settingsApplied && keys.length) {
    const restoreExpr = (k) => {
      if (isSession) {
        const prev = st.savedSettings && st.savedSettings.get(k);
        return prev && prev.changed ? `${k} = ${quoteString(prev.value)}` : `${k} = DEFAULT`;
      }
      return conn.baseline.has(k) ? `${k} = ${quoteString(conn.baseline.get(k))}` : `${k} = DEFAULT`;
    };
    if (!(await safe('SET ' + keys.map(restoreExpr).join(', ')))) {
      for (const k of keys) await safe(`SET ${restoreExpr(k)}`);
    }
  }
  if (!isSession) {
    // A session-less SET must not stick to the pooled connection.
    if (analysis.kind === 'SET') await resetToBaseline(conn);
    // Nor a session-less temporary table.
    if (analysis.temporary) await dropTemporaryTables(conn);
    if (analysis.kind === 'USE') conn.currentDb = null;
  } else {
    if (analysis.kind === 'USE' && !st.failed) {
      conn.currentDb = null;
      st.savedDb = null; // an explicit USE in a session wins
    }
    if (st.savedDb !== null) {
      if (!(await safe(`USE ${quoteIdent(st.savedDb)}`))) conn.currentDb = null;
      else conn.currentDb = st.savedDb;
    }
  }
}

async function resetToBaseline(conn) {
  try {
    const now = await conn.changedSettings();
    const parts = [];
    for (const [k, v] of now) {
      if (!conn.baseline.has(k)) parts.push(`${k} = DEFAULT`);
      else if (conn.baseline.get(k) !== v) parts.push(`${k} = ${quoteString(conn.baseline.get(k))}`);
    }
    for (const [k, v] of conn.baseline) if (!now.has(k)) parts.push(`${k} = ${quoteString(v)}`);
    if (parts.length) await conn.query('SET ' + parts.join(', '));
  } catch (e) {
    await conn.drain();
    if (opts.verbose) log(`resetToBaseline failed on ${conn.id}: ${e.message}`);
  }
}

async function dropTemporaryTables(conn) {
  try {
    const r = await conn.query('SELECT name FROM system.tables WHERE is_temporary', 'JSONCompactEachRow');
    for (const line of Buffer.from(r.bytes).toString('utf8').split('\n')) {
      if (!line) continue;
      const [name] = JSON.parse(line);
      await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${quoteIdent(name)}`);
    }
  } catch (e) {
    await conn.drain();
    if (opts.verbose) log(`dropTemporaryTables failed on ${conn.id}: ${e.message}`);
  }
}

function formatNameSql(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

async function execute(conn, stmt, analysis, format, params, responder, staged, stagedCompression = 'none') {
  const ins = analysis.insert;
  const hasParams = Object.keys(params).length > 0;
  if (ins && (ins.mode === 'format' || ins.mode === 'values')) {
    const data = stmt.subarray(ins.dataStart);
    const inline = !staged && ins.mode === 'values' && isUtf8(data);
    if (!inline) {
      // Payload -> temp file + INSERT ... FROM INFILE (binary-safe; avoids the
      // chDB cut at the first empty line of inline data). A streamed body is
      // already in its staging file (handleRequest removes that one).
      const target = stmt.toString('utf8', 0, ins.targetEnd).trimEnd();
      const settingsClause = ins.settingsStart >= 0
        ? ' ' + stmt.toString('utf8', ins.settingsStart, ins.settingsEnd).trim() : '';
      const fmt = ins.mode === 'values' ? 'Values' : formatNameSql(ins.format);
      const file = staged || await writeTempFile(data);
      try {
        const compression = staged ? stagedCompression : 'none';
        const sql = `${target} FROM INFILE ${quoteString(file)} COMPRESSION '${compression}'${settingsClause} FORMAT ${fmt}`;
        const r = await conn.exec(sql);
        return { bytes: null, rowsWritten: r.rowsWritten, bytesWritten: r.bytesWritten, isInsert: true };
      } finally {
        if (!staged) fsp.unlink(file).catch(() => {});
      }
    }
  }
  const sql = stmt.toString('utf8');
  if (ins && !hasParams) {
    // Inline VALUES / INSERT ... SELECT: the raw-insert entry reports written rows.
    const r = await conn.exec(sql);
    return { bytes: null, rowsWritten: r.rowsWritten, bytesWritten: r.bytesWritten, isInsert: true };
  }
  if (!ins && responder && STREAMED_KINDS.has(analysis.kind) && STREAMED_FORMATS.has(format.toLowerCase())) {
    return streamResult(conn, sql, format, hasParams ? params : undefined, responder);
  }
  const r = await conn.query(sql, format, hasParams ? params : undefined);
  return {
    bytes: r.bytes, rowsRead: r.rowsRead, bytesRead: r.bytesRead,
    rowsWritten: 0, bytesWritten: 0, isInsert: !!ins,
  };
}

// Statements whose result is streamed (a SELECT can return any amount of data).
const STREAMED_KINDS = new Set(['SELECT', 'WITH', '(']);
// Formats whose chunks concatenate to the whole result: one row after another, no header, footer or
// separator between chunks. The engine formats each streamed chunk on its own, so a format with a
// header (…WithNames…, the JDBC driver's RowBinaryWithNamesAndTypes), a wrapper (JSON, XML), a
// separator (Values) or per-chunk framing (Pretty, Parquet) is answered whole, as before.
const STREAMED_FORMATS = new Set(['tabseparated', 'tsv', 'tabseparatedraw', 'tsvraw', 'csv', 'rowbinary',
  'jsoneachrow', 'jsoncompacteachrow', 'jsonstringseachrow', 'jsoncompactstringseachrow', 'jsonlines', 'ndjson']);

/**
 * A SELECT's result, as a real server sends it: up to --response-buffer bytes are held, and a
 * result that fits goes out as one response with Content-Length and a complete summary; a larger
 * one is sent chunked as the engine produces it, so memory stays at the buffer plus one chunk
 * however large the result. A client that goes away cancels the query. An error after the first
 * bytes were sent ends the body with ClickHouse's exception text, as clickhouse-server does.
 */
async function streamResult(conn, sql, format, params, responder) {
  const held = [];
  let heldBytes = 0;
  let streaming = false;
  let r;
  try {
    r = await conn.stream(sql, format, params, async (chunk) => {
      if (!streaming) {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes <= opts.responseBuffer) return true;
        streaming = true;
        const first = Buffer.concat(held);
        held.length = 0;
        return responder.begin(first);
      }
      return responder.write(chunk);
    });
  } catch (e) {
    if (!streaming) throw e;
    responder.fail(e);
    return { streamed: true };
  }
  if (streaming) {
    responder.end(r.cancelled);
    return { streamed: true };
  }
  const bytes = Buffer.concat(held);
  return { bytes, rowsRead: r.rows, bytesRead: bytes.length, rowsWritten: 0, bytesWritten: 0, isInsert: false };
}

// ---------------------------------------------------------------------------
// HTTP handling
// ---------------------------------------------------------------------------

function baseHeaders(ctx) {
  return {
    'X-ClickHouse-Server-Display-Name': displayName,
    'X-ClickHouse-Query-Id': ctx.queryId,
    'X-ClickHouse-Timezone': ctx.timezone,
    'X-ClickHouse-Format': ctx.format,
    'Keep-Alive': `timeout=${KEEP_ALIVE_SECONDS}`,
  };
}

function sendError(res, ctx, err) {
  if (!(err instanceof ClickHouseError)) {
    err = new ClickHouseError(CODES.STD_EXCEPTION, 'STD_EXCEPTION', String(err && err.message || err));
  }
  const body = Buffer.from(err.body(engineVersion), 'utf8');
  if (res.headersSent) { res.destroy(); return err; }
  const headers = {
    ...baseHeaders(ctx),
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(err.code),
    'Content-Length': body.length,
  };
  if (shuttingDown) headers.Connection = 'close';
  res.writeHead(err.httpStatus, headers);
  res.end(ctx.method === 'HEAD' ? undefined : body);
  return err;
}

/** The X-ClickHouse-Summary of a statement's result, every value a string as the server sends them. */
function summaryOf(result, elapsedNs) {
  const summary = result.isInsert
    ? {
      read_rows: result.rowsWritten, read_bytes: result.bytesWritten,
      written_rows: result.rowsWritten, written_bytes: result.bytesWritten,
      total_rows_to_read: 0, result_rows: result.rowsWritten, result_bytes: result.bytesWritten,
    }
    : {
      read_rows: result.rowsRead, read_bytes: result.bytesRead,
      written_rows: 0, written_bytes: 0,
      total_rows_to_read: 0, result_rows: result.rowsRead, result_bytes: result.bytesRead,
    };
  summary.elapsed_ns = elapsedNs;
  return JSON.stringify(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, String(v ?? 0)])));
}

/**
 * Writes a streamed SELECT result (streamResult): headers with the first bytes, then each chunk,
 * waiting for the client to take it (back-pressure: the engine is not asked for more meanwhile).
 * write() answers false once the client is gone, which cancels the query.
 */
function responderFor(res, ctx, started) {
  let gone = false;
  res.on('close', () => { if (!res.writableFinished) gone = true; });
  const open = () => !gone && !res.destroyed;
  const write = async (buf) => {
    if (!open()) return false;
    if (!res.write(buf)) {
      await new Promise((resolve) => {
        const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    return open();
  };
  return {
    begin(first) {
      const headers = {
        ...baseHeaders(ctx),
        'Content-Type': contentTypeFor(ctx.format),
        // Sent before the result is known: zeros, as a server streaming without wait_end_of_query.
        'X-ClickHouse-Summary': summaryOf({ rowsRead: 0, bytesRead: 0 }, process.hrtime.bigint() - started),
      };
      if (shuttingDown) headers.Connection = 'close';
      res.writeHead(200, headers); // no Content-Length: chunked
      return write(first);
    },
    write,
    end(cancelled) {
      if (cancelled || !open()) { res.destroy(); return; }
      res.end();
    },
    fail(e) {
      const err = e instanceof ClickHouseError ? e
        : new ClickHouseError(CODES.STD_EXCEPTION, 'STD_EXCEPTION', String(e && e.message || e));
      if (open()) res.end(Buffer.from(err.body(engineVersion), 'utf8'));
    },
  };
}

function sendText(res, status, text, extra = {}) {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=UTF-8',
    'Content-Length': body.length,
    'Keep-Alive': `timeout=${KEEP_ALIVE_SECONDS}`,
    ...extra,
  });
  res.end(body);
}

async function handleRequest(req, res) {
  const started = process.hrtime.bigint();
  const url = new URL(req.url, 'http://localhost');
  const qp = url.searchParams;
  const ctx = {
    method: req.method,
    queryId: String(req.headers['x-clickhouse-query-id'] || qp.get('query_id') || randomUUID()),
    timezone: qp.get('session_timezone') || engineTimezone,
    format: 'TabSeparated',
  };
  const pathname = url.pathname;

  if (pathname === '/ping' || pathname === '/replicas_status') {
    // Drain any body so keep-alive stays sane.
    req.resume();
    return sendText(res, 200, 'Ok.\n');
  }
  if (pathname !== '/') {
    req.resume();
    return sendText(res, 404,
      `There is no handle ${pathname}\n\nUse / or /ping for health checks.\nOr /replicas_status for more sophisticated health checks.\n\nSend queries from your program with POST method or GET /?query=...\n\nUse clickhouse-client:\n\nFor interactive data analysis:\n    clickhouse-client\n\nFor batch query processing:\n    clickhouse-client --query='SELECT 1' > result\n    clickhouse-client < query > result\n`);
  }
  if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
    req.resume();
    return sendError(res, ctx, chError('BAD_ARGUMENTS', `HTTP method ${req.method} is not supported`));
  }

  let status = 200;
  let code = 0;
  let kind = '';
  let staged = null; // the staging file of a streamed INSERT body
  let stagedCompression = 'none'; // how it is compressed (the engine's name for it)
  try {
    if (shuttingDown) throw new ClickHouseError(210, 'NETWORK_ERROR', 'Server is shutting down');

    // Authentication (only when configured).
    const cred = credentials(req, qp);
    ctx.user = cred.user;
    if (users !== null) {
      const u = users.get(cred.user);
      if (!u || !safeEqual(cred.password, u.password)) {
        req.resume();
        throw chError('AUTHENTICATION_FAILED',
          `${cred.user}: Authentication failed: password is incorrect, or there is no user with such name`);
      }
    } else if (opts.requireUser !== null) {
      const okUser = safeEqual(cred.user, opts.requireUser);
      const okPass = requiredPassword === null || safeEqual(cred.password, requiredPassword);
      if (!okUser || !okPass) {
        req.resume();
        throw chError('AUTHENTICATION_FAILED',
          `${cred.user}: Authentication failed: password is incorrect, or there is no user with such name`);
      }
    }

    const queryParam = qp.get('query');
    // An INSERT … FORMAT in the URL (how clickhouse-java sends one): the body is the data alone and
    // goes straight to the staging file, never into memory whole. A compressed body is staged as it
    // came and the engine decompresses it (INFILE … COMPRESSION): ClickHouse's own decoders, as the
    // server's HTTP handler uses for Content-Encoding, checksums included.
    const encoding = engineDecodedEncoding(req.headers['content-encoding']);
    if (req.method === 'POST' && queryParam && encoding !== undefined && qp.get('decompress') !== '1') {
      const head = analyze(Buffer.from(queryParam, 'utf8'));
      if (head.insert && head.insert.mode === 'format' && head.multi < 0
          && head.insert.dataStart >= Buffer.byteLength(queryParam, 'utf8')) {
        staged = await spoolBody(req);
        stagedCompression = encoding;
      }
    }
    let body = staged ? Buffer.alloc(0) : await readBody(req);
    if (req.method === 'GET' && (queryParam === null || queryParam === '') && body.length === 0) {
      return sendText(res, 200, 'Ok.\n');
    }
    if (!staged) body = await decodeContentEncoding(body, req.headers['content-encoding']);
    if (qp.get('decompress') === '1' && body.length) {
      body = decodeNativeBlocks(body, qp.get('http_native_compression_disable_checksumming_on_decompress') !== '1');
    }
    let stmt;
    if (queryParam !== null && queryParam !== '') {
      stmt = body.length ? Buffer.concat([Buffer.from(queryParam + '\n', 'utf8'), body]) : Buffer.from(queryParam, 'utf8');
    } else {
      stmt = body;
    }

    const analysis = analyze(stmt);
    kind = analysis.kind;
    if (opts.verbose) log(`query ${ctx.queryId}: ${statementHead(stmt, analysis)}`);
    if (analysis.empty) throw chError('SYNTAX_ERROR', 'Empty query');
    if (analysis.multi >= 0) {
      const { line, col } = lineCol(stmt, analysis.multi);
      const snippet = stmt.toString('utf8', analysis.multi, Math.min(stmt.length, analysis.multi + 60)).replace(/\s+/g, ' ').trim();
      throw chError('SYNTAX_ERROR',
        `Syntax error (Multi-statements are not allowed): failed at position ${analysis.multi + 1} (end of query) (line ${line}, col ${col}): ${snippet}. `);
    }
    const readonlyParam = qp.get('readonly');
    const readonly = req.method === 'GET' || readonlyParam === '1' || readonlyParam === '2';
    if (readonly && !analysis.readOnly && analysis.kind !== 'SET' && analysis.kind !== 'USE') {
      throw chError('READONLY',
        req.method === 'GET'
          ? 'Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. You should use method POST for modifying queries'
          : 'Cannot execute query in readonly mode');
    }

    ctx.format = analysis.outputFormat || req.headers['x-clickhouse-format'] || qp.get('default_format') || 'TabSeparated';

    const settings = {};
    const params = {};
    for (const [k, v] of qp) {
      if (k.startsWith('param_')) { params[k.slice(6)] = v; continue; }
      if (HTTP_PARAMS.has(k)) continue;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw chError('UNKNOWN_SETTING', `Unknown setting '${k}'`);
      settings[k] = v;
    }
    const database = req.headers['x-clickhouse-database'] || qp.get('database') || null;
    const job = { stmt, analysis, format: ctx.format, settings, params, database, staged, stagedCompression,
      grantsOf: users === null ? null : { user: cred.user, grants: users.get(cred.user).grants } };
    if (req.method !== 'HEAD' && qp.get('compress') !== '1' && qp.get('enable_http_compression') !== '1') {
      job.responder = responderFor(res, ctx, started);
    }

    const sid = qp.get('session_id');
    let result;
    if (sid) {
      const s = await getSession(sid, qp);
      try {
        result = await s.conn.mutex.run(() => runOnConnection(s.conn, true, job));
      } finally {
        if (sessions.get(sid) === s) touchSession(s);
      }
    } else {
      const conn = pickPooled();
      result = await conn.mutex.run(() => runOnConnection(conn, false, job));
    }

    if (result.streamed) return; // sent as it was produced (streamResult)

    // Success response.
    const elapsedNs = process.hrtime.bigint() - started;
    const summaryJson = summaryOf(result, elapsedNs);

    let out = result.bytes ? Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength) : Buffer.alloc(0);
    const headers = {
      ...baseHeaders(ctx),
      'Content-Type': contentTypeFor(ctx.format),
      'X-ClickHouse-Summary': summaryJson,
    };
    if (qp.get('compress') === '1') {
      out = encodeNativeBlocks(out);
    }
    if (qp.get('enable_http_compression') === '1') {
      const enc = pickAcceptEncoding(req.headers['accept-encoding']);
      if (enc) {
        const level = Number(qp.get('http_zlib_compression_level'));
        const zopts = Number.isInteger(level) && level >= 1 && level <= 9 ? { level } : {};
        if (enc === 'gzip') out = await gzip(out, zopts);
        else if (enc === 'deflate') out = await deflate(out, zopts);
        else if (enc === 'br') out = await brotliCompress(out);
        else out = encodeLz4Frame(out);
        headers['Content-Encoding'] = enc;
      }
    }
    headers['Content-Length'] = out.length;
    if (shuttingDown) headers.Connection = 'close';
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : out);
  } catch (e) {
    const err = sendError(res, ctx, e);
    status = err.httpStatus;
    code = err.code;
    if (opts.verbose) log(`error ${err.code} ${err.name}: ${err.text}`);
  } finally {
    if (staged) fsp.unlink(staged).catch(() => {});
    if (opts.logRequests) {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const sid = qp.get('session_id');
      log(`${req.method} ${kind || '-'} user=${ctx.user || '-'}${sid ? ` session=${sid}` : ''} status=${status}${code ? ` code=${code}` : ''} ${ms.toFixed(1)}ms`);
    }
  }
}

// ---------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------

async function shutdown(reason) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (opts.verbose) log(`shutting down (${reason})`);
  const force = setTimeout(() => {
    log('shutdown timed out; exiting');
    cleanupTmp();
    process.exit(0);
  }, 15000);
  force.unref();
  if (server) {
    server.close();
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  }
  const all = [...pool, ...[...sessions.values()].map((s) => s.conn).filter(Boolean)];
  for (const s of sessions.values()) if (s.timer) clearTimeout(s.timer);
  await Promise.allSettled(all.map((c) => c.mutex.run(async () => c.close())));
  cleanupTmp();
  process.exit(0);
}

function cleanupTmp() {
  try { fs.rmSync(tmpRoot, { recursive: true, force: true }); } catch { /* ignore */ }
}

async function main() {
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));

  try {
    for (let i = 0; i < opts.poolSize; i++) pool.push(await openConnection(`pool-${i}`));
  } catch (e) {
    log(`cannot open the chDB engine on ${dataPath}: ${e.message}`);
    cleanupTmp();
    process.exit(1);
  }
  const info = await pool[0].query('SELECT version(), timezone()', 'TabSeparatedRaw');
  [engineVersion, engineTimezone] = Buffer.from(info.bytes).toString('utf8').trim().split('\t');

  const serverOptions = { keepAliveTimeout: KEEP_ALIVE_SECONDS * 1000, requestTimeout: 0 };
  const onRequest = (req, res) => {
    handleRequest(req, res).catch((e) => {
      log(`internal error: ${e && e.stack || e}`);
      try { res.destroy(); } catch { /* ignore */ }
    });
  };
  server = tlsMaterial
    ? https.createServer({ ...serverOptions, ...tlsMaterial }, onRequest)
    : http.createServer(serverOptions, onRequest);
  // A client that rejects the certificate aborts the handshake: nothing to answer.
  server.on('tlsClientError', (err) => { if (opts.logRequests) log(`TLS handshake failed: ${err.message}`); });
  server.headersTimeout = (KEEP_ALIVE_SECONDS + 30) * 1000;
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address();
  const shownHost = (opts.host === '0.0.0.0' || opts.host === '::' || opts.host === '') ? '127.0.0.1'
    : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  if (opts.verbose) {
    log(`chDB ${engineVersion} (timezone ${engineTimezone}) data=${dataPath} pool=${opts.poolSize} tmp=${tmpRoot}`);
  }
  process.stdout.write(`READY ${tlsMaterial ? 'https' : 'http'}://${shownHost}:${port}\n`);

  if (opts.parentPid) {
    const t = setInterval(() => {
      try {
        process.kill(opts.parentPid, 0);
      } catch (e) {
        if (e.code === 'ESRCH') {
          clearInterval(t);
          shutdown(`parent ${opts.parentPid} is gone`);
        }
      }
    }, 1000);
    t.unref();
  }
}

main().catch((e) => {
  log(`fatal: ${e && e.stack || e}`);
  cleanupTmp();
  process.exit(1);
});
