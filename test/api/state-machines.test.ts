import { afterEach, describe, expect, it } from 'vitest';
import { FAIL, PASS, ROLE, SM_PREFIX, WAIT, errorOf, harness, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h && (await h.runner.close()));

describe('CreateStateMachine', () => {
  it('creates a machine and describes it as AWS does', async () => {
    h = await harness({ clock: { now: () => 1_700_000_000_123 } });
    const created = await h.ok('CreateStateMachine', { name: 'hello', definition: PASS, roleArn: ROLE });
    expect(created).toEqual({ stateMachineArn: `${SM_PREFIX}hello`, creationDate: 1_700_000_000.123 });
    expect(await h.ok('DescribeStateMachine', { stateMachineArn: `${SM_PREFIX}hello` })).toEqual({
      stateMachineArn: `${SM_PREFIX}hello`,
      name: 'hello',
      status: 'ACTIVE',
      definition: PASS,
      roleArn: ROLE,
      type: 'STANDARD',
      creationDate: 1_700_000_000.123,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    });
  });

  it('is idempotent for the same name, definition and configuration (the role is ignored)', async () => {
    h = await harness();
    const first = await h.ok('CreateStateMachine', { name: 'm', definition: PASS, roleArn: ROLE });
    const again = await h.ok('CreateStateMachine', { name: 'm', definition: PASS, roleArn: 'arn:aws:iam::123456789012:role/other' });
    expect(again).toEqual(first);
    const different = await h.call('CreateStateMachine', { name: 'm', definition: FAIL, roleArn: ROLE });
    expect(errorOf(different.body)).toEqual({ type: 'StateMachineAlreadyExists', message: `State Machine Already Exists: '${SM_PREFIX}m'` });
    const otherType = await h.call('CreateStateMachine', { name: 'm', definition: PASS, roleArn: ROLE, type: 'EXPRESS' });
    expect(errorOf(otherType.body).type).toBe('StateMachineAlreadyExists');
  });

  it('refuses invalid definitions with AWS diagnostics', async () => {
    h = await harness();
    const r = await h.call('CreateStateMachine', { name: 'm', definition: JSON.stringify({ StartAt: 'A' }), roleArn: ROLE });
    expect(r.body).toEqual({
      __type: 'com.amazonaws.swf.service.v2.model#InvalidDefinition',
      message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
    });
    const notJson = await h.call('CreateStateMachine', { name: 'm', definition: 'not a definition', roleArn: ROLE });
    expect(errorOf(notJson.body).message).toMatch(/^Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: Unrecognized token 'not'/);
  });

  it('validates EXPRESS definitions as EXPRESS', async () => {
    h = await harness();
    const def = JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, End: true } } });
    const r = await h.call('CreateStateMachine', { name: 'e', definition: def, roleArn: ROLE, type: 'EXPRESS' });
    expect(errorOf(r.body).type).toBe('InvalidDefinition');
    expect(errorOf(r.body).message).toContain("Express state machine does not support '.waitForTaskToken' service integration");
    expect((await h.call('CreateStateMachine', { name: 's', definition: def, roleArn: ROLE })).status).toBe(200);
  });

  it.each(['a b', 'a/b', 'a:b', 'x\u0007', 'a#b', 'a{b', 'a\u0085b'])('refuses the name %j with InvalidName', async (name) => {
    h = await harness();
    const r = await h.call('CreateStateMachine', { name, definition: PASS, roleArn: ROLE });
    expect(errorOf(r.body)).toEqual({ type: 'InvalidName', message: `Invalid Name: '${name}'` });
  });

  it('accepts non-ASCII names', async () => {
    h = await harness();
    expect(await h.createMachine('état-機械')).toBe(`${SM_PREFIX}état-機械`);
  });

  it('refuses a malformed role ARN', async () => {
    h = await harness();
    const r = await h.call('CreateStateMachine', { name: 'm', definition: PASS, roleArn: 'role' });
    expect(errorOf(r.body)).toEqual({ type: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: role'" });
  });

  it('refuses a versionDescription without publish', async () => {
    h = await harness();
    const r = await h.call('CreateStateMachine', { name: 'm', definition: PASS, roleArn: ROLE, versionDescription: 'v' });
    expect(errorOf(r.body)).toEqual({ type: 'ValidationException', message: 'Version description can only be set when publish is true' });
  });

  it('checks logging configurations', async () => {
    h = await harness();
    const r = await h.call('CreateStateMachine', { name: 'm', definition: PASS, roleArn: ROLE, loggingConfiguration: { level: 'ALL' } });
    expect(errorOf(r.body)).toEqual({ type: 'InvalidLoggingConfiguration', message: 'Invalid Logging Configuration: Must specify exactly one Log Destination.' });
  });

  it('publishes version 1 with publish, and keeps tags', async () => {
    h = await harness();
    const r = await h.ok('CreateStateMachine', { name: 'm', definition: PASS, roleArn: ROLE, publish: true, versionDescription: 'first', tags: [{ key: 'team', value: 'a' }] });
    expect(r.stateMachineVersionArn).toBe(`${SM_PREFIX}m:1`);
    const version = await h.ok('DescribeStateMachine', { stateMachineArn: `${SM_PREFIX}m:1` });
    expect(version).toMatchObject({ stateMachineArn: `${SM_PREFIX}m:1`, name: 'm', description: 'first', definition: PASS });
    expect(version.revisionId).toBeUndefined();
    expect(await h.ok('ListTagsForResource', { resourceArn: `${SM_PREFIX}m` })).toEqual({ tags: [{ key: 'team', value: 'a' }] });
  });

  it('refuses more than 50 tags', async () => {
    h = await harness();
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(errorOf((await h.call('CreateStateMachine', { name: 'm', definition: PASS, roleArn: ROLE, tags })).body).type).toBe('TooManyTags');
  });
});

