import { describe, expect, it } from 'vitest';
import { PathSyntaxError, compilePath, describePathMiss, isReferencePath, lookupPath, queryPath } from './jsonpath.js';
import { noVariables, type Scope, type VariableLookup } from './scope.js';

function variables(values: Record<string, unknown>): VariableLookup {
  return { has: (name) => Object.prototype.hasOwnProperty.call(values, name), get: (name) => values[name] };
}

function scopeOf(input: unknown, context: unknown = {}, vars: VariableLookup = noVariables): Scope {
  return { input, context, variables: vars };
}

/** The value a path selects in `input`, or the string 'NOT FOUND'. */
function select(path: string, input: unknown): unknown {
  const result = queryPath(path, scopeOf(input));
  return result.found ? result.value : 'NOT FOUND';
}

/** Jayway's reason a definite path selected nothing. */
function reason(path: string, input: unknown): string {
  const compiled = compilePath(path);
  const result = lookupPath(compiled, scopeOf(input));
  if (result.found) throw new Error(`${path} found ${JSON.stringify(result.value)}`);
  return describePathMiss(compiled, result.miss);
}

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553-21311-3', price: 8.99 },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'The Lord of the Rings', isbn: '0-395-19395-8', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  expensive: 10,
};

describe('compilePath', () => {
  it('recognises the three roots', () => {
    expect(compilePath('$.a')).toMatchObject({ root: 'input', isDefinite: true });
    expect(compilePath('$')).toMatchObject({ root: 'input', isDefinite: true, isReference: true });
    expect(compilePath('$$.Execution.Id')).toMatchObject({ root: 'context', isDefinite: true });
    expect(compilePath('$$')).toMatchObject({ root: 'context' });
    const variable = compilePath('$myVar_1.field[0]');
    expect(variable).toMatchObject({ root: 'variable', variable: 'myVar_1', isDefinite: true, isReference: true });
    expect(compilePath('$x').variable).toBe('x');
    expect(compilePath('$ünïcode').variable).toBe('ünïcode');
  });

  it('caches by text', () => {
    expect(compilePath('$.cached.path')).toBe(compilePath('$.cached.path'));
  });

  it('tells definite paths from indefinite ones', () => {
    for (const p of ['$.a.b', "$['a']['b']", '$[0]', '$.a[-1]', "$['a','b']", '$.list.length()', '$..price.sum()']) {
      expect(compilePath(p).isDefinite, p).toBe(true);
    }
    for (const p of ['$.*', '$[*]', '$..a', '$.a[0,1]', '$.a[1:2]', '$.a[?(@.b)]', '$.a[*].length()']) {
      expect(compilePath(p).isDefinite, p).toBe(false);
    }
  });

  it('rejects what Jayway cannot compile', () => {
    const invalid = [
      '',
      'a.b',
      '$.',
      '$..',
      '$.a.',
      '$a b',
      '$.a b',
      '$[',
      '$[]',
      "$['a'",
      "$['a',]",
      "$['a',,'b']",
      '$[?(@.a == 1]',
      '$[?(@.a ==)]',
      '$[?(@.a === )]',
      '$.a[1:2:x]',
      '$[:]',
      '$...a',
      '$.foo()',
      '$.length(1)',
      '$.a.length().b',
      '$[?(@.a =~ /[/)]',
      "$[?(@.a == 'x)]",
      '$[?(@.a in [1, )]',
      '$-x',
      '$$x',
    ];
    for (const p of invalid) expect(() => compilePath(p), p).toThrow(PathSyntaxError);
  });

  it('accepts the odd names Jayway accepts after a dot', () => {
    expect(select('$.int-literal', { 'int-literal': 0 })).toBe(0);
    expect(select('$.a:b', { 'a:b': 1 })).toBe(1);
    expect(select('$.0', { '0': 'zero' })).toBe('zero');
    expect(select('$.[0]', ['x'])).toBe('x');
    expect(select(" $.a ", { a: 1 })).toBe(1);
  });
});

