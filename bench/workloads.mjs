// The benchmark workloads, generated in code so the folder is self-contained.
//
// A workload is { name, description, definition, input(), transitions, expected, executions?,
// batch? }: `input()` returns a fresh input (engines may keep references to it), `expected` is
// the output worked out in closed form from the construction parameters (never by running an
// engine), and `transitions` counts every state entered, including those inside Map iterations
// and Parallel branches, per execution times `executions`.

const next = (i, n, prefix) => (i === n - 1 ? { End: true } : { Next: `${prefix}${i + 1}` });

/** 1000 Pass states; each reads two paths through Parameters and writes $.last via ResultPath. */
function passChain(n = 1000) {
  const States = {};
  for (let i = 0; i < n; i++) {
    States[`S${i}`] = {
      Type: 'Pass',
      Parameters: { step: i, 'from.$': '$.last.step', 'name.$': '$.data.name' },
      ResultPath: '$.last',
      ...next(i, n, 'S'),
    };
  }
  const data = { name: 'bench', values: [1, 2, 3], nested: { flag: true } };
  return {
    name: `pass-chain-${n}`,
    description: `${n} Pass states in a row with Parameters (two paths) and ResultPath`,
    definition: { StartAt: 'S0', States },
    input: () => ({ data: structuredClone(data), last: { step: -1 } }),
    transitions: n,
    expected: { data, last: { step: n - 1, from: n - 2, name: 'bench' } },
  };
}

/** Choice → Pass (States.MathAdd) → Choice … until the counter reaches n, then Succeed. */
function choiceLoop(n = 10_000) {
  return {
    name: 'choice-loop-10k',
    description: `Choice loop of ${n} iterations, counter incremented with States.MathAdd`,
    definition: {
      StartAt: 'Check',
      States: {
        Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: n, Next: 'Increment' }], Default: 'Done' },
        Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
        Done: { Type: 'Succeed' },
      },
    },
    input: () => ({ i: 0 }),
    transitions: n + 1 + n + 1, // Check n+1 times, Increment n times, Done once
    expected: { i: n },
  };
}

/** Inline Map over n items: ItemSelector, then two Pass states, one with States.Format. */
function map10k(n = 10_000) {
  return {
    name: 'map-10k',
    description: `Inline Map over ${n} items (MaxConcurrency 0) with ItemSelector; 2 Pass per item, one with States.Format`,
    definition: {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 0,
          ItemSelector: { 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'prefix.$': '$.prefix' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Shape',
            States: {
              Shape: { Type: 'Pass', Parameters: { 'id.$': '$.item.id', 'value.$': '$.item.value', 'prefix.$': '$.prefix' }, Next: 'Label' },
              Label: { Type: 'Pass', Parameters: { 'key.$': "States.Format('{}-{}', $.prefix, $.id)", 'v.$': '$.value' }, End: true },
            },
          },
          End: true,
        },
      },
    },
    input: () => ({ prefix: 'item', items: Array.from({ length: n }, (_, i) => ({ id: i, value: i * 2 })) }),
    transitions: 1 + 2 * n,
    expected: Array.from({ length: n }, (_, i) => ({ key: `item-${i}`, v: i * 2 })),
  };
}

