const root = process.argv[2];
const { compileExpression, evaluateExpression } = await import(root + '/asl/jsonata/expression.js');
const vars = { has: () => false, get: () => undefined };
for (const text of ['$states.input.a & "-" & $states.input.b & "-" & $states.input.c', '$states.input.n + 1', '$contains($states.input.b, /ab+c/i)']) {
  const c = compileExpression(text);
  const b = { states: { input: { a: 'x', b: 'zzABBCzz', c: 'z', n: 1 }, context: {} }, variables: vars };
  for (let i = 0; i < 3000; i++) await evaluateExpression(c, b);
  let best = Infinity;
  for (let r = 0; r < 9; r++) { const t = process.cpuUsage(); for (let i = 0; i < 3000; i++) await evaluateExpression(c, b); const d = process.cpuUsage(t); best = Math.min(best, (d.user + d.system) / 3000); }
  console.log(text.slice(0, 40).padEnd(40), best.toFixed(1), 'us');
}
