// The keys file (src/auth/keys-file.ts): every problem listed with its path, never a secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthFileError, loadKeysFile, validateKeysFile } from '../../src/auth/keys-file.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const dir = mkdtempSync(join(tmpdir(), 'stepwise-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keys file', () => {
  it('loads keys and roles, with ${env:NAME} secrets', () => {
    const result = validateKeysFile(
      {
        $schema: './stepwise.auth.schema.json',
        keys: [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: '${env:CI_SECRET}', name: 'ci', policies: [ADMIN] }],
        roles: { 'arn:aws:iam::123456789012:role/orders': [ADMIN] },
      },
      { CI_SECRET: SECRET },
    );
    expect(result.problems).toEqual([]);
    const key = result.keys!.keys.get('AKIAIOSFODNN7EXAMPLE')!;
    expect(key).toMatchObject({ name: 'ci', secretAccessKey: SECRET });
    expect(key.policies).toHaveLength(1);
    expect(result.keys!.roles.get('arn:aws:iam::123456789012:role/orders')).toHaveLength(1);
    expect(result.keys!.keys.get('toString')).toBeUndefined();
  });

  it('lists every problem with its path and never quotes a secret', () => {
    const { keys, problems } = validateKeysFile(
      {
        keys: [
          { accessKeyId: 'short', secretAccessKey: 'tiny-secret', name: 'ci', policies: [ADMIN] },
          { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: '${env:MISSING}', name: 'bad name!', policies: {} },
          { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, name: 'ok', policies: [{ Statement: { Effect: 'Allow', Action: 'states:*', Resource: '*', Condition: {} } }], extra: 1 },
          'key',
        ],
        roles: { 'role/orders': [] },
        other: true,
      },
      {},
    );
    expect(keys).toBeUndefined();
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'other: unknown property; expected one of: $schema, keys, roles',
      'keys[0].accessKeyId: must be 16 to 128 letters, digits or underscores, like "AKIAIOSFODNN7EXAMPLE"',
      "keys[0].secretAccessKey: must be 16 to 128 characters without spaces (AWS's secrets are 40)",
      'keys[1].secretAccessKey: environment variable MISSING is not set',
      'keys[1].name: must be 1 to 64 letters, digits or +=,.@_- (an IAM user name)',
      'keys[1].policies: must be an array of IAM policy documents, not an object',
      'keys[2].extra: unknown property; expected one of: accessKeyId, secretAccessKey, name, policies',
      'keys[2].policies[0].Statement.Condition: is not supported by Stepwise: a condition cannot be enforced here, and a statement without it would grant or deny more than written; remove the statement or its Condition',
      'keys[3]: must be an object with accessKeyId, secretAccessKey, name and policies, not a string',
      'roles["role/orders"]: must be keyed by a role ARN like "arn:aws:iam::111111111111:role/orders", not "role/orders"',
    ]);
    expect(JSON.stringify(problems)).not.toContain('tiny-secret');
  });

  it('refuses two keys with one id', () => {
    const key = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, name: 'a', policies: [] };
    expect(validateKeysFile({ keys: [key, { ...key, name: 'b' }] }).problems).toEqual([{ path: 'keys[1].accessKeyId', message: 'repeats the access key id of an earlier key' }]);
  });

  it('reports a file that cannot be read or parsed as an AuthFileError', () => {
    expect(() => loadKeysFile(join(dir, 'absent.json'))).toThrow(/The keys file .*absent\.json has a problem:\n {2}\(file\): cannot be read: ENOENT/);
    writeFileSync(join(dir, 'broken.json'), '{"keys": [');
    expect(() => loadKeysFile(join(dir, 'broken.json'))).toThrow(AuthFileError);
    writeFileSync(join(dir, 'empty.json'), '{}');
    expect(() => loadKeysFile(join(dir, 'empty.json'))).toThrow(/needs "keys": an array of access keys/);
  });
});