describe('isReferencePath', () => {
  it('accepts names and single indexes only', () => {
    for (const p of ['$', '$.a', '$.a.b[0].c', "$['a b']", '$[0]', '$$.Execution.Input', '$var.x']) {
      expect(isReferencePath(p), p).toBe(true);
    }
    for (const p of ['$.a[*]', '$..a', '$.a[0,1]', '$.a[1:]', "$['a','b']", '$.a[?(@.x)]', '$.a.length()', 'nope', '$.']) {
      expect(isReferencePath(p), p).toBe(false);
    }
  });
});

describe('definite paths', () => {
  const input = { a: { b: [10, { c: 'deep' }], n: null, f: false }, 'key with space': 1, "it's": 2, '"q"': 3 };

  it('select their value', () => {
    expect(select('$', input)).toBe(input);
    expect(select('$.a.b', input)).toEqual([10, { c: 'deep' }]);
    expect(select('$.a.b[0]', input)).toBe(10);
    expect(select('$.a.b[1].c', input)).toBe('deep');
    expect(select('$.a.b[-1].c', input)).toBe('deep');
    expect(select("$['a']['b'][1]['c']", input)).toBe('deep');
    expect(select('$["a"]["b"][0]', input)).toBe(10);
    expect(select("$[ 'a' ].b[ 0 ]", input)).toBe(10);
    expect(select("$['key with space']", input)).toBe(1);
    expect(select("$['it\\'s']", input)).toBe(2);
    expect(select('$["\\"q\\""]', input)).toBe(3);
  });

  it('find null and false as values', () => {
    expect(queryPath('$.a.n', scopeOf(input))).toEqual({ found: true, value: null });
    expect(queryPath('$.a.f', scopeOf(input))).toEqual({ found: true, value: false });
  });

  it('select nothing when anything on the way is missing', () => {
    expect(queryPath('$.missing', scopeOf(input)).found).toBe(false);
    expect(queryPath('$.a.missing.x', scopeOf(input)).found).toBe(false);
    expect(queryPath('$.a.b[5]', scopeOf(input)).found).toBe(false);
    expect(queryPath('$.a.b[-3]', scopeOf(input)).found).toBe(false);
    expect(queryPath('$.a.n.x', scopeOf(input)).found).toBe(false);
    expect(queryPath('$.a[0]', scopeOf(input)).found).toBe(false);
    expect(queryPath('$.a.b.c', scopeOf(input)).found).toBe(false);
    expect(queryPath('$.x', scopeOf('a string')).found).toBe(false);
    expect(queryPath('$.toString', scopeOf({})).found).toBe(false);
    expect(queryPath('$.__proto__', scopeOf({})).found).toBe(false);
  });

  it('merge several names when last (Jayway), keeping those that exist', () => {
    expect(select("$['a','b']", { a: { v: 1 }, b: { v: 2 }, c: 3 })).toEqual({ a: { v: 1 }, b: { v: 2 } });
    expect(select("$['a', 'zz']", { a: 1 })).toEqual({ a: 1 });
    expect(select("$['a','b']", [1])).toBe('NOT FOUND');
  });

  it('read an own __proto__ key as data', () => {
    const withProto = JSON.parse('{"__proto__": {"x": 1}}');
    expect(select('$.__proto__.x', withProto)).toBe(1);
  });
});

