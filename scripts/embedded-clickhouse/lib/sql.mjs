// Minimal byte-level SQL lexer for the embedded ClickHouse endpoint.
//
// It never parses SQL; it only finds what the HTTP layer needs:
//   * the statement kind (first keyword),
//   * for INSERT: where the inline data begins (after `FORMAT <name>` or
//     `VALUES`), the target part and an optional SETTINGS clause,
//   * for other statements: a trailing `FORMAT <name>` and multi-statements.
// It works on Buffers so that binary INSERT payloads never pass through a JS
// string; scanning stops as soon as an INSERT's data begins.

const SPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b]) SPACE[c] = 1;
const WORD_START = new Uint8Array(256);
const WORD_PART = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const isAlpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
  const isDigit = c >= 0x30 && c <= 0x39;
  WORD_START[c] = isAlpha ? 1 : 0;
  WORD_PART[c] = isAlpha || isDigit || c === 0x24 /* $ */ ? 1 : 0;
}

/**
 * Token: { type, start, end, depth } where type is one of
 * 'word' | 'qident' | 'string' | 'number' | 'open' | 'close' | 'semi' | 'punct'.
 * `depth` is the bracket depth at which the token starts (0 = top level).
 */
export class Lexer {
  constructor(buf, start = 0) {
    this.buf = buf;
    this.pos = start;
    this.depth = 0;
  }

  /** Skip whitespace and comments. */
  skipTrivia() {
    const b = this.buf;
    const n = b.length;
    for (;;) {
      while (this.pos < n && SPACE[b[this.pos]]) this.pos++;
      if (this.pos >= n) return;
      const c = b[this.pos];
      if (c === 0x2d /* - */ && b[this.pos + 1] === 0x2d) {
        while (this.pos < n && b[this.pos] !== 0x0a) this.pos++;
        continue;
      }
      if (c === 0x23 /* # */ && (b[this.pos + 1] === 0x20 || b[this.pos + 1] === 0x21)) {
        while (this.pos < n && b[this.pos] !== 0x0a) this.pos++;
        continue;
      }
      if (c === 0x2f /* / */ && b[this.pos + 1] === 0x2a /* * */) {
        // ClickHouse allows nested block comments.
        let nest = 1;
        this.pos += 2;
        while (this.pos < n && nest > 0) {
          if (b[this.pos] === 0x2f && b[this.pos + 1] === 0x2a) { nest++; this.pos += 2; }
          else if (b[this.pos] === 0x2a && b[this.pos + 1] === 0x2f) { nest--; this.pos += 2; }
          else this.pos++;
        }
        continue;
      }
      return;
    }
  }

  /** Next token or null at the end of input. */
  next() {
    this.skipTrivia();
    const b = this.buf;
    const n = b.length;
    if (this.pos >= n) return null;
    const start = this.pos;
    const c = b[start];
    const depth = this.depth;
    if (c === 0x27 /* ' */ || c === 0x22 /* " */ || c === 0x60 /* ` */) {
      let p = start + 1;
      for (;;) {
        if (p >= n) break;
        const d = b[p];
        if (d === 0x5c /* \ */) { p += 2; continue; }
        if (d === c) {
          if (b[p + 1] === c) { p += 2; continue; } // doubled quote
          p++;
          break;
        }
        p++;
      }
      this.pos = Math.min(p, n);
      return { type: c === 0x27 ? 'string' : 'qident', start, end: this.pos, depth };
    }
    if (c === 0x24 /* $ */) {
      // Heredoc: $tag$ ... $tag$
      let p = start + 1;
      while (p < n && WORD_PART[b[p]] && b[p] !== 0x24) p++;
      if (p < n && b[p] === 0x24) {
        const tag = b.subarray(start, p + 1);
        const close = b.indexOf(tag, p + 1);
        this.pos = close < 0 ? n : close + tag.length;
        return { type: 'string', start, end: this.pos, depth };
      }
    }
    if (WORD_START[c]) {
      let p = start + 1;
      while (p < n && WORD_PART[b[p]]) p++;
      this.pos = p;
      return { type: 'word', start, end: p, depth };
    }
    if (c >= 0x30 && c <= 0x39) {
      let p = start + 1;
      while (p < n && (WORD_PART[b[p]] || b[p] === 0x2e)) p++;
      this.pos = p;
      return { type: 'number', start, end: p, depth };
    }
    this.pos = start + 1;
    if (c === 0x28 || c === 0x5b || c === 0x7b) { this.depth++; return { type: 'open', start, end: this.pos, depth }; }
    if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (this.depth > 0) this.depth--;
      return { type: 'close', start, end: this.pos, depth: this.depth };
    }
    if (c === 0x3b) return { type: 'semi', start, end: this.pos, depth };
    return { type: 'punct', start, end: this.pos, depth };
  }
}

function upperWord(buf, tok) {
  return tok && tok.type === 'word' ? buf.latin1Slice(tok.start, tok.end).toUpperCase() : '';
}

/** Identifier text (unquoted for `x` / "x"). */
function identText(buf, tok) {
  if (tok.type === 'word') return buf.toString('utf8', tok.start, tok.end);
  if (tok.type === 'qident') return buf.toString('utf8', tok.start + 1, tok.end - 1);
  return null;
}

/** Offset where inline INSERT data begins after the format name (ClickHouse's rule). */
function skipToData(buf, pos) {
  const n = buf.length;
  while (pos < n && (buf[pos] === 0x20 || buf[pos] === 0x09 || buf[pos] === 0x0c)) pos++;
  if (pos < n && buf[pos] === 0x0d) pos++;
  if (pos < n && buf[pos] === 0x0a) pos++;
  return pos;
}

const READ_KINDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESC', 'DESCRIBE', 'EXISTS', 'EXPLAIN', 'CHECK']);

