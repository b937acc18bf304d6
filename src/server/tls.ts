/**
 * HTTPS for `stepwise serve --tls-cert FILE --tls-key FILE`: the files are read at start (a
 * mistake is a ConfigError naming the file and what is wrong with it) and again on SIGHUP, so a
 * renewed certificate (certbot, cert-manager) is picked up without a restart. Connections made
 * before a reload keep the certificate they were made with.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './config.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** What the log says of the certificate: who it names, until when, its fingerprint. */
  readonly description: { readonly subject: string; readonly validTo: string; readonly fingerprint256: string };
}

/** Reads and checks the certificate and key; a ConfigError says which file is wrong and how. */
export function readTls(files: TlsFiles): TlsCredentials {
  const cert = readPem(files.certFile, 'certificate');
  const key = readPem(files.keyFile, 'private key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (e) {
    throw new ConfigError(`The TLS certificate ${files.certFile} is not a PEM certificate (${opensslReason(e)}).`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    const reason = opensslReason(e);
    if (/key values mismatch/i.test(reason)) throw new ConfigError(`The TLS private key ${files.keyFile} is not the key of the certificate ${files.certFile}.`);
    throw new ConfigError(`The TLS private key ${files.keyFile} cannot be used (${reason}); it must be an unencrypted PEM key.`);
  }
  return {
    cert,
    key,
    description: { subject: certificate.subject.replace(/\n/g, ', '), validTo: certificate.validTo, fingerprint256: certificate.fingerprint256 },
  };
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new ConfigError(`Cannot read the TLS ${what} ${file}: ${why}.`);
  }
}

/** OpenSSL's messages start with a code (`error:0480006C:PEM routines::no start line`): keep the words. */
function opensslReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^error:[0-9A-F]+:/i, '').replace(/::/g, ': ');
}
