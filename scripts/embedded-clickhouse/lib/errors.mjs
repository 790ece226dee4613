// ClickHouse-style errors: code, name, HTTP status, and the server's body format.

export const CODES = {
  SYNTAX_ERROR: 62,
  UNKNOWN_SETTING: 115,
  READONLY: 164,
  NOT_IMPLEMENTED: 48,
  BAD_ARGUMENTS: 36,
  UNKNOWN_DATABASE: 81,
  SESSION_NOT_FOUND: 372,
  AUTHENTICATION_FAILED: 516,
  ACCESS_DENIED: 497,
  REQUIRED_PASSWORD: 194,
  CANNOT_OPEN_FILE: 76,
  CANNOT_DECOMPRESS: 271,
  CHECKSUM_DOESNT_MATCH: 40,
  UNKNOWN_COMPRESSION_METHOD: 89,
  UNKNOWN_EXCEPTION: 1002,
  STD_EXCEPTION: 1001,
  HTTP_LENGTH_REQUIRED: 381,
  UNSUPPORTED_METHOD: 1,
};

const CODE_NAMES = Object.fromEntries(Object.entries(CODES).map(([k, v]) => [v, k]));

// HTTP status by exception name, as the ClickHouse server maps it.
const STATUS_BY_NAME = new Map();
for (const n of ['REQUIRED_PASSWORD']) STATUS_BY_NAME.set(n, 401);
for (const n of ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED']) {
  STATUS_BY_NAME.set(n, 403);
}
for (const n of [
  'BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING', 'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4', 'CANNOT_PARSE_IPV6',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
  'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE', 'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
]) STATUS_BY_NAME.set(n, 400);
for (const n of [
  'UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE', 'UNKNOWN_SETTING', 'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT', 'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY', 'UNKNOWN_ROLE',
]) STATUS_BY_NAME.set(n, 404);
STATUS_BY_NAME.set('QUERY_IS_TOO_LARGE', 413);
STATUS_BY_NAME.set('NOT_IMPLEMENTED', 501);
STATUS_BY_NAME.set('SOCKET_TIMEOUT', 503);
STATUS_BY_NAME.set('CANNOT_OPEN_FILE', 503);
STATUS_BY_NAME.set('CANNOT_SCHEDULE_TASK', 503);
STATUS_BY_NAME.set('HTTP_LENGTH_REQUIRED', 411);
STATUS_BY_NAME.set('TIMEOUT_EXCEEDED', 408);
STATUS_BY_NAME.set('UNSUPPORTED_MEDIA_TYPE', 415);

export class ClickHouseError extends Error {
  /**
   * @param {number} code ClickHouse error code
   * @param {string} name error name, e.g. SYNTAX_ERROR
   * @param {string} text message without the "Code: N. DB::Exception: " prefix and without "(NAME)"
   */
  constructor(code, name, text) {
    super(text);
    this.code = code;
    this.name = name || CODE_NAMES[code] || 'UNKNOWN_EXCEPTION';
    this.text = text;
  }

  get httpStatus() {
    return STATUS_BY_NAME.get(this.name) || 500;
  }

  body(version) {
    let t = this.text;
    if (!/[.!?]$/.test(t)) t += '.';
    return `Code: ${this.code}. DB::Exception: ${t} (${this.name}) (version ${version})\n`;
  }
}

export function chError(name, text) {
  return new ClickHouseError(CODES[name], name, text);
}

const PREFIX_RE = /^Code: (\d+)\. DB::Exception: /;
const TRAILER_RE = /\s*\(version [^)]*\)\.?\s*\(([A-Z0-9_]+)\)\s*$/;

/**
 * Parse an engine error message such as
 *   "Code: 73. DB::Exception: Code: 73. DB::Exception: Unknown format X. (UNKNOWN_FORMAT) (version 26.7.2.1). (UNKNOWN_FORMAT)"
 * into a ClickHouseError with the innermost message.
 */
export function parseEngineError(err) {
  let msg = String(err && err.message != null ? err.message : err).trim();
  let m = PREFIX_RE.exec(msg);
  if (!m) {
    return new ClickHouseError(CODES.STD_EXCEPTION, 'STD_EXCEPTION', msg || 'Unknown engine error');
  }
  const code = Number(m[1]);
  // Unwrap nested "Code: N. DB::Exception: " prefixes.
  for (;;) {
    msg = msg.slice(m[0].length);
    m = PREFIX_RE.exec(msg);
    if (!m) break;
  }
  // Strip repeated "(NAME) (version V). (NAME)" trailers down to a single "(NAME)".
  while (TRAILER_RE.test(msg)) msg = msg.replace(TRAILER_RE, ' ($1)');
  let name = CODE_NAMES[code] || 'UNKNOWN_EXCEPTION';
  const nm = /\s*\(([A-Z0-9_]+)\)\s*$/.exec(msg);
  if (nm) {
    name = nm[1];
    msg = msg.slice(0, nm.index);
  }
  return new ClickHouseError(code, name, msg.trim());
}