/** A Map of `outer` items, each an inner Map of `inner` items; the leaf builds a pair. */
function mapNested(outer = 100, inner = 100) {
  const range = (k) => Array.from({ length: k }, (_, i) => i);
  return {
    name: 'map-nested',
    description: `Map of ${outer} items, each an inner Map of ${inner} items; leaf Pass with States.Array`,
    definition: {
      StartAt: 'Outer',
      States: {
        Outer: {
          Type: 'Map',
          ItemsPath: '$.outer',
          MaxConcurrency: 0,
          ItemSelector: { 'o.$': '$$.Map.Item.Value', 'inner.$': '$.inner' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Inner',
            States: {
              Inner: {
                Type: 'Map',
                ItemsPath: '$.inner',
                MaxConcurrency: 0,
                ItemSelector: { 'o.$': '$.o', 'i.$': '$$.Map.Item.Value' },
                ItemProcessor: {
                  ProcessorConfig: { Mode: 'INLINE' },
                  StartAt: 'Leaf',
                  States: { Leaf: { Type: 'Pass', Parameters: { 'pair.$': 'States.Array($.o, $.i)' }, End: true } },
                },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    },
    input: () => ({ outer: range(outer), inner: range(inner) }),
    transitions: 1 + outer * (1 + inner),
    expected: range(outer).map((o) => range(inner).map((i) => ({ pair: [o, i] }))),
  };
}

/** A Parallel state with `branches` branches of `depth` Pass states. */
function parallel(branches = 100, depth = 5) {
  const Branches = Array.from({ length: branches }, (_, b) => {
    const States = {};
    for (let k = 0; k < depth; k++) {
      States[`B${b}_${k}`] = { Type: 'Pass', Parameters: { branch: b, step: k, 'seed.$': '$.seed' }, ...next(k, depth, `B${b}_`) };
    }
    return { StartAt: `B${b}_0`, States };
  });
  return {
    name: 'parallel-100',
    description: `Parallel with ${branches} branches of ${depth} Pass states`,
    definition: { StartAt: 'Fork', States: { Fork: { Type: 'Parallel', Branches, End: true } } },
    input: () => ({ seed: 7 }),
    transitions: 1 + branches * depth,
    expected: Array.from({ length: branches }, (_, b) => ({ branch: b, step: depth - 1, seed: 7 })),
  };
}

/**
 * n Pass states cycling through intrinsic functions; each keeps `s` (a string) and `n` (a
 * number) so the chain's result can be worked out without running it.
 */
function intrinsicsHeavy(n = 1000) {
  const steps = [
    { 's.$': "States.Format('{}+', $.s)", 'n.$': '$.n' },
    { 's.$': 'States.JsonToString($.n)', 'n.$': 'States.MathAdd($.n, 1)' },
    { 's.$': '$.s', 'n.$': 'States.ArrayLength(States.Array($.n, $.s, 1))' },
    { 's.$': 'States.Base64Encode($.s)', 'n.$': '$.n' },
    { 's.$': 'States.Base64Decode($.s)', 'n.$': 'States.MathAdd($.n, 5)' },
    { 's.$': "States.ArrayGetItem(States.StringSplit($.s, '+'), 0)", 'n.$': 'States.StringToJson(States.JsonToString($.n))' },
    { 's.$': "States.Hash($.s, 'SHA-256')", 'n.$': '$.n' },
    // Parsed from text each time: aws-local-stepfunctions' JsonMerge mutates its first argument.
    { 'merged.$': 'States.JsonMerge(States.StringToJson($.k.left), States.StringToJson($.k.right), false)', 's.$': '$.s', 'n.$': '$.n' },
  ].map((step) => ({ ...step, 'k.$': '$.k' })); // every step carries the JsonMerge operands along
  const States = {};
  for (let i = 0; i < n; i++) States[`I${i}`] = { Type: 'Pass', Parameters: steps[i % steps.length], ...next(i, n, 'I') };
  return {
    name: 'intrinsics-heavy',
    description: `${n} Pass states cycling through ${steps.length} intrinsic-function steps (Format, JsonToString, MathAdd, Array, Base64, StringSplit, Hash, JsonMerge…)`,
    definition: { StartAt: 'I0', States },
    input: () => ({ s: 'seed', n: 0, k: { left: '{"a":1}', right: '{"b":2}' } }),
    transitions: n,
    expected: simulateIntrinsics(steps, n, { s: 'seed', n: 0, k: { left: '{"a":1}', right: '{"b":2}' } }),
  };
}

/** The result of intrinsicsHeavy's chain, computed with plain JavaScript. */
function simulateIntrinsics(steps, n, start) {
  let v = start;
  const sha256 = (text) => globalThis.__benchSha256(text);
  for (let i = 0; i < n; i++) {
    switch (i % steps.length) {
      case 0: v = { s: `${v.s}+`, n: v.n, k: v.k }; break;
      case 1: v = { s: JSON.stringify(v.n), n: v.n + 1, k: v.k }; break;
      case 2: v = { s: v.s, n: 3, k: v.k }; break;
      case 3: v = { s: Buffer.from(v.s, 'utf8').toString('base64'), n: v.n, k: v.k }; break;
      case 4: v = { s: Buffer.from(v.s, 'base64').toString('utf8'), n: v.n + 5, k: v.k }; break;
      case 5: v = { s: v.s.split('+')[0], n: v.n, k: v.k }; break;
      case 6: v = { s: sha256(v.s), n: v.n, k: v.k }; break;
      case 7: v = { merged: { ...JSON.parse(v.k.left), ...JSON.parse(v.k.right) }, s: v.s, n: v.n, k: v.k }; break;
    }
  }
  return v;
}

/** n JSONata Pass states, each adding its index to a running total through Output. */
function jsonataChain(n = 1000) {
  const States = {};
  for (let i = 0; i < n; i++) {
    States[`J${i}`] = {
      Type: 'Pass',
      Output: { name: '{% $states.input.name %}', total: `{% $states.input.total + ${i} %}`, step: i },
      ...next(i, n, 'J'),
    };
  }
  return {
    name: 'jsonata-1000',
    description: `QueryLanguage JSONata: ${n} Pass states with Output expressions`,
    definition: { QueryLanguage: 'JSONata', StartAt: 'J0', States },
    input: () => ({ name: 'bench', total: 0 }),
    transitions: n,
    expected: { name: 'bench', total: (n * (n - 1)) / 2, step: n - 1 },
  };
}

/** A ~200 KiB document carried through n Pass states by Parameters. */
function largePayload(n = 50) {
  const records = Array.from({ length: 1600 }, (_, i) => ({
    id: i,
    name: `record-${String(i).padStart(5, '0')}`,
    tags: ['alpha', 'beta', 'gamma'].slice(0, 1 + (i % 3)),
    score: (i * 37) % 101,
    text: 'lorem ipsum dolor sit amet '.repeat(2),
  }));
  const States = {};
  for (let i = 0; i < n; i++) States[`P${i}`] = { Type: 'Pass', Parameters: { 'data.$': '$.data', hop: i }, ...next(i, n, 'P') };
  return {
    name: 'payload-large',
    description: `A ${Math.round(JSON.stringify(records).length / 1024)} KiB document passed through ${n} Pass states via Parameters`,
    definition: { StartAt: 'P0', States },
    input: () => ({ data: structuredClone(records) }),
    transitions: n,
    expected: { data: records, hop: n - 1 },
  };
}

/** Many small executions of Pass → Choice → Succeed, started `batch` at a time. */
function manySmall(executions = 10_000, batch = 100) {
  return {
    name: 'many-small-executions',
    description: `${executions} executions of Pass → Choice → Succeed, ${batch} at a time`,
    definition: {
      StartAt: 'Tag',
      States: {
        Tag: { Type: 'Pass', Parameters: { 'n.$': '$.n', kind: 'small' }, Next: 'Route' },
        Route: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 0, Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    },
    input: () => ({ n: 1 }),
    executions,
    batch,
    transitions: 3 * executions,
    expected: { n: 1, kind: 'small' },
  };
}

/** All workloads, in the order they run. `sha256` is injected to keep this file import-free. */
export function workloads({ sha256 }) {
  globalThis.__benchSha256 = sha256;
  return [
    passChain(),
    choiceLoop(),
    map10k(),
    mapNested(),
    parallel(),
    intrinsicsHeavy(),
    jsonataChain(),
    largePayload(),
    manySmall(),
  ];
}

/** The first difference between two JSON values (object key order ignored), or null. */
export function difference(actual, expected, path = '$') {
  if (Object.is(actual, expected)) return null;
  if (typeof actual !== typeof expected || actual === null || expected === null || typeof actual !== 'object') {
    return `${path}: got ${preview(actual)}, expected ${preview(expected)}`;
  }
  if (Array.isArray(actual) !== Array.isArray(expected)) return `${path}: got ${preview(actual)}, expected ${preview(expected)}`;
  if (Array.isArray(actual)) {
    if (actual.length !== expected.length) return `${path}: length ${actual.length}, expected ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const d = difference(actual[i], expected[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const keys = Object.keys(actual).sort();
  const wanted = Object.keys(expected).sort();
  if (keys.join('\0') !== wanted.join('\0')) return `${path}: keys [${keys}], expected [${wanted}]`;
  for (const k of keys) {
    const d = difference(actual[k], expected[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

function preview(v) {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
