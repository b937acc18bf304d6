import jsonata from 'jsonata';
for (const n of [1000, 10000, 30000]) for (const e of [`$count($sort([1..${n}]))`, `$count($sort([1..${n}], function($a,$b){$a>$b}))`]) {
  const p = jsonata(e, { timeout: 60000, sequence: 360145 });
  const t = performance.now();
  try { console.log(e, await p.evaluate({}), (performance.now() - t).toFixed(0), 'ms', Math.round(process.memoryUsage().rss/1e6), 'MB'); } catch (x) { console.log(e, x.code, x.message, (performance.now() - t).toFixed(0), 'ms'); }
}
