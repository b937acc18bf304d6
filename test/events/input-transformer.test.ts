// EventBridge InputTransformer: the user guide's examples ("Amazon EventBridge input
// transformation", eb-transform-target-input: "Input transform examples" table, "Predefined
// variables", "Common issues with transforming input") and the API reference's limits.
import { describe, expect, it } from 'vitest';
import {
  applyInputTransformer,
  InputTransformerValidationError,
  validateInputTransformer,
} from '../../src/events/input-transformer.js';

const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};

// "Input Path" of the guide's example.
const InputPathsMap = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const context = { ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example', ruleName: 'example', ingestionTime: '2015-11-11T21:29:55Z' };
const transform = (InputTemplate: string, paths: Record<string, string> = InputPathsMap, input: unknown = event) =>
  applyInputTransformer({ InputPathsMap: paths, InputTemplate }, input, context);

describe('Input transform examples (eb-transform-target-input)', () => {
  it('Simple string', () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it('String with escaped quotes (the console behaviour)', () => {
    expect(transform('"instance \\"<instance>\\" is in <state>"')).toBe('"instance \\"i-0123456789\\" is in RUNNING"');
  });

  it('Simple JSON', () => {
    const out = transform('{\n  "instance" : <instance>,\n  "state": <state>\n}');
    expect(JSON.parse(out)).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
  });

  it('JSON with strings and variables', () => {
    const out = transform('{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}');
    expect(JSON.parse(out)).toEqual({ instance: 'i-0123456789', state: 'RUNNING', instanceStatus: 'instance "i-0123456789" is in RUNNING' });
  });

  it('JSON with a mix of variables and static information', () => {
    const out = transform('{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}');
    expect(JSON.parse(out)).toEqual({ instance: 'i-0123456789', state: [9, 'RUNNING', true], Transformed: 'Yes' });
  });

  it('Including reserved variables in JSON', () => {
    const out = transform(
      '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event>\n}',
    );
    const { detail: _detail, ...withoutDetail } = event;
    expect(JSON.parse(out)).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
      ruleName: 'example',
      // Predefined variables: aws.events.event is the original payload without `detail`.
      originalEvent: withoutDetail,
    });
  });

  it('Including reserved variables in a string', () => {
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it('Amazon CloudWatch log group: values inside strings are not escaped', () => {
    expect(transform('{\n  "timestamp" : <timestamp>,\n  "message": "instance \\"<instance>\\" is in <state>"\n}')).toBe(
      '{\n  "timestamp" : "2015-11-11T21:29:54Z",\n  "message": "instance \\"i-0123456789\\" is in RUNNING"\n}',
    );
  });

  it('API reference: a text template and a JSON template with variables in and out of quotes', () => {
    const paths = { instance: '$.detail.instance', status: '$.detail.status' };
    const input = { detail: { instance: 'i-1', status: 'ok' } };
    expect(transform('<instance> is in state <status>', paths, input)).toBe('i-1 is in state ok');
    expect(transform('<instance> is in state "<status>"', paths, input)).toBe('i-1 is in state "ok"');
    expect(JSON.parse(transform('{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}', paths, input))).toEqual({
      myInstance: 'i-1',
      myStatus: 'i-1 is in state "ok"',
    });
  });
});

describe('Predefined variables', () => {
  it('aws.events.event.json is the whole event, ingestion-time the context\'s', () => {
    const out = transform('{"e": <aws.events.event.json>, "t": <aws.events.event.ingestion-time>, "arn": "<aws.events.rule-arn>"}', {});
    expect(JSON.parse(out)).toEqual({ e: event, t: '2015-11-11T21:29:55Z', arn: context.ruleArn });
  });

  it('non-string values keep their JSON type outside quotes and become text inside', () => {
    const input = { detail: { n: 5, flag: true, obj: { a: 1 }, list: [1, 2], nil: null } };
    const paths = { n: '$.detail.n', flag: '$.detail.flag', obj: '$.detail.obj', list: '$.detail.list', nil: '$.detail.nil' };
    expect(JSON.parse(transform('{"n": <n>, "flag": <flag>, "obj": <obj>, "list": <list>, "nil": <nil>}', paths, input))).toEqual(input.detail);
    expect(transform('"<n> <flag> <obj> <nil>"', paths, input)).toBe('"5 true {"a":1} null"');
  });

  it('$ is the whole event; array indices and wildcards reach into arrays', () => {
    const paths = { all: '$', first: '$.resources[0]', every: '$.resources[*]', states: '$.detail.*' };
    const out = JSON.parse(transform('{"all": <all>, "first": <first>, "every": <every>, "states": <states>}', paths));
    expect(out).toEqual({ all: event, first: event.resources[0], every: event.resources, states: ['i-0123456789', 'RUNNING'] });
  });
});

describe('Common issues with transforming input', () => {
  it('a path the event lacks creates no variable: empty in text, null as a JSON value (our choice)', () => {
    const paths = { missing: '$.detail.nope' };
    expect(transform('"value: <missing>."', paths)).toBe('"value: ."');
    expect(JSON.parse(transform('{"m": <missing>}', paths))).toEqual({ m: null });
  });

  it('values extracted by Input Path are not escaped inside strings', () => {
    const out = transform('"say <q>"', { q: '$.detail.q' }, { detail: { q: 'he said "hi"' } });
    expect(out).toBe('"say he said "hi""');
  });
});

describe('validateInputTransformer', () => {
  const refuse = (transformer: Parameters<typeof validateInputTransformer>[0], message: string) => {
    let thrown: unknown;
    try {
      validateInputTransformer(transformer);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputTransformerValidationError);
    expect((thrown as Error).name).toBe('ValidationException');
    expect((thrown as Error).message).toContain(message);
  };

  it('accepts the guide\'s transformer', () => {
    expect(() => validateInputTransformer({ InputPathsMap, InputTemplate: '{"instance": <instance>}' })).not.toThrow();
  });

  it('refuses more than 100 InputPathsMap entries', () => {
    const paths = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, '$.detail']));
    refuse({ InputPathsMap: paths, InputTemplate: '"x"' }, 'maximum is 100');
    const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, '$.detail']));
    expect(() => validateInputTransformer({ InputPathsMap: hundred, InputTemplate: '"x"' })).not.toThrow();
  });

  it('refuses bad paths: bracket names, no $, stray characters, too long', () => {
    refuse({ InputPathsMap: { a: "$['detail']" }, InputTemplate: '<a>' }, 'not a valid JSON path');
    refuse({ InputPathsMap: { a: 'detail.state' }, InputTemplate: '<a>' }, 'not a valid JSON path');
    refuse({ InputPathsMap: { a: '$.detail..state' }, InputTemplate: '<a>' }, 'not a valid JSON path');
    refuse({ InputPathsMap: { a: '$.' + 'x'.repeat(300) }, InputTemplate: '<a>' }, 'at most 256 characters');
  });

  it('refuses keys that are reserved or outside the key pattern', () => {
    refuse({ InputPathsMap: { 'AWS-thing': '$.detail' }, InputTemplate: '"x"' }, 'cannot start with "AWS"');
    refuse({ InputPathsMap: { 'a.b': '$.detail' }, InputTemplate: '"x"' }, 'must match');
    refuse({ InputPathsMap: { '': '$.detail' }, InputTemplate: '"x"' }, 'must match');
  });

  it('refuses placeholders InputPathsMap does not define, and placeholders as object keys', () => {
    refuse({ InputPathsMap, InputTemplate: '{"a": <nope>}' }, '<nope> is not defined');
    refuse({ InputPathsMap, InputTemplate: '"<aws.events.ingestion-time>"' }, 'is not defined');
    refuse({ InputPathsMap, InputTemplate: '{"<state>": 1}' }, 'cannot be used as an object key');
  });

  it('refuses an empty or oversized template', () => {
    refuse({ InputTemplate: '' }, 'between 1 and 8192');
    refuse({ InputTemplate: 'x'.repeat(8193) }, 'between 1 and 8192');
  });
});