describe('roots', () => {
  const context = { Execution: { Id: 'arn:exec', Input: { k: 'v' } }, Map: { Item: { Index: 2 } } };

  it('read the context object with $$', () => {
    const scope = scopeOf({ a: 1 }, context);
    expect(queryPath('$$.Execution.Id', scope)).toEqual({ found: true, value: 'arn:exec' });
    expect(queryPath('$$.Map.Item.Index', scope)).toEqual({ found: true, value: 2 });
    expect(queryPath('$$', scope)).toEqual({ found: true, value: context });
    expect(queryPath('$$.Execution.Nope', scope).found).toBe(false);
  });

  it('does not touch the context object for input paths', () => {
    const scope: Scope = {
      input: { a: 1 },
      get context(): unknown {
        throw new Error('context read');
      },
      variables: noVariables,
    };
    expect(queryPath('$.a', scope)).toEqual({ found: true, value: 1 });
  });

  it('read variables with $name', () => {
    const scope = scopeOf({}, {}, variables({ x: { list: [1, 2, 3] }, n: null, s: 'text' }));
    expect(queryPath('$x', scope)).toEqual({ found: true, value: { list: [1, 2, 3] } });
    expect(queryPath('$x.list[1]', scope)).toEqual({ found: true, value: 2 });
    expect(queryPath('$x.list[*]', scope)).toEqual({ found: true, value: [1, 2, 3] });
    expect(queryPath('$x.list.length()', scope)).toEqual({ found: true, value: 3 });
    expect(queryPath('$n', scope)).toEqual({ found: true, value: null });
    expect(queryPath('$s', scope)).toEqual({ found: true, value: 'text' });
    expect(queryPath('$undefinedVar', scope).found).toBe(false);
    expect(queryPath('$x.missing', scope).found).toBe(false);
  });

  it('binds $ inside a filter to the root the path started from', () => {
    const scope = scopeOf({ limit: 5 }, {}, variables({ v: { limit: 2, items: [1, 2, 3] } }));
    expect(queryPath('$v.items[?(@ > $.limit)]', scope)).toEqual({ found: true, value: [3] });
  });
});

describe('indefinite paths', () => {
  it('list wildcard matches, in document order', () => {
    expect(select('$.*', { a: 1, b: [2], c: { d: 3 } })).toEqual([1, [2], { d: 3 }]);
    expect(select('$[*]', [1, 'two', null])).toEqual([1, 'two', null]);
    expect(select('$.store.book[*].author', store)).toEqual(['Nigel Rees', 'Evelyn Waugh', 'Herman Melville', 'J. R. R. Tolkien']);
    expect(select('$.store.book[*].isbn', store)).toEqual(['0-553-21311-3', '0-395-19395-8']);
    expect(select('$.store.*.color', store)).toEqual(['red']);
  });

  it('are [] (found) when nothing matches, whatever is missing', () => {
    expect(queryPath('$[*]', scopeOf({}))).toEqual({ found: true, value: [] });
    expect(select('$.items[1:]', {})).toEqual([]);
    expect(select('$.item.items[1:5]', {})).toEqual([]);
    expect(select('$.item.items[1:5].itemValue', {})).toEqual([]);
    expect(select('$.items[:1]', {})).toEqual([]);
    expect(select('$.x[*]', { x: 'text' })).toEqual([]);
    expect(select('$.x[0,1]', { x: null })).toEqual([]);
    expect(select('$.x[?(@.a)]', { x: 3 })).toEqual([]);
    expect(select('$.a[*].b.c', { a: [{ b: 1 }, {}, { b: { c: 2 } }] })).toEqual([2]);
  });

  it('take unions of indexes in the order written', () => {
    expect(select('$[2,0]', ['a', 'b', 'c'])).toEqual(['c', 'a']);
    expect(select('$[0, 5, -1]', ['a', 'b', 'c'])).toEqual(['a', 'c']);
  });

  it('slice as Jayway does', () => {
    const list = [0, 1, 2, 3, 4];
    expect(select('$[1:3]', list)).toEqual([1, 2]);
    expect(select('$[:2]', list)).toEqual([0, 1]);
    expect(select('$[-2:]', list)).toEqual([3, 4]);
    expect(select('$[2:]', list)).toEqual([2, 3, 4]);
    expect(select('$[:-1]', list)).toEqual([0, 1, 2, 3]);
    expect(select('$[-3:-1]', list)).toEqual([2, 3]);
    expect(select('$[1:99]', list)).toEqual([1, 2, 3, 4]);
    expect(select('$[-99:]', list)).toEqual(list);
    expect(select('$[9:]', list)).toEqual([]);
    expect(select('$[3:1]', list)).toEqual([]);
    // Jayway's quirk: a negative end only counts from the end in [:n].
    expect(select('$[1:-1]', list)).toEqual([]);
    // and a third part is ignored
    expect(select('$[0:4:2]', list)).toEqual([0, 1, 2, 3]);
    expect(select('$.items[1:5].itemValue', { items: [{ itemValue: 0 }, { itemValue: 1 }, {}, { itemValue: 3 }] })).toEqual([1, 3]);
  });

  it('deep-scan every level, depth first', () => {
    expect(select('$..author', store)).toHaveLength(4);
    expect(select('$..price', store)).toEqual([8.95, 12.99, 8.99, 22.99, 19.95]);
    expect(select('$.store..price', store)).toEqual([8.95, 12.99, 8.99, 22.99, 19.95]);
    expect(select('$..book[2].title', store)).toEqual(['Moby Dick']);
    expect(select('$..book[-1:].title', store)).toEqual(['The Lord of the Rings']);
    expect(select('$..book[?(@.isbn)].title', store)).toEqual(['Moby Dick', 'The Lord of the Rings']);
    expect(select('$..*', { a: { b: 1 }, c: [2] })).toEqual([{ b: 1 }, [2], 1, 2]);
    expect(select('$..[0]', { a: [1, [2, 3]], b: { c: [4] } })).toEqual([1, 2, 4]);
    expect(select('$..[?(@.id > 1)].id', [{ id: 1 }, { id: 2, kids: [{ id: 3 }] }])).toEqual([2, 3]);
    expect(select("$..['a','b']", { a: 1, b: 2, c: { a: 3, b: 4 } })).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
  });

  it("deep scan + index hands each element to the next token (Jayway's behaviour)", () => {
    expect(select('$..[0].n', [{ n: 'first' }, { n: 'second' }])).toEqual(['first', 'second']);
  });
});

