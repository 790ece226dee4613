// Test helpers: spawn the endpoint on port 0 and talk to it with plain fetch.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'server.mjs');

export function tempDir(prefix = 'ech-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Start the server; resolves { url, proc, stderr(), stop(signal) } once READY is printed.
 */
export function startServer({ dataDir, args = [], env = {} } = {}) {
  const dir = dataDir || tempDir();
  const proc = spawn(process.execPath, [SERVER, '--port', '0', '--path', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  let out = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not become ready in time; stderr:\n${err}`));
    }, 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /^READY (https?:\/\/\S+)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          proc,
          dataDir: dir,
          stdout: () => out,
          stderr: () => err,
          exited,
          async stop(signal = 'SIGTERM') {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            const res = await exited;
            // Remove the data directory only if this helper created it.
            if (!dataDir) fs.rmSync(dir, { recursive: true, force: true });
            return res;
          },
        });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited early with ${code}; stderr:\n${err}`));
    });
  });
}

/** POST a query; returns { status, headers, body (Buffer), text, summary, code }. */
export async function ch(url, body, { params = {}, headers = {}, method = 'POST' } = {}) {
  const u = new URL(url + '/');
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  const res = await fetch(u, {
    method,
    headers,
    body: method === 'GET' ? undefined : body,
  });
  const buf = Buffer.from(await res.arrayBuffer());
  const summaryHeader = res.headers.get('x-clickhouse-summary');
  return {
    status: res.status,
    headers: res.headers,
    body: buf,
    text: buf.toString('utf8'),
    summary: summaryHeader ? JSON.parse(summaryHeader) : null,
    code: res.headers.get('x-clickhouse-exception-code'),
  };
}

/** Like ch() but throws on an error response. */
export async function q(url, body, opts) {
  const r = await ch(url, body, opts);
  if (r.status !== 200 || r.code) throw new Error(`query failed (${r.status}): ${r.text}`);
  return r;
}
