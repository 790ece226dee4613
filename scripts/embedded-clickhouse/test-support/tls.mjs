// Throw-away X.509 material for the TLS tests, made with node:crypto alone (no openssl or keytool
// on the test machine needed): a CA and a server certificate it signs, as PEM.

import crypto from 'node:crypto';

function der(tag, content) {
  const n = content.length;
  let len;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

const seq = (...parts) => der(0x30, Buffer.concat(parts));
const explicit = (n, content) => der(0xa0 + n, content);
const octets = (buf) => der(0x04, buf);
const bitString = (buf) => der(0x03, Buffer.concat([Buffer.from([0]), buf]));
const TRUE = Buffer.from([0x01, 0x01, 0xff]);

function integer(buf) {
  return der(0x02, buf[0] & 0x80 ? Buffer.concat([Buffer.from([0]), buf]) : buf);
}

function oid(dotted) {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return der(0x06, Buffer.from(out));
}

function utcTime(date) {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  const text = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16)
    + iso.slice(17, 19) + 'Z';
  return der(0x17, Buffer.from(text, 'ascii'));
}

const commonName = (cn) => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn, 'utf8')))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function certificate({ subject, issuer, publicKey, signingKey, ca, san }) {
  const serial = crypto.randomBytes(16);
  // DER integers are minimal and positive: a first byte of 0x00 would be illegal padding (OpenSSL
  // then rejects the certificate, about 1 run in 128 before this line), 0x80 and up negative.
  serial[0] = (serial[0] & 0x7f) || 0x01;
  const now = Date.now();
  const extensions = [seq(oid('2.5.29.19'), TRUE, octets(ca ? seq(TRUE) : seq()))];
  if (san) {
    const names = [der(0x82, Buffer.from('localhost', 'ascii')), der(0x87, Buffer.from([127, 0, 0, 1]))];
    extensions.push(seq(oid('2.5.29.17'), octets(seq(...names))));
  }
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    commonName(issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 2 * 86400_000))),
    commonName(subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = crypto.sign('sha256', tbs, signingKey); // DER-encoded ECDSA
  const cert = seq(tbs, ECDSA_SHA256, bitString(signature));
  const b64 = cert.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

function keyPair() {
  return crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/**
 * A CA and a server certificate for localhost and 127.0.0.1 signed by it:
 * { caCert, serverCert, serverKey } (PEM strings), valid from an hour ago for two days.
 */
export function makePki(name = 'test') {
  const ca = keyPair();
  const server = keyPair();
  const caCert = certificate({
    subject: `${name}-ca`, issuer: `${name}-ca`, publicKey: ca.publicKey, signingKey: ca.privateKey, ca: true,
  });
  const serverCert = certificate({
    subject: 'localhost', issuer: `${name}-ca`, publicKey: server.publicKey, signingKey: ca.privateKey, san: true,
  });
  return { caCert, serverCert, serverKey: server.privateKey.export({ type: 'pkcs8', format: 'pem' }) };
}