describe('DescribeStateMachine, ListStateMachines, DeleteStateMachine', () => {
  it('reports missing machines and malformed ARNs', async () => {
    h = await harness();
    expect(errorOf((await h.call('DescribeStateMachine', { stateMachineArn: `${SM_PREFIX}nope` })).body)).toEqual({
      type: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${SM_PREFIX}nope'`,
    });
    expect(errorOf((await h.call('DescribeStateMachine', { stateMachineArn: 'not_a_valid_arn' })).body)).toEqual({
      type: 'InvalidArn',
      message: "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'",
    });
    expect(errorOf((await h.call('DescribeStateMachine', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:activity:a' })).body)).toEqual({
      type: 'InvalidArn',
      message: "Invalid Arn: 'Resource type not valid in this context: activity'",
    });
    expect(errorOf((await h.call('DescribeStateMachine', { stateMachineArn: `${SM_PREFIX}nope:7` })).body).type).toBe('StateMachineDoesNotExist');
  });

  it('lists machines a page at a time', async () => {
    h = await harness();
    for (const name of ['a', 'b', 'c']) await h.createMachine(name);
    const first = await h.ok('ListStateMachines', { maxResults: 2 });
    expect(first.stateMachines.map((m: { name: string }) => m.name)).toEqual(['a', 'b']);
    expect(first.stateMachines[0]).toEqual({ stateMachineArn: `${SM_PREFIX}a`, name: 'a', type: 'STANDARD', creationDate: expect.any(Number) });
    const second = await h.ok('ListStateMachines', { maxResults: 2, nextToken: first.nextToken });
    expect(second.stateMachines.map((m: { name: string }) => m.name)).toEqual(['c']);
    expect(second.nextToken).toBeUndefined();
    expect(errorOf((await h.call('ListStateMachines', { nextToken: 'garbage' })).body)).toEqual({ type: 'InvalidToken', message: "Invalid Token: 'Invalid token'" });
  });

  it('deletes machines (and succeeds for ones that do not exist)', async () => {
    h = await harness();
    const arn = await h.createMachine('m', PASS, { publish: true });
    expect(await h.ok('DeleteStateMachine', { stateMachineArn: arn })).toEqual({});
    expect(errorOf((await h.call('DescribeStateMachine', { stateMachineArn: arn })).body).type).toBe('StateMachineDoesNotExist');
    expect(errorOf((await h.call('DescribeStateMachine', { stateMachineArn: `${arn}:1` })).body).type).toBe('StateMachineDoesNotExist');
    expect(await h.ok('DeleteStateMachine', { stateMachineArn: arn })).toEqual({});
    expect((await h.ok('ListStateMachines')).stateMachines).toEqual([]);
  });
});

describe('UpdateStateMachine and versions', () => {
  it('makes a new revision only when something changes', async () => {
    let now = 1_000_000;
    h = await harness({ clock: { now: () => now }, newId: (() => { let i = 0; return () => `id-${++i}`; })() });
    const arn = await h.createMachine('m');
    now += 1000;
    const first = await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: FAIL });
    expect(first).toEqual({ updateDate: 1001, revisionId: 'id-1' });
    now += 1000;
    const same = await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: FAIL });
    expect(same).toEqual({ updateDate: 1002, revisionId: 'id-1' });
    const described = await h.ok('DescribeStateMachine', { stateMachineArn: arn });
    expect(described).toMatchObject({ definition: FAIL, revisionId: 'id-1' });
    const role = await h.ok('UpdateStateMachine', { stateMachineArn: arn, roleArn: 'arn:aws:iam::123456789012:role/two', publish: true, versionDescription: 'v1' });
    expect(role).toEqual({ updateDate: 1002, revisionId: 'id-2', stateMachineVersionArn: `${arn}:1` });
  });

  it('publishes the unchanged first revision once, without a revisionId', async () => {
    h = await harness();
    const arn = await h.createMachine('m');
    const a = await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: PASS, publish: true });
    const b = await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: PASS, publish: true });
    expect(a.stateMachineVersionArn).toBe(`${arn}:1`);
    expect(b.stateMachineVersionArn).toBe(`${arn}:1`);
    expect(a.revisionId).toBeUndefined();
  });

  it('refuses updates that change nothing or name nothing', async () => {
    h = await harness();
    const arn = await h.createMachine('m');
    expect(errorOf((await h.call('UpdateStateMachine', { stateMachineArn: arn })).body)).toEqual({
      type: 'MissingRequiredParameter',
      message: 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
    });
    expect(errorOf((await h.call('UpdateStateMachine', { stateMachineArn: `${arn}-x`, definition: PASS })).body).type).toBe('StateMachineDoesNotExist');
    expect(errorOf((await h.call('UpdateStateMachine', { stateMachineArn: arn, definition: '{}' })).body).type).toBe('InvalidDefinition');
    expect(errorOf((await h.call('UpdateStateMachine', { stateMachineArn: arn, definition: FAIL, versionDescription: 'x' })).body).type).toBe('ValidationException');
  });

  it('publishes, lists and deletes versions; numbers are never reused', async () => {
    h = await harness({ newId: (() => { let i = 0; return () => `rev-${++i}`; })() });
    const arn = await h.createMachine('m');
    const v1 = await h.ok('PublishStateMachineVersion', { stateMachineArn: arn, revisionId: 'INITIAL', description: 'one' });
    expect(v1).toEqual({ stateMachineVersionArn: `${arn}:1`, creationDate: expect.any(Number) });
    expect(await h.ok('PublishStateMachineVersion', { stateMachineArn: arn })).toEqual(v1);
    await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: FAIL });
    const conflict = await h.call('PublishStateMachineVersion', { stateMachineArn: arn, revisionId: 'INITIAL' });
    expect(conflict.status).toBe(409);
    expect(errorOf(conflict.body)).toEqual({
      type: 'ConflictException',
      message: 'Failed to publish the State Machine version for revision INITIAL. The current State Machine revision is rev-1.',
    });
    const v2 = await h.ok('PublishStateMachineVersion', { stateMachineArn: arn, revisionId: 'rev-1' });
    expect(v2.stateMachineVersionArn).toBe(`${arn}:2`);
    const listed = await h.ok('ListStateMachineVersions', { stateMachineArn: arn });
    expect(listed.stateMachineVersions.map((v: { stateMachineVersionArn: string }) => v.stateMachineVersionArn)).toEqual([`${arn}:2`, `${arn}:1`]);
    expect(await h.ok('DeleteStateMachineVersion', { stateMachineVersionArn: `${arn}:2` })).toEqual({});
    expect(await h.ok('DeleteStateMachineVersion', { stateMachineVersionArn: `${arn}:2` })).toEqual({});
    await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: WAIT });
    expect((await h.ok('PublishStateMachineVersion', { stateMachineArn: arn })).stateMachineVersionArn).toBe(`${arn}:3`);
    expect(errorOf((await h.call('DeleteStateMachineVersion', { stateMachineVersionArn: arn })).body).type).toBe('InvalidArn');
    expect(await h.ok('ListStateMachineVersions', { stateMachineArn: `${SM_PREFIX}unknown` })).toEqual({ stateMachineVersions: [] });
  });
});