describe('filters', () => {
  const users = [
    { name: 'ann', age: 31, status: 0, tags: ['a', 'b'], email: 'ann@example.com' },
    { name: 'bob', age: 17, status: 1, tags: [] },
    { name: 'cy', age: null, status: 0, tags: ['b'], nick: 'C' },
  ];
  const names = (filter: string): unknown => select(`$[?(${filter})].name`, users);

  it('compare with == and != (with Jayway’s loose number/string equality)', () => {
    expect(select('$.users[?(@.status == 0)]', { users: [{ year: 1997, status: 0 }, { year: 1998, status: 1 }] })).toEqual([
      { year: 1997, status: 0 },
    ]);
    expect(names("@.name == 'bob'")).toEqual(['bob']);
    expect(names('@.name == "bob"')).toEqual(['bob']);
    expect(names('@.name != "bob"')).toEqual(['ann', 'cy']);
    expect(names("@.status == '0'")).toEqual(['ann', 'cy']);
    expect(names('@.age == null')).toEqual(['cy']);
    expect(names('@.nick == null')).toEqual([]);
    expect(names('@.nick != null')).toEqual(['ann', 'bob', 'cy']);
    expect(names("@.tags == ['b']")).toEqual(['cy']);
    expect(names('@.tags == []')).toEqual(['bob']);
    expect(names('@.age == 31.0')).toEqual(['ann']);
    expect(names('@.missing == @.alsoMissing')).toEqual([]);
    expect(names('@.name==\'ann\'')).toEqual(['ann']);
  });

  it('order numbers with numbers and strings with strings only', () => {
    expect(names('@.age > 18')).toEqual(['ann']);
    expect(names('@.age >= 17')).toEqual(['ann', 'bob']);
    expect(names('@.age < 31')).toEqual(['bob']);
    expect(names('@.age <= 31')).toEqual(['ann', 'bob']);
    expect(names("@.name > 'b'")).toEqual(['bob', 'cy']);
    expect(names("@.age > '1'")).toEqual([]);
    expect(names('@.age > -1.5')).toEqual(['ann', 'bob']);
  });

  it('combine with && and ||, && binding tighter, parentheses and !', () => {
    expect(names('@.status == 0 && @.age > 18')).toEqual(['ann']);
    expect(names('@.age < 18 || @.name == "cy"')).toEqual(['bob', 'cy']);
    expect(names("@.name == 'bob' || @.status == 0 && @.age > 18")).toEqual(['ann', 'bob']);
    expect(names("(@.name == 'bob' || @.status == 0) && @.age > 10")).toEqual(['ann', 'bob']);
    expect(names("!(@.name == 'bob')")).toEqual(['ann', 'cy']);
  });

  it('test existence with a lone path', () => {
    expect(names('@.email')).toEqual(['ann']);
    expect(names('!@.email')).toEqual(['bob', 'cy']);
    expect(names('@.age')).toEqual(['ann', 'bob', 'cy']);
    expect(names('@.tags[*]')).toEqual(['ann', 'bob', 'cy']);
    expect(names('@.email && @.tags')).toEqual(['ann']);
  });

  it('match regular expressions against the whole text', () => {
    expect(names('@.name =~ /b.b/')).toEqual(['bob']);
    expect(names('@.name =~ /b/')).toEqual([]);
    expect(names('@.name =~ /ANN/i')).toEqual(['ann']);
    expect(names('@.email =~ /.*@example\\.com/')).toEqual(['ann']);
    expect(names('@.status =~ /1/')).toEqual(['bob']);
    expect(names("@.name =~ 'bob'")).toEqual([]);
  });

  it('support in, nin, contains, all, subsetof, anyof, noneof, size, empty', () => {
    expect(names("@.name in ['ann', 'cy']")).toEqual(['ann', 'cy']);
    expect(names('@.name in ["bob"]')).toEqual(['bob']);
    expect(names("@.name nin ['ann', 'cy']")).toEqual(['bob']);
    expect(names("@.name IN ['ann']")).toEqual(['ann']);
    expect(names('@.status in [1]')).toEqual(['bob']);
    expect(names("@.tags contains 'b'")).toEqual(['ann', 'cy']);
    expect(names("@.name contains 'o'")).toEqual(['bob']);
    expect(names("@.tags all ['a','b']")).toEqual(['ann']);
    expect(names("@.tags subsetof ['b','c']")).toEqual(['bob', 'cy']);
    expect(names("@.tags anyof ['a','z']")).toEqual(['ann']);
    expect(names("@.tags noneof ['a']")).toEqual(['bob', 'cy']);
    expect(names('@.tags size 2')).toEqual(['ann']);
    expect(names('@.name size 3')).toEqual(['ann', 'bob']);
    expect(names('@.tags empty true')).toEqual(['bob']);
    expect(names('@.tags empty false')).toEqual(['ann', 'cy']);
    expect(names('@.missing empty false')).toEqual([]);
  });

  it('tell types apart with === and !==', () => {
    expect(names("@.status === '0'")).toEqual([]);
    expect(names('@.status === 0')).toEqual(['ann', 'cy']);
    expect(names("@.status !== '0'")).toEqual(['ann', 'bob', 'cy']);
  });

  it('use functions, the root document and JSON literals', () => {
    expect(names('@.tags.length() > 1')).toEqual(['ann']);
    expect(select('$.list[?(@ > $.min)]', { min: 2, list: [1, 2, 3, 4] })).toEqual([3, 4]);
    expect(select("$.list[?(@.k == {'a': 1})].id", { list: [{ id: 1, k: { a: 1 } }, { id: 2, k: { a: 2 } }] })).toEqual([1]);
    expect(select("$[?(@['key with space'] == 1)].id", [{ id: 'x', 'key with space': 1 }])).toEqual(['x']);
  });

  it('apply to an object itself, not its members', () => {
    expect(select('$.obj[?(@.a == 1)]', { obj: { a: 1 } })).toEqual([{ a: 1 }]);
    expect(select('$.obj[?(@.a == 2)]', { obj: { a: 1 } })).toEqual([]);
  });

  it('handle quotes and parentheses inside strings', () => {
    expect(select("$[?(@.t == 'a)b')]", [{ t: 'a)b' }, { t: 'x' }])).toEqual([{ t: 'a)b' }]);
    expect(select("$[?(@.t == 'it\\'s')]", [{ t: "it's" }])).toEqual([{ t: "it's" }]);
  });
});

