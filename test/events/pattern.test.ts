// EventBridge event patterns: every example of the user guide's pattern pages, matching and
// non-matching events, plus patterns EventBridge refuses. Section names below are the guide's
// ("Amazon EventBridge event patterns", "Arrays in …", "Matching null values and empty strings
// in …", "Content filtering in Amazon EventBridge event patterns", and the current guide's
// "Comparison operators for use in event patterns"); the operator semantics not shown there
// come from aws/event-ruler's README, the engine EventBridge runs.
import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError, matchesEventPattern, parseEventPattern } from '../../src/events/pattern.js';

const matches = (pattern: unknown, event: unknown) => matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event);

function invalid(text: string): InvalidEventPatternError {
  try {
    parseEventPattern(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    return error as InvalidEventPatternError;
  }
  throw new Error(`pattern was accepted: ${text}`);
}

const ec2Terminated = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

describe('Amazon EventBridge event patterns (eb-event-patterns)', () => {
  it('the instance-termination pattern matches the EC2 event and not another state', () => {
    const pattern = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };
    expect(matches(pattern, ec2Terminated)).toBe(true);
    expect(matches(pattern, { ...ec2Terminated, detail: { state: 'running' } })).toBe(false);
    // "the event must contain all the field names listed in the event pattern … same nesting"
    expect(matches(pattern, { ...ec2Terminated, detail: undefined, state: 'terminated' })).toBe(false);
  });

  it('Match values: an array of values is an OR ("aws.ec2" or "aws.fargate")', () => {
    const pattern = { source: ['aws.ec2', 'aws.fargate'] };
    expect(matches(pattern, { source: 'aws.ec2' })).toBe(true);
    expect(matches(pattern, { source: 'aws.fargate' })).toBe(true);
    expect(matches(pattern, { source: 'aws.s3' })).toBe(false);
  });

  it('strings match character by character, without case folding', () => {
    expect(matches({ source: ['aws.ec2'] }, { source: 'AWS.EC2' })).toBe(false);
    expect(matches({ source: ['true'] }, { source: true })).toBe(false);
    expect(matches({ source: [true] }, { source: true })).toBe(true);
  });

  const autoscaling = {
    version: '0',
    id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: '2015-11-11T21:31:47Z',
    region: 'us-east-1',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };

  it('Field matching: responseElements null', () => {
    const pattern = { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } };
    expect(matches(pattern, autoscaling)).toBe(true);
    expect(matches(pattern, { ...autoscaling, detail: { responseElements: {} } })).toBe(false);
  });

  it('Value matching: Macie risk-score 80 and trigger risk 8', () => {
    const macie = {
      'detail-type': 'Macie Alert',
      source: 'aws.macie',
      detail: { 'notification-type': 'ALERT_CREATED', tags: ['Custom_Alert', 'Insider'], 'risk-score': 80, trigger: { 'alert-type': 'basic', risk: 8 } },
    };
    const pattern = { source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } };
    expect(matches(pattern, macie)).toBe(true);
    expect(matches(pattern, { ...macie, detail: { ...macie.detail, trigger: { risk: 7 } } })).toBe(false);
    expect(matches(pattern, { ...macie, detail: { ...macie.detail, 'risk-score': '80' } })).toBe(false);
  });

  describe('Matching null values and empty strings (eb-event-patterns-null-values)', () => {
    it('[""] matches the empty eventVersion, [null] the null responseElements, and they are not interchangeable', () => {
      expect(matches({ detail: { eventVersion: [''] } }, autoscaling)).toBe(true);
      expect(matches({ detail: { responseElements: [null] } }, autoscaling)).toBe(true);
      expect(matches({ detail: { eventVersion: [null] } }, autoscaling)).toBe(false);
      expect(matches({ detail: { responseElements: [''] } }, autoscaling)).toBe(false);
      // null is a value: a missing field is not null
      expect(matches({ detail: { absent: [null] } }, autoscaling)).toBe(false);
    });
  });

  describe('Arrays in event patterns (eb-event-patterns-arrays)', () => {
    it('matches when the pattern array and the event array intersect', () => {
      const pattern = {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      };
      const event = {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      };
      expect(matches(pattern, event)).toBe(true);
      expect(matches(pattern, { resources: [event.resources[0]] })).toBe(false);
      expect(matches(pattern, { resources: [] })).toBe(false);
    });

    it('objects inside arrays: fields of one sub-pattern must come from the same element (event-ruler)', () => {
      const event = { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] };
      expect(matches({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
      expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
      expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
      // multi-level arrays are crushed out too
      expect(matches({ employees: { firstName: ['Peter'] } }, { employees: [[{ firstName: 'John' }], [{ firstName: 'Peter' }]] })).toBe(true);
    });
  });
});

