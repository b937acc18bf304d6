// The IAM policy evaluator (src/auth/policy.ts) and the starter policies of docs/policies/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Problems } from '../../src/config/checks.js';
import { compilePolicy, evaluate, type Policy } from '../../src/auth/policy.js';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:';

function compile(document: unknown): Policy {
  const problems = new Problems();
  const policy = compilePolicy(document, 'policy', problems);
  expect(problems.list()).toEqual([]);
  return policy!;
}

function problemsOf(document: unknown): string[] {
  const problems = new Problems();
  expect(compilePolicy(document, 'policy', problems)).toBeUndefined();
  return problems.list().map((p) => `${p.path}: ${p.message}`);
}

const allow = (Action: unknown, Resource: unknown = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });

describe('IAM policy evaluation', () => {
  it('denies by default, allows what a statement allows', () => {
    expect(evaluate([], 'states:StartExecution', [`${SM}a`]).decision).toBe('implicit-deny');
    const policy = compile(allow('states:StartExecution', `${SM}a`));
    expect(evaluate([policy], 'states:StartExecution', [`${SM}a`]).decision).toBe('allow');
    expect(evaluate([policy], 'states:StartExecution', [`${SM}b`])).toEqual({ decision: 'implicit-deny', resource: `${SM}b` });
    expect(evaluate([policy], 'states:StopExecution', [`${SM}a`]).decision).toBe('implicit-deny');
  });

  it('matches actions case-insensitively with * and ?, resources case-sensitively', () => {
    const policy = compile(allow(['states:describe*', 'states:?istStateMachines'], `${SM}orders-*`));
    expect(evaluate([policy], 'states:DescribeExecution', [`${SM}orders-eu`]).decision).toBe('allow');
    expect(evaluate([policy], 'states:ListStateMachines', [`${SM}orders-1`]).decision).toBe('allow');
    expect(evaluate([policy], 'states:DescribeExecution', [`${SM}Orders-eu`]).decision).toBe('implicit-deny');
    expect(evaluate([policy], 'events:DescribeRule', [`${SM}orders-eu`]).decision).toBe('implicit-deny');
    // `*` crosses `:` and `/`; `?` is exactly one character.
    const one = compile(allow('*', 'arn:aws:states:*:123456789012:stateMachine:a?'));
    expect(evaluate([one], 'scheduler:GetSchedule', ['arn:aws:states:us-east-1:123456789012:stateMachine:ab']).decision).toBe('allow');
    expect(evaluate([one], 'scheduler:GetSchedule', ['arn:aws:states:us-east-1:123456789012:stateMachine:abc']).decision).toBe('implicit-deny');
  });

  it('lets an explicit Deny win over any Allow, in any policy', () => {
    const admin = compile(allow('*'));
    const deny = compile({ Statement: { Effect: 'Deny', Action: 'states:Delete*', Resource: `${SM}prod-*` } });
    expect(evaluate([admin, deny], 'states:DeleteStateMachine', [`${SM}prod-orders`])).toEqual({ decision: 'explicit-deny', resource: `${SM}prod-orders` });
    expect(evaluate([deny, admin], 'states:DeleteStateMachine', [`${SM}dev-orders`]).decision).toBe('allow');
  });

  it('reads NotAction and NotResource as everything but them', () => {
    const policy = compile({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['states:Delete*'], NotResource: `${SM}secret` }] });
    expect(evaluate([policy], 'states:StartExecution', [`${SM}a`]).decision).toBe('allow');
    expect(evaluate([policy], 'states:DeleteStateMachine', [`${SM}a`]).decision).toBe('implicit-deny');
    expect(evaluate([policy], 'states:StartExecution', [`${SM}secret`]).decision).toBe('implicit-deny');
  });

  it('needs every resource of a request allowed', () => {
    const policy = compile(allow('events:PutEvents', 'arn:aws:events:us-east-1:123456789012:event-bus/default'));
    const other = 'arn:aws:events:us-east-1:123456789012:event-bus/orders';
    expect(evaluate([policy], 'events:PutEvents', ['arn:aws:events:us-east-1:123456789012:event-bus/default', other])).toEqual({ decision: 'implicit-deny', resource: other });
  });

  it('does not let a resource-scoped statement allow a request on `*`', () => {
    const policy = compile(allow('states:ListStateMachines', `${SM}*`));
    expect(evaluate([policy], 'states:ListStateMachines', ['*']).decision).toBe('implicit-deny');
  });

  it('refuses, with every problem and its path, what it cannot enforce or understand', () => {
    expect(problemsOf({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'states:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }] })).toEqual([
      'policy.Statement[0].Condition: is not supported by Stepwise: a condition cannot be enforced here, and a statement without it would grant or deny more than written; remove the statement or its Condition',
    ]);
    const problems = problemsOf({
      Version: '2012-10-18',
      Statement: [
        { Effect: 'allow', Action: 'StartExecution', Resource: 'stateMachine:a' },
        { Effect: 'Deny', Action: 'states:*', NotAction: 'states:List*' },
        { Effect: 'Allow', Action: [], Resource: '${aws:username}', Principal: '*' },
      ],
    });
    expect(problems).toEqual([
      'policy.Version: must be "2012-10-17" (or the older "2008-10-17"), not "2012-10-18"',
      'policy.Statement[0].Effect: must be "Allow" or "Deny", not "allow"',
      'policy.Statement[0].Action: must be an action like "states:StartExecution", "states:Describe*" or "*", not "StartExecution"',
      'policy.Statement[0].Resource: must be "*" or an ARN ("arn:aws:states:…"), not "stateMachine:a"',
      'policy.Statement[1]: has both Action and NotAction; a statement takes one of them',
      'policy.Statement[1]: needs Resource or NotResource',
      'policy.Statement[2].Principal: has no place in an identity-based policy (the key or role the policy is attached to is the principal)',
      'policy.Statement[2].Action: must be a string or a non-empty array of strings, not an empty array',
      'policy.Statement[2].Resource: uses a policy variable (${…}), which Stepwise does not support; write the ARN out',
    ]);
    expect(problemsOf('admin')).toEqual(['policy: must be an IAM policy document (an object with Version and Statement), not a string']);
    expect(problemsOf({ Version: '2012-10-17' })).toEqual(['policy: needs Statement (one statement object or an array of them)']);
  });
});

