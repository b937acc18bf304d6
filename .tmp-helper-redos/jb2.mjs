import jsonata from 'jsonata';
const texts = ['{ "a": $states.input.x & "-" & $string($states.input.n + 1), "b": $map($states.input.list, function($v){ $v * 2 }), "c": $states.input.list[$ > 3] }', '$states.input.items.price', '$sum($states.input.items.(price * qty))'];
const input = { x: 'hello', n: 41, list: [1,2,3,4,5,6,7,8], items: Array.from({length: 20}, (_, i) => ({ price: i, qty: 2 })) };
async function run(text, opts) {
  const p = jsonata(text, opts);
  const frame = { states: { input } };
  for (let i = 0; i < 1000; i++) await p.evaluate(undefined, frame);
  const t = performance.now();
  for (let i = 0; i < 10000; i++) await p.evaluate(undefined, frame);
  return (performance.now() - t) / 10;
}
for (const text of texts) {
  const a = [], b = [];
  for (let k = 0; k < 4; k++) { a.push(await run(text, { stack: 100, timeout: 5000 })); b.push(await run(text, { stack: 100, timeout: 5000, sequence: 360145 })); }
  console.log(text.slice(0, 30).padEnd(30), 'base', Math.min(...a).toFixed(1), 'seq', Math.min(...b).toFixed(1), 'us');
}
