// Users and privileges for the embedded endpoint (--users-file), emulating the part of ClickHouse's
// access control the project's tests need: the engine behind the endpoint (chDB) has no access
// management, so the endpoint checks each statement itself before running it.
//
// What is emulated (ClickHouse docs: "GRANT", "Privileges"):
// - users with a password and a list of grants, `ALL`, `INSERT[(cols)] ON db.table|db.*|*.*`,
//   `SELECT[(cols)] ON …` and `SHOW TABLES ON …`;
// - INSERT needs INSERT on every column written (the statement's column list, else every column);
// - SELECT needs SELECT on every column of a user table the statement mentions (identifiers
//   matched against the table's columns), or on any one column when it mentions none (count());
// - system and information_schema tables are readable by everyone (the server default,
//   select_from_system_db_requires_grant = 0);
// - every other statement (DDL, OPTIMIZE, DELETE, SYSTEM, …) needs ALL;
// - a denied statement fails with code 497 ACCESS_DENIED and ClickHouse's message naming the grant.
// Gaps (listed in README.md): no GRANT/REVOKE/CREATE USER statements, roles, row policies,
// quotas or settings profiles; system.tables and system.columns list every table to every user (a
// server lists only those the user holds a privilege on, e.g. SHOW TABLES); SELECT column detection
// over-approximates (an alias named like a column counts as reading it); table functions and
// dictionaries are not checked.

import fs from 'node:fs';
import { Lexer } from './sql.mjs';
import { chError } from './errors.mjs';

const GRANT = /^\s*(ALL|INSERT|SELECT|SHOW\s+TABLES)\s*(?:\(([^)]*)\))?\s*(?:ON\s+(`[^`]+`|[A-Za-z0-9_]+|\*)\s*\.\s*(`[^`]+`|[A-Za-z0-9_]+|\*))?\s*$/i;
const FREE_DATABASES = new Set(['system', 'information_schema', 'INFORMATION_SCHEMA']);
const READ_KINDS = new Set(['SELECT', 'WITH', '(']);
const FREE_KINDS = new Set(['SHOW', 'DESC', 'DESCRIBE', 'EXISTS', 'EXPLAIN', 'SET', 'USE']);

function unquote(s) {
  return s && s.startsWith('`') ? s.slice(1, -1) : s;
}

/** Parses one grant, e.g. `SELECT(a, b) ON db.t`. */
export function parseGrant(text) {
  const m = GRANT.exec(text);
  if (!m) throw new Error(`cannot parse grant '${text}'`);
  const priv = m[1].toUpperCase().replace(/\s+/g, ' ');
  if (priv === 'ALL') return { priv, db: '*', table: '*', columns: null };
  if (!m[3]) throw new Error(`grant '${text}' needs ON db.table`);
  const columns = m[2] === undefined ? null : m[2].split(',').map((c) => unquote(c.trim())).filter(Boolean);
  return { priv, db: unquote(m[3]), table: unquote(m[4]), columns };
}

/** Reads {"user": {"password": "…", "grants": ["…"]}, …}. */
export function loadUsers(file) {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const users = new Map();
  for (const [name, u] of Object.entries(raw)) {
    users.set(name, { password: String(u.password ?? ''), grants: (u.grants || []).map(parseGrant) });
  }
  return users;
}

function covers(g, priv, db, table) {
  return (g.priv === 'ALL' || g.priv === priv) && (g.db === '*' || g.db === db) && (g.table === '*' || g.table === table);
}

/** Whether `grants` allow `priv` on column `column` (null: on the table as a whole) of db.table. */
export function allows(grants, priv, db, table, column) {
  return grants.some((g) => covers(g, priv, db, table) && (g.columns === null || column === null || g.columns.includes(column)));
}

function denied(user, what) {
  return chError('ACCESS_DENIED', `${user}: Not enough privileges. To execute this query, it's necessary to have the grant ${what}`);
}

