/**
 * The control plane under concurrency (issue 8, finding 9): versions, revisions, aliases and tags
 * written by racing requests through the real server (`startServer`) on a real SQLite file, with
 * the real @aws-sdk/client-sfn. SQLite's group commit holds writes for a couple of milliseconds,
 * which is exactly the window a check-then-write race needs: every check here must happen inside
 * the transaction that writes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineVersionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
  TagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/stepwise`;
const root = mkdtempSync(join(tmpdir(), 'stepwise-control-plane-'));
let files = 0;
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function serve(): Promise<SFNClient> {
  const args = ['--port', '0', '--db', join(root, `db-${++files}.sqlite`), '--account-id', ACCOUNT, '--wait-time-scale', '0', '--synchronous', 'NORMAL'];
  server = await startServer(parseServeArgs(args, {}), pino({ level: 'silent' }));
  return new SFNClient({ endpoint: server.url, region: REGION, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
}

const pass = (result: unknown) => JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: result, End: true } } });

async function createMachine(sfn: SFNClient, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await sfn.send(new CreateStateMachineCommand({ name, definition: pass('first'), roleArn: ROLE, ...extra }))).stateMachineArn!;
}

/** The error name of each rejected result (the SDK's exception class), in order. */
function rejections(results: PromiseSettledResult<unknown>[]): string[] {
  return results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).name);
}

