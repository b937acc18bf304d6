/**
 * A depth-first walk over a JSON value that is safe on any input: iterative (a template nested
 * 100 000 levels deep does not overflow the stack), bounded in depth, and visiting each object
 * once (a cyclic object graph, which no JSON text can produce but a caller can pass, terminates).
 */
import { atIndex, at } from './diagnostics.js';
import { isObject, type JsonRecord } from './values.js';

/** Deeper than this, a template is not inspected further (AWS caps definitions at 1 MB anyway). */
export const MAX_TEMPLATE_DEPTH = 512;

export interface WalkVisitor {
  /** An object key and its value; return false to skip descending into the value. */
  field?(object: JsonRecord, key: string, value: unknown, location: string): boolean | void;
  /** A string found anywhere (as a field value or array element). */
  string?(value: string, location: string): void;
  /** Called once per object, before its fields. */
  object?(object: JsonRecord, location: string): void;
}

export function walkJson(root: unknown, location: string, visitor: WalkVisitor): void {
  const seen = new Set<object>();
  const stack: Array<{ value: unknown; location: string; depth: number }> = [{ value: root, location, depth: 0 }];
  while (stack.length > 0) {
    const { value, location: here, depth } = stack.pop()!;
    if (typeof value === 'string') {
      visitor.string?.(value, here);
      continue;
    }
    if (typeof value !== 'object' || value === null || depth > MAX_TEMPLATE_DEPTH || seen.has(value)) continue;
    seen.add(value);
    // Pushed in reverse so that diagnostics come out in document order.
    const pending: Array<{ value: unknown; location: string; depth: number }> = [];
    if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, location: atIndex(here, index), depth: depth + 1 }));
    } else if (isObject(value)) {
      visitor.object?.(value, here);
      for (const key of Object.keys(value)) {
        const child = value[key];
        const where = at(here, key);
        if (visitor.field?.(value, key, child, where) === false) continue;
        pending.push({ value: child, location: where, depth: depth + 1 });
      }
    }
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]!);
  }
}
