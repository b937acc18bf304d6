/**
 * Test results as JUnit XML, the report CI systems read (Jenkins, GitLab's `artifacts:reports:junit`,
 * GitHub Actions test-report actions): `<testsuites>` of one `<testsuite>` per test file, a
 * `<testcase>` per test with `classname` the file, `time` in seconds, and `<failure>` (the test's
 * expectations were not met) or `<error>` (the test could not run as written). Pure: the caller
 * writes the text.
 */

export interface JUnitProblem {
  /** One line, the `message` attribute. */
  readonly message: string;
  /** The element's text: every detail. */
  readonly details: string;
  /** The `type` attribute, e.g. `AssertionError` or `TestConfigurationError`. */
  readonly type: string;
}

export interface JUnitCase {
  readonly name: string;
  readonly classname: string;
  readonly timeSeconds: number;
  readonly file?: string;
  readonly line?: number;
  readonly failure?: JUnitProblem;
  readonly error?: JUnitProblem;
}

export interface JUnitSuite {
  readonly name: string;
  readonly file?: string;
  /** ISO 8601 time the suite started. */
  readonly timestamp?: string;
  readonly cases: readonly JUnitCase[];
}

export function formatJUnit(suites: readonly JUnitSuite[], name = 'stepwise test'): string {
  const total = tally(suites.flatMap((s) => s.cases));
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes({ name, ...total })}>`];
  for (const suite of suites) {
    out.push(`  <testsuite${attributes({ name: suite.name, ...tally(suite.cases), timestamp: suite.timestamp, file: suite.file })}>`);
    for (const c of suite.cases) {
      const open = `    <testcase${attributes({ name: c.name, classname: c.classname, time: seconds(c.timeSeconds), file: c.file, line: c.line })}`;
      const problem = c.failure ? ['failure', c.failure] as const : c.error ? ['error', c.error] as const : undefined;
      if (!problem) {
        out.push(`${open}/>`);
        continue;
      }
      const [element, p] = problem;
      out.push(`${open}>`, `      <${element}${attributes({ message: p.message, type: p.type })}>${escapeText(p.details)}</${element}>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function tally(cases: readonly JUnitCase[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => !c.failure && c.error).length,
    skipped: 0,
    time: seconds(cases.reduce((sum, c) => sum + c.timeSeconds, 0)),
  };
}

function seconds(value: number): string {
  return (Math.round(value * 1000) / 1000).toFixed(3);
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeAttribute(String(value))}"`)
    .join('');
}

/**
 * XML 1.0 cannot hold most control characters even escaped, nor lone surrogates: a cause
 * carrying one would make the whole report unreadable, so they become U+FFFD.
 */
function xmlSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values are normalised by XML readers (a raw newline becomes a space): keep them as character references. */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
