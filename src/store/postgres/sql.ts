/**
 * How the PostgreSQL store talks to the pool: every query reads int8 columns back as numbers
 * (epoch milliseconds, ids, counts: far below 2^53), so rows have the shapes of SQLite's rows
 * and share their mappers (src/store/sqlite/rows.ts). Set per query rather than on pg's global
 * parsers, which other users of `pg` in the process may rely on.
 */
import pg from 'pg';
import type { Queryable } from './db.js';

const INT8 = 20;

const INT8_AS_NUMBER: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The rows of one statement. */
export async function rows<R extends pg.QueryResultRow>(on: Queryable, text: string, values: readonly unknown[] = []): Promise<R[]> {
  return (await on.query<R>({ text, values: values as unknown[], types: INT8_AS_NUMBER })).rows;
}

/** The first row of one statement, if any. */
export async function row<R extends pg.QueryResultRow>(on: Queryable, text: string, values: readonly unknown[] = []): Promise<R | undefined> {
  return (await rows<R>(on, text, values))[0];
}

/** Runs a statement for its effect; resolves to the rows it touched. */
export async function run(on: Queryable, text: string, values: readonly unknown[] = []): Promise<number> {
  return (await on.query({ text, values: values as unknown[] })).rowCount ?? 0;
}

/** Collects the values of one statement and names their placeholders ($1, $2…). */
export class Params {
  readonly values: unknown[] = [];
  /** `$n` for `value`, with a cast when given (`text[]`, `int8[]`…: unnest needs typed arrays). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}
