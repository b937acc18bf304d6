import jsonata from 'jsonata';
for (const n of [100000, 360145, 1000000]) {
  const p = jsonata(`$length($string([1..${n}]))`, { timeout: 60000 });
  let t = performance.now();
  const r = await p.evaluate({});
  console.log(n, r, (performance.now() - t).toFixed(0), 'ms', Math.round(process.memoryUsage().rss / 1e6), 'MB');
  const q = jsonata(`$count([1..${n}])`, { timeout: 60000 });
  t = performance.now(); await q.evaluate({}); console.log('  count', (performance.now() - t).toFixed(0), 'ms');
  const j = jsonata(`$length($join($string([1..${n}]), ","))`, { timeout: 60000 });
}