describe('path functions', () => {
  it('length() of arrays and objects; null otherwise', () => {
    expect(select('$.list.length()', { list: [1, 2, 3] })).toBe(3);
    expect(select('$.obj.length()', { obj: { a: 1, b: 2 } })).toBe(2);
    expect(select('$.s.length()', { s: 'abc' })).toBeNull();
    expect(select('$.missing.length()', {})).toBe('NOT FOUND');
    expect(select('$[*].length()', [[1], [1, 2]])).toEqual([1, 2]);
  });

  it('aggregates numbers', () => {
    const input = { n: [1, 2, 3, 'x', 4] };
    expect(select('$.n.sum()', input)).toBe(10);
    expect(select('$.n.min()', input)).toBe(1);
    expect(select('$.n.max()', input)).toBe(4);
    expect(select('$.n.avg()', input)).toBe(2.5);
    expect(select('$.n.stddev()', input)).toBeCloseTo(Math.sqrt(1.25));
    expect(select('$.none.sum()', { none: ['x'] })).toBe('NOT FOUND');
    // Jayway seeds max() with Double.MIN_VALUE
    expect(select('$.n.max()', { n: [-3, -1] })).toBe(Number.MIN_VALUE);
  });

  it('keys(), first(), last()', () => {
    expect(select('$.o.keys()', { o: { b: 1, a: 2 } })).toEqual(['b', 'a']);
    expect(select('$.l.first()', { l: [7, 8] })).toBe(7);
    expect(select('$.l.last()', { l: [7, 8] })).toBe(8);
  });

  it('applies to all matches after a leading deep scan', () => {
    expect(select('$..price.length()', store)).toBe(5);
    expect(select('$..price.sum()', { a: { price: 1 }, b: [{ price: 2 }] })).toBe(3);
  });
});