describe('Content filtering (eb-event-patterns-content-based-filtering)', () => {
  it('Prefix matching: time starting with 2017-10-02', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(matches(pattern, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(matches(pattern, { time: '2017-10-03T18:43:48Z' })).toBe(false);
    expect(matches({ n: [{ prefix: '1' }] }, { n: 12 })).toBe(false); // strings only
  });

  it('Prefix matching while ignoring case: service starting with EventB', () => {
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    for (const service of ['EventBridge', 'EVENTBRIDGE', 'eventbus']) expect(matches(pattern, { detail: { service } })).toBe(true);
    expect(matches(pattern, { detail: { service: 'Events' } })).toBe(false);
  });

  it('Suffix matching: FileName ending with .png', () => {
    const pattern = { FileName: [{ suffix: '.png' }] };
    expect(matches(pattern, { FileName: 'image.png' })).toBe(true);
    expect(matches(pattern, { FileName: 'image.PNG' })).toBe(false);
    expect(matches(pattern, { FileName: 'image.jpg' })).toBe(false);
  });

  it('Suffix matching while ignoring case: .png and .PNG', () => {
    const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matches(pattern, { detail: { FileName: 'image.png' } })).toBe(true);
    expect(matches(pattern, { detail: { FileName: 'image.PNG' } })).toBe(true);
    expect(matches(pattern, { detail: { FileName: 'image.gif' } })).toBe(false);
  });

  it('Equals-ignore-case matching: source EC2', () => {
    const pattern = { source: [{ 'equals-ignore-case': 'EC2' }] };
    expect(matches(pattern, { source: 'ec2' })).toBe(true);
    expect(matches(pattern, { source: 'Ec2' })).toBe(true);
    expect(matches(pattern, { source: 'ec2x' })).toBe(false);
  });

  describe('Anything-but matching', () => {
    it('a string: state is anything but initializing', () => {
      const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
      expect(matches(pattern, { detail: { state: 'running' } })).toBe(true);
      expect(matches(pattern, { detail: { state: 'initializing' } })).toBe(false);
      expect(matches(pattern, { detail: {} })).toBe(false); // needs a value to be "anything"
    });

    it('a number: x-limit is anything but 123', () => {
      const pattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
      expect(matches(pattern, { detail: { 'x-limit': 124 } })).toBe(true);
      expect(matches(pattern, { detail: { 'x-limit': 123 } })).toBe(false);
    });

    it('a list of strings: neither stopped nor overloaded', () => {
      const pattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
      expect(matches(pattern, { detail: { state: 'running' } })).toBe(true);
      expect(matches(pattern, { detail: { state: 'stopped' } })).toBe(false);
      expect(matches(pattern, { detail: { state: 'overloaded' } })).toBe(false);
    });

    it('a list of numbers: none of 100, 200, 300', () => {
      const pattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
      expect(matches(pattern, { detail: { 'x-limit': 150 } })).toBe(true);
      expect(matches(pattern, { detail: { 'x-limit': 200 } })).toBe(false);
    });

    it('a prefix: state not starting with init', () => {
      const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
      expect(matches(pattern, { detail: { state: 'running' } })).toBe(true);
      expect(matches(pattern, { detail: { state: 'initializing' } })).toBe(false);
    });

    it('a suffix: FileName not ending with .png (Comparison operators: Anything-but (ends with))', () => {
      const pattern = { FileName: [{ 'anything-but': { suffix: '.png' } }] };
      expect(matches(pattern, { FileName: 'notes.txt' })).toBe(true);
      expect(matches(pattern, { FileName: 'image.png' })).toBe(false);
    });

    it('ignoring case: state not initializing in any casing (Anything-but (ignore case))', () => {
      const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
      expect(matches(pattern, { state: 'running' })).toBe(true);
      expect(matches(pattern, { state: 'INITIALIZING' })).toBe(false);
      const list = { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] };
      expect(matches(list, { state: 'Stopped' })).toBe(false);
      expect(matches(list, { state: 'pending' })).toBe(true);
    });

    it('a wildcard: FilePath not including /lib/ (Anything-but using a wildcard)', () => {
      const pattern = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
      expect(matches(pattern, { FilePath: '/usr/bin/app' })).toBe(true);
      expect(matches(pattern, { FilePath: '/usr/lib/libc.so' })).toBe(false);
    });

    it('an event array matches when some element is not excluded', () => {
      const pattern = { state: [{ 'anything-but': 'stopped' }] };
      expect(matches(pattern, { state: ['stopped', 'running'] })).toBe(true);
      expect(matches(pattern, { state: ['stopped'] })).toBe(false);
    });
  });

  describe('Numeric matching', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };

    it('matches only when every field is in range', () => {
      expect(matches(pattern, { detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 } })).toBe(true);
      expect(matches(pattern, { detail: { 'c-count': 0, 'd-count': 3, 'x-limit': 301.8 } })).toBe(false); // > 0
      expect(matches(pattern, { detail: { 'c-count': 6, 'd-count': 3, 'x-limit': 301.8 } })).toBe(false); // <= 5
      expect(matches(pattern, { detail: { 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 } })).toBe(false); // < 10
      expect(matches(pattern, { detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.9 } })).toBe(false); // = 301.8
      expect(matches(pattern, { detail: { 'c-count': '5', 'd-count': 3, 'x-limit': 301.8 } })).toBe(false); // JSON numbers only
    });

    it('Numeric (range): Price more than 10 and at most 20; >= and <=', () => {
      const price = { Price: [{ numeric: ['>', 10, '<=', 20] }] };
      expect(matches(price, { Price: 20 })).toBe(true);
      expect(matches(price, { Price: 10 })).toBe(false);
      expect(matches({ Price: [{ numeric: ['>=', 10, '<', 20] }] }, { Price: 10 })).toBe(true);
      expect(matches({ Price: [{ numeric: ['>=', 10, '<', 20] }] }, { Price: 20 })).toBe(false);
    });

    it('compares with six decimal places within ±5.0e9 (event-ruler precision)', () => {
      expect(matches({ v: [{ numeric: ['=', 0.1] }] }, { v: 0.1000000001 })).toBe(true);
      expect(matches({ v: [{ numeric: ['=', 0.1] }] }, { v: 0.100001 })).toBe(false);
      expect(matches({ v: [{ numeric: ['>', 0] }] }, { v: 5e9 })).toBe(true);
      expect(matches({ v: [{ numeric: ['>', 0] }] }, { v: 5.1e9 })).toBe(false); // outside the comparable range
    });
  });

  describe('IP address matching', () => {
    it('IPv4: 10.0.0.0/24', () => {
      const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
      expect(matches(pattern, { detail: { sourceIPAddress: '10.0.0.255' } })).toBe(true);
      expect(matches(pattern, { detail: { sourceIPAddress: '10.0.0.0' } })).toBe(true);
      expect(matches(pattern, { detail: { sourceIPAddress: '10.0.1.1' } })).toBe(false);
      expect(matches(pattern, { detail: { sourceIPAddress: 'not-an-ip' } })).toBe(false);
    });

    it('IPv6: 2001:db8::/32', () => {
      const pattern = { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } };
      expect(matches(pattern, { detail: { sourceIPAddress: '2001:db8:1234::1' } })).toBe(true);
      expect(matches(pattern, { detail: { sourceIPAddress: '2001:0db9::1' } })).toBe(false);
      expect(matches(pattern, { detail: { sourceIPAddress: '10.0.0.1' } })).toBe(false);
    });
  });

  describe('Exists matching', () => {
    it('exists: true matches an event with detail.state, and not one without', () => {
      const pattern = { detail: { state: [{ exists: true }] } };
      expect(matches(pattern, { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { 'instance-id': 'i-abcd1111', state: 'pending' } })).toBe(true);
      expect(matches(pattern, { 'detail-type': ['EC2 Instance State-change Notification'], detail: { 'c-count': { c1: 100 } } })).toBe(false);
    });

    it('exists: false matches when c-count is absent, and when it is no leaf (an object)', () => {
      const pattern = { detail: { 'c-count': [{ exists: false }] } };
      const base = { 'detail-type': ['EC2 Instance State-change Notification'], resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'] };
      expect(matches(pattern, { ...base, detail: { state: ['initializing', 'running'] } })).toBe(true);
      expect(matches(pattern, { ...base, detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } })).toBe(true);
      expect(matches(pattern, { ...base, detail: { 'c-count': 3 } })).toBe(false);
    });

    it('null is a present value; an empty array holds no leaf (event-ruler)', () => {
      expect(matches({ a: [{ exists: true }] }, { a: null })).toBe(true);
      expect(matches({ a: [{ exists: true }] }, { a: [] })).toBe(false);
      expect(matches({ a: [{ exists: false }] }, { a: [] })).toBe(true);
      expect(matches({ a: [{ exists: true }] }, { a: [1] })).toBe(true);
    });

    it('exists: false under an object the event lacks', () => {
      expect(matches({ detail: { x: [{ exists: false }] } }, { source: 'a' })).toBe(true);
    });
  });

  describe('Wildcard matching', () => {
    it('an event-bus ARN in any account', () => {
      const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
      expect(matches(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' })).toBe(true);
      expect(matches(pattern, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/myEventBus' })).toBe(false);
    });

    it('Simple*Service, escapes, and strings only (event-ruler)', () => {
      expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueService' })).toBe(true);
      expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' })).toBe(true);
      expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleServices' })).toBe(false);
      expect(matches({ s: [{ wildcard: 'a\\*b' }] }, { s: 'a*b' })).toBe(true);
      expect(matches({ s: [{ wildcard: 'a\\*b' }] }, { s: 'axb' })).toBe(false);
      expect(matches({ s: [{ wildcard: 'a.c' }] }, { s: 'abc' })).toBe(false); // regex characters are literal
      expect(matches({ s: [{ wildcard: '*' }] }, { s: 5 })).toBe(false);
      expect(matches({ s: [{ wildcard: 'a*ab' }] }, { s: 'aab' })).toBe(true);
      expect(matches({ s: [{ wildcard: 'a*ab' }] }, { s: 'ab' })).toBe(false); // pieces may not overlap
      expect(matches({ s: [{ wildcard: '*x*y*' }] }, { s: 'yx' })).toBe(false);
      expect(matches({ s: [{ wildcard: '*x*y*' }] }, { s: 'axbyc' })).toBe(true);
      // no backtracking blow-up on a hostile value
      expect(matches({ s: [{ wildcard: '*a*a*a*a*a*a*b' }] }, { s: 'a'.repeat(50_000) })).toBe(false);
    });
  });

  describe('$or matching', () => {
    it('c-count, d-count or x-limit', () => {
      const pattern = {
        detail: {
          $or: [
            { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
            { 'd-count': [{ numeric: ['<', 10] }] },
            { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
          ],
        },
      };
      expect(matches(pattern, { detail: { 'c-count': 3 } })).toBe(true);
      expect(matches(pattern, { detail: { 'd-count': 3 } })).toBe(true);
      expect(matches(pattern, { detail: { 'x-limit': 301.8 } })).toBe(true);
      expect(matches(pattern, { detail: { 'c-count': 9, 'd-count': 11 } })).toBe(false);
    });

    it('source AND (metricName OR namespace), and nested $or (event-ruler)', () => {
      const pattern = {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency'] },
          { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        ],
      };
      expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
      expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1000 })).toBe(true);
      expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' })).toBe(false);
      expect(matches(pattern, { source: 'aws.s3', metricName: 'ReadLatency' })).toBe(false);
    });

    it('"$or" that is not a list of 2+ sub-patterns is an ordinary field name', () => {
      expect(matches({ $or: { a: ['x'] } }, { $or: { a: 'x' } })).toBe(true);
      expect(matches({ $or: ['x'] }, { $or: 'x' })).toBe(true);
    });
  });

  it('Complex example with multiple matching', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    };
    const event = { time: '2017-10-02T16:24:49Z', detail: { state: 'running', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33' } };
    expect(matches(pattern, event)).toBe(true);
    expect(matches(pattern, { ...event, detail: { ...event.detail, state: 'initializing' } })).toBe(false);
    expect(matches(pattern, { ...event, detail: { ...event.detail, 'x-limit': 200 } })).toBe(false);
  });

  it('a key given twice: the last one is used', () => {
    const pattern = parseEventPattern('{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}');
    expect(matchesEventPattern(pattern, { detail: { location: 'eu-west' } })).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });
});

describe('invalid patterns', () => {
  it('carries EventBridge\'s name and message prefix', () => {
    const error = invalid('{"source": "aws.ec2"}');
    expect(error.name).toBe('InvalidEventPatternException');
    expect(error.message).toBe('Event pattern is not valid. Reason: "source" must be an object or an array');
  });

  it.each([
    ['not JSON', '{source: ["a"]}', 'Filter is not valid JSON'],
    ['not an object', '["a"]', 'Filter is not an object'],
    ['a scalar', '"a"', 'Filter is not an object'],
    ['an empty object', '{"source": ["aws.health"], "detail": {}}', 'Empty objects are not allowed'],
    ['an empty pattern', '{}', 'Empty objects are not allowed'],
    ['an empty array', '{"source": []}', 'Empty arrays are not allowed'],
    ['a leaf number', '{"n": 5}', '"n" must be an object or an array'],
    ['a nested array', '{"n": [[1]]}', 'Match value must be String'],
    ['an unknown operator', '{"n": [{"contains": "x"}]}', 'Unrecognized match type contains'],
    ['two operators in one object', '{"n": [{"prefix": "a", "suffix": "b"}]}', 'Only one key allowed'],
    ['a non-string prefix', '{"n": [{"prefix": 5}]}', 'prefix match pattern must be a string'],
    ['a non-string suffix', '{"n": [{"suffix": ["a"]}]}', 'suffix match pattern must be a string'],
    ['a non-string equals-ignore-case', '{"n": [{"equals-ignore-case": 1}]}', 'equals-ignore-case match pattern must be a string'],
    ['a non-boolean exists', '{"n": [{"exists": "true"}]}', 'exists match pattern must be either true or false'],
    ['a bad cidr', '{"n": [{"cidr": "10.0.0.0/33"}]}', 'Nonstandard IP address'],
    ['a bad IPv6 cidr', '{"n": [{"cidr": "2001:db8:::/32"}]}', 'Nonstandard IP address'],
    ['consecutive wildcards', '{"n": [{"wildcard": "a**b"}]}', 'Consecutive wildcard characters at pos 2'],
    ['a bad wildcard escape', '{"n": [{"wildcard": "a\\\\b"}]}', 'Invalid escape character at pos 1'],
    ['numeric with a string value', '{"n": [{"numeric": [">", "5"]}]}', 'Value of > must be a number'],
    ['numeric with an odd list', '{"n": [{"numeric": [">", 5, "<"]}]}', 'Value of numeric must be an array'],
    ['numeric with an unknown operator', '{"n": [{"numeric": ["!=", 5]}]}', 'Unrecognized numeric range operator'],
    ['numeric with an empty range', '{"n": [{"numeric": [">", 5, "<", 5]}]}', 'Bottom must be less than top'],
    ['numeric with two lower bounds', '{"n": [{"numeric": [">", 1, ">=", 2]}]}', 'two lower bounds'],
    ['numeric out of range', '{"n": [{"numeric": [">", 6e9]}]}', 'between -5.0E9 and 5.0E9'],
    ['anything-but with a mixed list', '{"n": [{"anything-but": ["a", 1]}]}', 'only all-string or all-number'],
    ['anything-but with an empty list', '{"n": [{"anything-but": []}]}', 'only all-string or all-number'],
    ['anything-but with a boolean', '{"n": [{"anything-but": true}]}', 'Value of anything-but must be'],
    ['anything-but with a list of prefixes', '{"n": [{"anything-but": {"prefix": ["a", "b"]}}]}', 'prefix match pattern must be a string'],
    ['anything-but numeric', '{"n": [{"anything-but": {"numeric": [">", 1]}}]}', 'Unsupported anything-but pattern: numeric'],
  ])('refuses %s', (_label, text, reason) => {
    expect(invalid(text).message).toContain(reason);
  });

  it('refuses a pattern over the size quota (2048 by default, 4096 allowed)', () => {
    const big = JSON.stringify({ source: ['x'.repeat(3000)] });
    expect(invalid(big).message).toContain('maximum length of 2048');
    expect(() => parseEventPattern(big, { maxLength: 4096 })).not.toThrow();
  });

  it('refuses nesting beyond its bound without overflowing the stack', () => {
    const deep = '{"a":'.repeat(60) + '["x"]' + '}'.repeat(60);
    expect(invalid(deep).message).toContain('nesting exceeds');
  });
});