describe('aliases', () => {
  async function twoVersions(): Promise<string> {
    const arn = await h.createMachine('m', PASS, { publish: true });
    await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: FAIL, publish: true });
    return arn;
  }

  it('creates, describes, updates, lists and deletes an alias', async () => {
    let now = 5_000;
    h = await harness({ clock: { now: () => now } });
    const arn = await twoVersions();
    const created = await h.ok('CreateStateMachineAlias', { name: 'prod', description: 'd', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }] });
    expect(created).toEqual({ stateMachineAliasArn: `${arn}:prod`, creationDate: 5 });
    expect(await h.ok('CreateStateMachineAlias', { name: 'prod', description: 'd', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }] })).toEqual(created);
    const clash = await h.call('CreateStateMachineAlias', { name: 'prod', routingConfiguration: [{ stateMachineVersionArn: `${arn}:2`, weight: 100 }] });
    expect(errorOf(clash.body)).toEqual({
      type: 'ConflictException',
      message: 'Failed to create alias because an alias with the same name and a different routing configuration already exists.',
    });
    expect(await h.ok('DescribeStateMachineAlias', { stateMachineAliasArn: `${arn}:prod` })).toEqual({
      stateMachineAliasArn: `${arn}:prod`,
      name: 'prod',
      description: 'd',
      routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }],
      creationDate: 5,
      updateDate: 5,
    });
    now = 6_000;
    const routing = [{ stateMachineVersionArn: `${arn}:1`, weight: 50 }, { stateMachineVersionArn: `${arn}:2`, weight: 50 }];
    expect(await h.ok('UpdateStateMachineAlias', { stateMachineAliasArn: `${arn}:prod`, routingConfiguration: routing })).toEqual({ updateDate: 6 });
    expect((await h.ok('DescribeStateMachineAlias', { stateMachineAliasArn: `${arn}:prod` })).routingConfiguration).toEqual(routing);
    expect(await h.ok('ListStateMachineAliases', { stateMachineArn: arn })).toEqual({ stateMachineAliases: [{ stateMachineAliasArn: `${arn}:prod`, creationDate: 5 }] });
    expect((await h.ok('ListStateMachineAliases', { stateMachineArn: `${arn}:2` })).stateMachineAliases).toHaveLength(1);
    const refused = await h.call('DeleteStateMachineVersion', { stateMachineVersionArn: `${arn}:2` });
    expect(errorOf(refused.body)).toEqual({
      type: 'ConflictException',
      message: 'Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [prod]',
    });
    expect(await h.ok('DeleteStateMachineAlias', { stateMachineAliasArn: `${arn}:prod` })).toEqual({});
    expect(await h.ok('DeleteStateMachineAlias', { stateMachineAliasArn: `${arn}:prod` })).toEqual({});
    expect(errorOf((await h.call('DescribeStateMachineAlias', { stateMachineAliasArn: `${arn}:prod` })).body)).toEqual({
      type: 'ResourceNotFound',
      message: 'Request references a resource that does not exist.',
    });
    expect(await h.ok('DeleteStateMachineVersion', { stateMachineVersionArn: `${arn}:2` })).toEqual({});
  });

  it('checks routing configurations with AWS messages', async () => {
    h = await harness();
    const arn = await twoVersions();
    const attempt = async (routingConfiguration: unknown, name = 'a') => errorOf((await h.call('CreateStateMachineAlias', { name, routingConfiguration })).body);
    expect(await attempt([{ stateMachineVersionArn: `${arn}:1`, weight: 70 }, { stateMachineVersionArn: `${arn}:2`, weight: 29 }])).toEqual({
      type: 'ValidationException',
      message: 'Sum of routing configuration weights must equal 100. Received: [70,29]',
    });
    expect(await attempt([{ stateMachineVersionArn: `${arn}:1`, weight: 50 }, { stateMachineVersionArn: `${arn}:1`, weight: 50 }])).toEqual({
      type: 'ValidationException',
      message: `Routing configuration must contain distinct state machine version ARNs. Received: [${arn}:1, ${arn}:1]`,
    });
    expect(await attempt([{ stateMachineVersionArn: arn, weight: 100 }])).toEqual({
      type: 'ValidationException',
      message: `Routing configuration must contain state machine version ARNs. Received: [${arn}]`,
    });
    expect(await attempt([{ stateMachineVersionArn: `${arn}:1`, weight: 101 }])).toEqual({
      type: 'ValidationException',
      message: "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100",
    });
    const three = [1, 2, 3].map((n) => ({ stateMachineVersionArn: `${arn}:${n}`, weight: 33 }));
    expect((await attempt(three)).message).toBe(
      `1 validation error detected: Value '[${three.map((r) => `RoutingConfigurationListItem(stateMachineVersionArn=${r.stateMachineVersionArn}, weight=33)`).join(', ')}]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2`,
    );
    expect(await attempt([{ stateMachineVersionArn: `${arn}:1`, weight: 100 }], '123')).toEqual({
      type: 'ValidationException',
      message: "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
    });
    expect(errorOf((await h.call('UpdateStateMachineAlias', { stateMachineAliasArn: `${arn}:none` })).body)).toEqual({
      type: 'MissingRequiredParameter',
      message: 'Either the description or the RoutingConfiguration must be specified',
    });
    expect(errorOf((await h.call('UpdateStateMachineAlias', { stateMachineAliasArn: `${arn}:none`, description: 'x' })).body).type).toBe('ResourceNotFound');
  });
});