/**
 * Analyse a statement buffer.
 * Returns {
 *   kind: first keyword upper-cased ('' when empty, '(' for a parenthesised select),
 *   empty: true when there is nothing but whitespace/comments,
 *   multi: offset of the `;` that is followed by a second statement, or -1,
 *   outputFormat: name from a trailing FORMAT clause, or null,
 *   readOnly: whether the statement kind is allowed for readonly (GET) requests,
 *   temporary: CREATE ... TEMPORARY ...,
 *   insert: null | {
 *     mode: 'format' | 'values' | 'select' | 'infile' | 'other',
 *     targetEnd: offset where the target part ends (before SETTINGS / FORMAT / VALUES),
 *     settingsStart, settingsEnd: the SETTINGS clause (or -1),
 *     format: input format name (mode 'format'),
 *     dataStart: offset of the inline data (mode 'format' / 'values'),
 *   }
 * }
 */
export function analyze(buf) {
  const lx = new Lexer(buf);
  const first = lx.next();
  const res = {
    kind: '', empty: first === null, multi: -1, outputFormat: null,
    readOnly: false, temporary: false, insert: null,
  };
  if (!first) return res;
  res.kind = first.type === 'open' ? '(' : upperWord(buf, first);
  res.readOnly = READ_KINDS.has(res.kind) || res.kind === '(';

  if (res.kind === 'INSERT') {
    const ins = { mode: 'other', targetEnd: -1, settingsStart: -1, settingsEnd: -1, format: null, dataStart: -1 };
    res.insert = ins;
    let tok;
    let prev = first;
    while ((tok = lx.next())) {
      if (tok.depth === 0 && tok.type === 'word') {
        const w = upperWord(buf, tok);
        if (w === 'SETTINGS' && ins.settingsStart < 0) {
          ins.settingsStart = tok.start;
        } else if (w === 'VALUES') {
          ins.mode = 'values';
          ins.targetEnd = ins.settingsStart >= 0 ? ins.settingsStart : tok.start;
          if (ins.settingsStart >= 0) ins.settingsEnd = tok.start;
          ins.dataStart = tok.end;
          // Inline VALUES: the rest is data, but it is SQL-tokenisable, so a
          // second statement after a top-level `;` can still be detected.
          return scanRest(buf, lx, res, null);
        } else if (w === 'FORMAT') {
          const nameTok = lx.next();
          const name = nameTok ? identText(buf, nameTok) : null;
          if (!name) break;
          ins.mode = 'format';
          ins.format = name;
          ins.targetEnd = ins.settingsStart >= 0 ? ins.settingsStart : tok.start;
          if (ins.settingsStart >= 0) ins.settingsEnd = tok.start;
          ins.dataStart = skipToData(buf, nameTok.end);
          return res;
        } else if ((w === 'SELECT' || w === 'WITH') && ins.settingsStart < 0) {
          ins.mode = 'select';
          break;
        } else if (w === 'INFILE' && upperWord(buf, prev) === 'FROM') {
          ins.mode = 'infile';
          break;
        }
      } else if (tok.type === 'open' && tok.depth === 0 && ins.settingsStart < 0) {
        // `INSERT INTO t (SELECT ...)`
        const save = lx.pos;
        const saveDepth = lx.depth;
        const inner = lx.next();
        if (inner && ['SELECT', 'WITH'].includes(upperWord(buf, inner))) { ins.mode = 'select'; break; }
        lx.pos = save;
        lx.depth = saveDepth;
      } else if (tok.type === 'semi' && tok.depth === 0) {
        break;
      }
      prev = tok;
    }
    if (ins.mode === 'format' || ins.mode === 'values') return res;
    // INSERT ... SELECT / FROM INFILE / malformed: fall through to the
    // multi-statement check on the remaining tokens.
    return scanRest(buf, lx, res, tok);
  }

  if (res.kind === 'CREATE') {
    // CREATE [OR REPLACE] TEMPORARY TABLE
    const save = lx.pos;
    for (let i = 0; i < 3; i++) {
      const t = lx.next();
      if (!t) break;
      if (upperWord(buf, t) === 'TEMPORARY') { res.temporary = true; break; }
    }
    lx.pos = save;
    lx.depth = 0;
  }
  return scanRest(buf, lx, res, null);
}

function scanRest(buf, lx, res, current) {
  let tok = current;
  let semiAt = -1;
  const fmtCandidates = [];
  if (!tok) tok = lx.next();
  let prevWord = '';
  while (tok) {
    if (semiAt >= 0) {
      res.multi = semiAt;
      return res;
    }
    if (tok.type === 'semi' && tok.depth === 0) {
      semiAt = tok.start;
    } else if (tok.type === 'word' && tok.depth === 0 && res.kind !== 'INSERT') {
      const w = upperWord(buf, tok);
      if (w === 'FORMAT' && prevWord !== 'AS') {
        const nameTok = lx.next();
        if (!nameTok) break;
        const name = identText(buf, nameTok);
        if (name) {
          const after = lx.next();
          const aw = upperWord(buf, after);
          if (!after || (after.type === 'semi' && after.depth === 0) || aw === 'SETTINGS') {
            fmtCandidates.push(name);
          }
          tok = after;
          prevWord = '';
          continue;
        }
        tok = nameTok;
        continue;
      }
      prevWord = w;
    } else {
      prevWord = '';
    }
    tok = lx.next();
  }
  if (fmtCandidates.length) res.outputFormat = fmtCandidates[fmtCandidates.length - 1];
  return res;
}

/** Quote a string as a ClickHouse single-quoted literal. */
export function quoteString(s) {
  return "'" + String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** Quote an identifier with backticks. */
export function quoteIdent(s) {
  return '`' + String(s).replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}
