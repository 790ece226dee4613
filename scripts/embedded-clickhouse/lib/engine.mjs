// chDB engine access: native connections, one mutex per connection, a global
// lock for parameterised queries, and the per-connection fidelity state.

import { createRequire } from 'node:module';
import path from 'node:path';
import { parseEngineError, ClickHouseError } from './errors.mjs';

const require = createRequire(import.meta.url);

/** Load the chdb native addon (the package's own loader; gives access to the raw-insert entry). */
export function loadNative() {
  const pkgDir = path.dirname(require.resolve('chdb/package.json'));
  return require(path.join(pkgDir, 'dist', 'loader.js')).loadNative();
}

export const native = loadNative();

/** A FIFO mutex. */
export class Mutex {
  constructor() {
    this.tail = Promise.resolve();
    this.waiting = 0;
    this.locked = false;
  }

  /** Run fn exclusively; returns its promise. */
  run(fn) {
    this.waiting++;
    const p = this.tail.then(async () => {
      this.waiting--;
      this.locked = true;
      try {
        return await fn();
      } finally {
        this.locked = false;
      }
    });
    this.tail = p.then(() => {}, () => {});
    return p;
  }

  get load() {
    return this.waiting + (this.locked ? 1 : 0);
  }
}

// Parameterised queries set/reset engine-wide parameter state in this libchdb
// build: two running at once on different connections clobber each other. The
// chdb package serialises them process-wide; so do we.
const paramLock = new Mutex();

// chDB changes a few defaults compared with clickhouse-server; reset them.
const FIDELITY_RESETS = [
  'implicit_select', 'allow_introspection_functions', 'storage_file_read_method',
  'output_format_arrow_use_native_writer',
];

export class Connection {
  constructor(dataPath, id) {
    this.id = id;
    this.handle = native.CreateConnection(dataPath);
    if (!this.handle) throw new Error(`failed to create chDB connection for ${dataPath}`);
    this.mutex = new Mutex();
    this.currentDb = 'default';
    this.baseline = new Map(); // setting name -> value of settings "changed" at open
    this.closed = false;
  }

  /** Plain query; resolves {bytes, rowsRead, bytesRead, elapsed}; rejects with ClickHouseError. */
  async query(sql, format = 'TabSeparated', params) {
    if (this.closed) throw new ClickHouseError(1002, 'UNKNOWN_EXCEPTION', 'Connection is closed');
    try {
      if (params && Object.keys(params).length) {
        return await paramLock.run(() => native.QueryAsyncConnection(this.handle, sql, format, params));
      }
      return await native.QueryAsyncConnection(this.handle, sql, format);
    } catch (e) {
      throw parseEngineError(e);
    }
  }

  /**
   * Streams a query's result chunk by chunk (the engine's own streaming entry, one block or so per
   * chunk): awaits onChunk(buffer) for each; a false return cancels the query. Memory stays at a
   * chunk, whatever the result's size. Resolves {rows, cancelled}; rejects with ClickHouseError.
   */
  async stream(sql, format, params, onChunk) {
    if (this.closed) throw new ClickHouseError(1002, 'UNKNOWN_EXCEPTION', 'Connection is closed');
    let handle;
    try {
      // Parameters are bound when the query starts (engine-wide state in this build: one at a time).
      handle = params && Object.keys(params).length
        ? await paramLock.run(async () => native.StreamQuery(this.handle, sql, format, params))
        : native.StreamQuery(this.handle, sql, format);
    } catch (e) {
      throw parseEngineError(e);
    }
    let rows = 0;
    try {
      for (;;) {
        let raw;
        try {
          raw = await native.StreamFetch(handle);
        } catch (e) {
          throw parseEngineError(e);
        }
        if (raw.done) return { rows, cancelled: false };
        rows += raw.numRows || 0;
        const b = raw.bytes;
        const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
        if ((await onChunk(buf)) === false) return { rows, cancelled: true };
      }
    } finally {
      // Frees the stream (and cancels the query when it has not finished); no fetch is in flight here.
      try { native.StreamCancel(handle); } catch { /* already gone */ }
    }
  }

  /**
   * Run a statement through the raw-insert entry with an empty payload: the
   * only native path that reports rows/bytes written.
   */
  async exec(sql) {
    if (this.closed) throw new ClickHouseError(1002, 'UNKNOWN_EXCEPTION', 'Connection is closed');
    try {
      return await native.InsertRawAsyncConnection(this.handle, sql, EMPTY, false);
    } catch (e) {
      throw parseEngineError(e);
    }
  }

  /** Throw-away query that clears output a failed query left behind (chDB quirk). */
  async drain() {
    try {
      await native.QueryAsyncConnection(this.handle, 'SELECT 1 FORMAT Null', 'Null');
    } catch { /* ignore */ }
  }

  async init() {
    await this.query(FIDELITY_RESETS.map((s) => `${s} = DEFAULT`).join(', ').replace(/^/, 'SET '));
    this.baseline = await this.changedSettings();
  }

  /** Map name -> value of settings that differ from their defaults. */
  async changedSettings() {
    const r = await this.query('SELECT name, value FROM system.settings WHERE changed', 'JSONCompactEachRow');
    const out = new Map();
    for (const line of Buffer.from(r.bytes).toString('utf8').split('\n')) {
      if (!line) continue;
      const [n, v] = JSON.parse(line);
      out.set(n, v);
    }
    return out;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    try { native.CloseConnection(this.handle); } catch { /* best effort */ }
  }
}

const EMPTY = Buffer.alloc(0);
