// The synchronous signature of requests to `/` (the JSON APIs' every call) against the signer
// the AWS SDK uses: the same signature for the same request, whatever its headers look like,
// and a refusal for anything altered. Requests are signed by @smithy/signature-v4 and go
// through inspectRequest and verifySignature as a server receives them.
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import type { AuthKeys } from '../../src/auth/keys-file.js';
import { inspectRequest, verifySignature } from '../../src/auth/sigv4.js';

const KEY = { accessKeyId: 'AKIASIGV4TEST0000001', secretAccessKey: 'sigv4-test-secret-sigv4-test', name: 'tester', policies: [] };
const keys = { keys: new Map([[KEY.accessKeyId, KEY]]), roles: new Map() } as unknown as AuthKeys;
const scope = { region: 'us-east-1', services: ['states'] };
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

async function signed(headers: Record<string, string>, body: string, options: { path?: string; secret?: string } = {}) {
  const signer = new SignatureV4({ credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: options.secret ?? KEY.secretAccessKey }, region: 'us-east-1', service: 'states', sha256: Hash.bind(null, 'sha256') });
  const request = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 8083, path: options.path ?? '/', headers: { host: '127.0.0.1:8083', ...headers }, body }), { signingDate: new Date(NOW) });
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) lower[name.toLowerCase()] = value;
  return { method: 'POST', url: options.path ?? '/', headers: lower };
}

async function verdict(head: { method: string; url: string; headers: Record<string, string> }, body: string) {
  const inspected = inspectRequest(head, keys, scope, NOW);
  if (!inspected.ok) return inspected.failure.type;
  return (await verifySignature(inspected.pending, Buffer.from(body)))?.type ?? 'valid';
}

describe('SigV4 verification of requests to /', () => {
  const shapes: Array<[string, Record<string, string>, string]> = [
    ['a plain StartExecution', { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' }, '{"stateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:m"}'],
    ['folded whitespace and mixed case in headers', { 'X-Amz-Target': 'AWSEvents.PutEvents', 'Content-Type': 'application/x-amz-json-1.1', 'X-Custom': '  a   b \t c  ' }, '{"Entries":[]}'],
    ['a declared body hash', { 'x-amz-target': 'AWSStepFunctions.ListStateMachines', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }, ''],
    ['an empty body and unicode in it', { 'x-amz-target': 'AWSStepFunctions.StartExecution' }, '{"input":"{\\"name\\":\\"Zoë ☃\\"}"}'],
  ];
  for (const [what, headers, body] of shapes) {
    it(`accepts ${what}, signed by the SDK's signer`, async () => {
      expect(await verdict(await signed(headers, body), body)).toBe('valid');
    });
  }

  it('refuses a changed body, a changed signed header, and the wrong secret', async () => {
    const headers = { 'x-amz-target': 'AWSStepFunctions.StartExecution' };
    const good = await signed(headers, '{"a":1}');
    expect(await verdict(good, '{"a":2}')).toBe('InvalidSignatureException');
    expect(await verdict({ ...good, headers: { ...good.headers, 'x-amz-target': 'AWSStepFunctions.DeleteStateMachine' } }, '{"a":1}')).toBe('InvalidSignatureException');
    expect(await verdict(await signed(headers, '{"a":1}', { secret: 'not-the-secret-not-the-secret' }), '{"a":1}')).toBe('InvalidSignatureException');
  });

  it('verifies other paths through the library signer, with the same answers', async () => {
    const headers = { 'x-amz-target': 'AWSStepFunctions.StartExecution' };
    const other = await signed(headers, '{}', { path: '/schedules/a%20b' });
    expect(await verdict(other, '{}')).toBe('valid');
    expect(await verdict(other, '{"x":1}')).toBe('InvalidSignatureException');
  });
});