describe('the starter policies in docs/policies/', () => {
  const load = (name: string) => compile(JSON.parse(readFileSync(new URL(`../../docs/policies/${name}.json`, import.meta.url), 'utf8')));
  const can = (policy: Policy, action: string, resource = '*') => evaluate([policy], action, [resource]).decision;

  it('admin: everything Stepwise serves', () => {
    const admin = load('admin');
    for (const action of ['states:DeleteStateMachine', 'events:PutRule', 'scheduler:CreateSchedule', 'stepwise:DeleteDeadLetters']) expect(can(admin, action, `${SM}x`)).toBe('allow');
  });

  it('read-only: lists, describes and histories, never a change', () => {
    const reader = load('read-only');
    for (const action of ['states:ListStateMachines', 'states:DescribeExecution', 'states:GetExecutionHistory', 'events:ListRules', 'scheduler:GetSchedule', 'stepwise:ListDeadLetters']) {
      expect(can(reader, action, `${SM}x`)).toBe('allow');
    }
    for (const action of ['states:StartExecution', 'states:CreateStateMachine', 'states:SendTaskSuccess', 'events:PutEvents', 'scheduler:DeleteSchedule', 'stepwise:DeleteDeadLetters']) {
      expect(can(reader, action, `${SM}x`)).toBe('implicit-deny');
    }
  });

  it('operator: runs, stops and answers executions; never changes a definition', () => {
    const operator = load('operator');
    for (const action of ['states:StartExecution', 'states:StopExecution', 'states:RedriveExecution', 'states:SendTaskSuccess', 'events:PutEvents', 'states:DescribeExecution', 'states:UpdateMapRun']) {
      expect(can(operator, action, `${SM}x`)).toBe('allow');
    }
    for (const action of ['states:CreateStateMachine', 'states:UpdateStateMachine', 'states:DeleteStateMachine', 'states:PublishStateMachineVersion']) {
      expect(can(operator, action, `${SM}x`)).toBe('explicit-deny');
    }
  });

  it('activity worker: polls and answers its activities only', () => {
    const worker = load('activity-worker');
    const activity = 'arn:aws:states:us-east-1:111111111111:activity:resize';
    for (const action of ['states:GetActivityTask', 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']) expect(can(worker, action, activity)).toBe('allow');
    expect(can(worker, 'states:StartExecution', `${SM}x`)).toBe('implicit-deny');
    expect(can(worker, 'states:GetActivityTask', 'arn:aws:states:us-east-1:222222222222:activity:resize')).toBe('implicit-deny');
  });
});