describe("Jayway's messages for definite paths that select nothing", () => {
  it('names the path in bracket notation', () => {
    expect(reason('$.NoSuchInputPath', { 'int-literal': 0 })).toBe("No results for path: $['NoSuchInputPath']");
    expect(reason('$.a.b', { a: {} })).toBe("No results for path: $['a']['b']");
    expect(reason('$.a[3]', { a: [] })).toBe("No results for path: $['a'][3]");
    expect(reason('$.a.missing.c', { a: {} })).toBe("Missing property in path $['a']['missing']");
    expect(reason('$.a.b', { a: 5 })).toBe(
      "Expected to find an object with property ['b'] in path $['a'] but found 'java.lang.Integer'. " +
        "This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
    );
    expect(reason('$.a.b', { a: null })).toContain("but found 'null'");
    expect(reason('$.a.b', { a: [] })).toContain("but found 'net.minidev.json.JSONArray'");
    expect(reason('$.a.b', { a: 'x' })).toContain("but found 'java.lang.String'");
    expect(reason('$.a.b', { a: 1.5 })).toContain("but found 'java.lang.Double'");
    expect(reason('$.a[0]', { a: null })).toBe("The path $['a'] is null");
    expect(reason('$.a[0].b', { a: { x: 1 } })).toBe('Filter: [0][\'b\'] can only be applied to arrays. Current context is: {"x":1}');
    expect(reason("$['a', 'b'].v", { a: { v: 1 }, b: { v: 2 } })).toBe("Multi properties can only be used as path leafs: $['a', 'b']");
    expect(reason('$.n.sum()', { n: [] })).toBe('Aggregation function attempted to calculate value using empty array');
  });
});

describe('performance-minded API', () => {
  it('accepts a compiled path', () => {
    const compiled = compilePath('$.a[0]');
    expect(queryPath(compiled, scopeOf({ a: ['x'] }))).toEqual({ found: true, value: 'x' });
  });

  it('evaluates many lookups quickly', () => {
    const compiled = compilePath('$.a.b[1].c');
    const scope = scopeOf({ a: { b: [0, { c: 42 }] } });
    const start = performance.now();
    let total = 0;
    for (let i = 0; i < 200_000; i++) {
      const r = queryPath(compiled, scope);
      if (r.found) total += r.value as number;
    }
    expect(total).toBe(42 * 200_000);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