function quoteName(s) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : '`' + s.replace(/`/g, '\\`') + '`';
}

function identText(buf, tok) {
  if (tok.type === 'word') return buf.toString('utf8', tok.start, tok.end);
  if (tok.type === 'qident') return buf.toString('utf8', tok.start + 1, tok.end - 1);
  return null;
}

function tokens(buf) {
  const lx = new Lexer(buf);
  const out = [];
  let t;
  while ((t = lx.next())) out.push(t);
  return out;
}

/** `name` or `db . name` starting at tokens[i]: { db, table, next }. */
function qualifiedName(buf, toks, i, currentDb) {
  const a = toks[i];
  if (!a || (a.type !== 'word' && a.type !== 'qident')) return null;
  const dot = toks[i + 1];
  if (dot && dot.type === 'punct' && buf[dot.start] === 0x2e) {
    const b = toks[i + 2];
    if (b && (b.type === 'word' || b.type === 'qident')) {
      return { db: identText(buf, a), table: identText(buf, b), next: i + 3 };
    }
  }
  return { db: currentDb, table: identText(buf, a), next: i + 1 };
}

/**
 * Checks one statement for `user`; throws ACCESS_DENIED when a privilege is missing.
 * `columnsOf(db, table)` resolves a table's columns (async, from the engine).
 */
export async function checkStatement(user, grants, stmt, analysis, currentDb, columnsOf) {
  if (grants.some((g) => g.priv === 'ALL' && g.db === '*')) return;
  const kind = analysis.kind;
  if (FREE_KINDS.has(kind)) return;
  const toks = tokens(stmt);
  if (kind === 'INSERT') {
    let i = 1;
    while (toks[i] && toks[i].type === 'word' && ['INTO', 'TABLE'].includes(identText(stmt, toks[i]).toUpperCase())) i++;
    if (toks[i] && toks[i].type === 'word' && identText(stmt, toks[i]).toUpperCase() === 'FUNCTION') {
      throw denied(user, 'ALL ON *.*');
    }
    const target = qualifiedName(stmt, toks, i, currentDb);
    if (!target) return; // malformed: the engine will say so
    let columns = null;
    const open = toks[target.next];
    if (open && open.type === 'open' && stmt[open.start] === 0x28) {
      columns = [];
      for (let k = target.next + 1; k < toks.length && toks[k].type !== 'close'; k++) {
        if (toks[k].type === 'word' || toks[k].type === 'qident') columns.push(identText(stmt, toks[k]));
      }
    } else {
      columns = await columnsOf(target.db, target.table);
    }
    const missing = columns.filter((c) => !allows(grants, 'INSERT', target.db, target.table, c));
    if (missing.length) {
      throw denied(user, `INSERT(${missing.map(quoteName).join(', ')}) ON ${target.db}.${target.table}`);
    }
    return;
  }
  if (!READ_KINDS.has(kind)) {
    throw denied(user, `${kind === 'DELETE' ? 'ALTER DELETE' : kind} ON ${currentDb}.*`);
  }
  // SELECT: the user tables after FROM / JOIN, and the identifiers the statement uses.
  const tables = [];
  const idents = new Set();
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.type === 'word' || t.type === 'qident') {
      const w = t.type === 'word' ? identText(stmt, t).toUpperCase() : '';
      if (w === 'FROM' || w === 'JOIN') {
        const name = qualifiedName(stmt, toks, i + 1, currentDb);
        const after = name ? toks[name.next] : null;
        if (name && !(after && after.type === 'open' && stmt[after.start] === 0x28)) {
          tables.push(name);
          i = name.next - 1;
          continue;
        }
      }
      idents.add(identText(stmt, t));
    }
  }
  for (const { db, table } of tables) {
    if (FREE_DATABASES.has(db)) continue;
    const columns = await columnsOf(db, table);
    const used = columns.filter((c) => idents.has(c));
    if (used.length === 0) {
      if (!grants.some((g) => covers(g, 'SELECT', db, table))) throw denied(user, `SELECT ON ${db}.${table}`);
      continue;
    }
    const missing = used.filter((c) => !allows(grants, 'SELECT', db, table, c));
    if (missing.length) throw denied(user, `SELECT(${missing.map(quoteName).join(', ')}) ON ${db}.${table}`);
  }
}