describe('versions', () => {
  it('gives 30 concurrent UpdateStateMachine(publish) calls 30 distinct versions, each holding the definition its request set', async () => {
    const sfn = await serve();
    const arn = await createMachine(sfn, 'racy');
    const definitions = Array.from({ length: 30 }, (_, i) => pass(i));
    const answers = await Promise.all(definitions.map((definition) => sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, publish: true }))));

    const numbers = answers.map((a) => Number(a.stateMachineVersionArn!.slice(arn.length + 1)));
    expect(new Set(numbers).size).toBe(30);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(answers.map((a) => a.revisionId)).size).toBe(30);
    // Nothing was overwritten: each version still holds what its own request published.
    for (let i = 0; i < 30; i++) {
      const version = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: answers[i]!.stateMachineVersionArn! }));
      expect(version.definition).toBe(definitions[i]);
      expect(version.revisionId).toBe(answers[i]!.revisionId);
    }
    const listed = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }));
    expect(listed.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual(Array.from({ length: 30 }, (_, i) => `${arn}:${30 - i}`));
  });

  it('numbers versions strictly upward after deletions, also under concurrent publishes of one revision', async () => {
    const sfn = await serve();
    const arn = await createMachine(sfn, 'upward', { publish: true });
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass('second'), publish: true }));
    await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` }));
    const { revisionId } = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass('third') }));
    // Publishing one revision is idempotent: racing publishes agree on one new number.
    const answers = await Promise.all(Array.from({ length: 30 }, () => sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn, revisionId }))));
    expect(new Set(answers.map((a) => a.stateMachineVersionArn))).toEqual(new Set([`${arn}:3`]));
    const listed = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }));
    expect(listed.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${arn}:3`, `${arn}:1`]);
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}:1` }))).definition).toBe(pass('first'));
  });

  it('refuses a publish whose revisionId went stale, even when the update that made it stale is concurrent', async () => {
    const sfn = await serve();
    const arn = await createMachine(sfn, 'stale');
    const [update, publish] = await Promise.allSettled([
      sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass('changed') })),
      sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn, revisionId: 'INITIAL' })),
    ]);
    expect(update.status).toBe('fulfilled');
    const versions = (await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }))).stateMachineVersions!;
    if (publish.status === 'fulfilled') {
      // The publish went first: version 1 is the INITIAL revision, never the changed one.
      expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: publish.value.stateMachineVersionArn! }))).definition).toBe(pass('first'));
    } else {
      expect((publish.reason as Error).name).toBe('ConflictException');
      expect(versions).toEqual([]);
    }
  });
});

describe('revisions', () => {
  it('loses no field of concurrent UpdateStateMachine calls that change different things', async () => {
    const sfn = await serve();
    for (let trial = 0; trial < 5; trial++) {
      const arn = await createMachine(sfn, `fields-${trial}`);
      const role = `arn:aws:iam::${ACCOUNT}:role/other-${trial}`;
      const answers = await Promise.all([
        sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass(`d${trial}`) })),
        sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, roleArn: role })),
        sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, tracingConfiguration: { enabled: true } })),
      ]);
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      expect(machine.definition).toBe(pass(`d${trial}`));
      expect(machine.roleArn).toBe(role);
      expect(machine.tracingConfiguration).toEqual({ enabled: true });
      // Three changes, three revisions; the machine shows one of them.
      expect(new Set(answers.map((a) => a.revisionId)).size).toBe(3);
      expect(answers.map((a) => a.revisionId)).toContain(machine.revisionId);
    }
  });
});

describe('aliases', () => {
  it('never leaves an alias routing to a deleted version (create racing delete)', async () => {
    const sfn = await serve();
    const arn = await createMachine(sfn, 'aliased', { publish: true });
    for (let trial = 0; trial < 10; trial++) {
      const { stateMachineVersionArn } = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass(trial), publish: true }));
      const [create, remove] = await Promise.allSettled([
        sfn.send(new CreateStateMachineAliasCommand({ name: `a${trial}`, routingConfiguration: [{ stateMachineVersionArn, weight: 100 }] })),
        sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn })),
      ]);
      const versionLives = (await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }))).stateMachineVersions!.some(
        (v) => v.stateMachineVersionArn === stateMachineVersionArn,
      );
      if (create.status === 'fulfilled') {
        // The alias won: the delete was refused as AWS refuses it, and the version is still there.
        expect(remove.status).toBe('rejected');
        expect(rejections([remove])).toEqual(['ConflictException']);
        expect(versionLives).toBe(true);
        const alias = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: create.value.stateMachineAliasArn! }));
        expect(alias.routingConfiguration).toEqual([{ stateMachineVersionArn, weight: 100 }]);
      } else {
        expect(rejections([create])).toEqual(['ValidationException']);
        expect(remove.status).toBe('fulfilled');
        expect(versionLives).toBe(false);
      }
    }
  });

  it('never routes an updated alias to a deleted version, and never brings a deleted alias back', async () => {
    const sfn = await serve();
    const arn = await createMachine(sfn, 'routed', { publish: true });
    const { stateMachineAliasArn } = await sfn.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }] }));
    for (let trial = 0; trial < 10; trial++) {
      const { stateMachineVersionArn } = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass(trial), publish: true }));
      const [update] = await Promise.allSettled([
        sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn, weight: 100 }] })),
        sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn })).catch(() => undefined),
      ]);
      const alias = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }));
      const routed = alias.routingConfiguration![0]!.stateMachineVersionArn!;
      await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: routed }))).resolves.toBeDefined();
      if (update.status === 'rejected') expect(rejections([update])).toEqual(['ValidationException']);
    }
    const [removed, updated] = await Promise.allSettled([
      sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn })),
      sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn, description: 'late' })),
    ]);
    expect(removed.status).toBe('fulfilled');
    if (updated.status === 'rejected') expect(rejections([updated])).toEqual(['ResourceNotFound']);
    await expect(sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }))).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });
});

describe('tags', () => {
  it('keeps the 50-tag quota under concurrent TagResource calls', async () => {
    const sfn = await serve();
    const arn = await createMachine(sfn, 'tagged');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, call) =>
        sfn.send(new TagResourceCommand({ resourceArn: arn, tags: Array.from({ length: 10 }, (_, i) => ({ key: `k${call}-${i}`, value: 'v' })) })),
      ),
    );
    const tags = (await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags!;
    expect(tags.length).toBeLessThanOrEqual(50);
    // Each call is all or nothing: 5 fit, the other 5 are TooManyTags.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(rejections(results)).toEqual(Array(5).fill('TooManyTags'));
    expect(tags).toHaveLength(50);
  });
});
