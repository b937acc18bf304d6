import jsonata from 'jsonata';
const text = '{ "a": $states.input.x & "-" & $string($states.input.n + 1), "b": $map($states.input.list, function($v){ $v * 2 }), "c": $states.input.list[$ > 3] }';
const input = { x: 'hello', n: 41, list: [1,2,3,4,5,6,7,8] };
async function run(label, make) {
  const p = make();
  const frame = { states: { input } };
  for (let i = 0; i < 2000; i++) await p.evaluate(undefined, frame);
  const t = performance.now();
  for (let i = 0; i < 20000; i++) await p.evaluate(undefined, frame);
  console.log(label, ((performance.now() - t) / 20).toFixed(1), 'us/eval');
}
for (let k = 0; k < 2; k++) {
await run('base    ', () => jsonata(text, { stack: 100, timeout: 5000 }));
await run('sequence', () => jsonata(text, { stack: 100, timeout: 5000, sequence: 360145 }));
await run('exitHook', () => { const p = jsonata(text, { stack: 100, timeout: 5000 }); p.assign(Symbol.for('jsonata.__evaluate_exit'), (e, i, env, r) => { if (typeof r === 'string' ? r.length > 1e7 : Array.isArray(r) && r.length > 1e6) throw { message: 'x' }; }); return p; });
}
