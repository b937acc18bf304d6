const lib = process.argv[2];
const { execute } = await import(lib);
const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, price: i % 50, tags: ['a', String(i % 7)] }));
const chain = (n, state) => { const States = {}; for (let i = 0; i < n; i++) States['S' + i] = { ...state, ...(i + 1 < n ? { Next: 'S' + (i + 1) } : { End: true }) }; return { StartAt: 'S0', States }; };
const workloads = {
  filter: [chain(50, { Type: 'Pass', Parameters: { 'items.$': '$.items', 'cheap.$': '$.items[?(@.price < 10 && @.tags anyof ["3"])].id' }, }), { items }],
  scan: [chain(50, { Type: 'Pass', Parameters: { 'items.$': '$.items', 'p.$': '$..price' } }), { items }],
  concat: [{ QueryLanguage: 'JSONata', ...chain(200, { Type: 'Pass', Output: '{% {"a": $states.input.a & "-" & $states.input.b, "b": $states.input.b & "x"} %}' }) }, { a: 'x', b: 'y' }],
  regex: [{ QueryLanguage: 'JSONata', ...chain(200, { Type: 'Pass', Output: '{% {"a": $states.input.a, "b": $contains($states.input.b, /ab+c/i) ? "y" : "n"} %}' }) }, { a: 'x', b: 'zzABBCzz' }],
};
for (const [name, [def, input]] of Object.entries(workloads)) {
  for (let i = 0; i < 5; i++) await execute(def, input);
  const times = [];
  for (let r = 0; r < 7; r++) { const t = process.cpuUsage(); for (let i = 0; i < 5; i++) await execute(def, input); const d = process.cpuUsage(t); times.push((d.user + d.system) / 1000); }
  times.sort((a, b) => a - b);
  console.log(name.padEnd(8), times[3].toFixed(1), 'ms');
}
