import { it } from 'vitest';
import { compileJsonataTemplate, evaluateJsonataTemplate } from '../src/asl/jsonata.js';
it('x', async () => {
  const t = performance.now();
  try { await evaluateJsonataTemplate(compileJsonataTemplate(`{% $string([1..360145].{"key": $}) %}`), { states: { input: {}, context: {} }, variables: { has: () => false, get: () => undefined } }, 'Output'); } catch (e) { console.log((e as Error).message, performance.now() - t); }
  const t2 = performance.now();
  try { await evaluateJsonataTemplate(compileJsonataTemplate(`{% $count([1..360145].{"key": $}) %}`), { states: { input: {}, context: {} }, variables: { has: () => false, get: () => undefined } }, 'Output'); } catch (e) { console.log((e as Error).message); } console.log(performance.now() - t2);
});
