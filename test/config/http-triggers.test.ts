// Validation of `httpTriggers` in stepwise.config.json: every mistake with its path.
import { describe, expect, it } from 'vitest';
import { validateProjectConfig } from '../../src/config/load.js';

const check = (httpTriggers: unknown, env: Record<string, string> = {}) => validateProjectConfig({ httpTriggers }, '/tmp', env);

describe('httpTriggers', () => {
  it('loads a valid list with defaults (POST, input body, no wait) and secrets from the environment', () => {
    const { config, problems } = check(
      [{ path: '/orders/{id}', stateMachine: 'orders' }, { method: 'get', path: '/hook', stateMachine: 'arn:aws:states:us-east-1:111111111111:stateMachine:m:live', apiKey: '${env:KEY}', hmac: { secret: '${env:S}' } }],
      { KEY: 'a'.repeat(24), S: 'shh' },
    );
    expect(problems).toEqual([]);
    expect(config!.httpTriggers).toEqual([
      { method: 'POST', path: '/orders/{id}', stateMachine: 'orders', input: 'body', wait: false },
      { method: 'GET', path: '/hook', stateMachine: 'arn:aws:states:us-east-1:111111111111:stateMachine:m:live', input: 'body', wait: false, apiKey: 'a'.repeat(24), hmac: { secret: 'shh', header: 'X-Hub-Signature-256' } },
    ]);
  });

  it('lists every mistake with its path', () => {
    const { problems } = check([
      { method: 'TRACE', path: 'orders', stateMachine: 'bad name!', input: 'headers', wait: 'yes', apiKey: 'short', color: 1 },
      { path: '/metrics', stateMachine: 'm' },
      { path: '/a/{x}', stateMachine: 'm' },
      { path: '/a/{y}', stateMachine: 'm' },
      { stateMachine: 'm' },
      { path: '/h', stateMachine: 'm', hmac: { secret: '${env:MISSING}' } },
      'nope',
      { path: '/schedules/nightly', stateMachine: 'm' },
      { path: '/schedule-groups', stateMachine: 'm' },
    ]);
    const paths = problems.map((p) => `${p.path}: ${p.message}`);
    for (const expected of [
      /^httpTriggers\[0\]\.color: unknown property/,
      /^httpTriggers\[0\]\.method: must be one of GET, POST, PUT, PATCH, DELETE/,
      /^httpTriggers\[0\]\.path: must start with "\/"/,
      /^httpTriggers\[0\]\.stateMachine: must be a state machine name/,
      /^httpTriggers\[0\]\.input: must be "body" or "request"/,
      /^httpTriggers\[0\]\.wait: must be true or false/,
      /^httpTriggers\[0\]\.apiKey: must be at least 20 characters/,
      /^httpTriggers\[1\]\.path: \/metrics is the server's own/,
      /^httpTriggers\[3\]\.path: POST \/a\/\{y\} is taken already by httpTriggers\[2\]/,
      /^httpTriggers\[4\]: needs a path/,
      /^httpTriggers\[5\]\.hmac\.secret: environment variable MISSING is not set/,
      /^httpTriggers\[6\]: must be an object/,
      /^httpTriggers\[7\]\.path: \/schedules\/nightly is the server's own/,
      /^httpTriggers\[8\]\.path: \/schedule-groups is the server's own/,
    ]) {
      expect(paths.some((p) => expected.test(p)), `${expected} in\n${paths.join('\n')}`).toBe(true);
    }
  });
});
