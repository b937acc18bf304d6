import jsonata from 'jsonata';
for (const e of ['$count($sort([1..360145]))', '$count($sort([1..360145].$string()))', '$count($reverse([1..360145]))', '$count($distinct([1..360145]))', '$count($split($join([1..360145].$string(), ""), ""))']) {
  const p = jsonata(e, { timeout: 60000, sequence: 360145 });
  const t = performance.now();
  try { console.log(e, await p.evaluate({}), (performance.now() - t).toFixed(0), 'ms'); } catch (x) { console.log(e, x.code, x.message, (performance.now() - t).toFixed(0), 'ms'); }
}
