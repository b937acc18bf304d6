import { parseXML } from '@aws-sdk/xml-builder';
import { describe, expect, it } from 'vitest';
import { formatJUnit } from './junit.js';

describe('formatJUnit', () => {
  it('writes counts per suite and in all, and escapes what XML cannot hold as it is', () => {
    const hostile = `<b>"it's" & \u0001\ud800 done</b>\nsecond line`;
    const xml = formatJUnit([
      {
        name: 'a.sfn-test.yaml',
        file: 'a.sfn-test.yaml',
        timestamp: '2026-01-02T03:04:05',
        cases: [
          { name: 'passes', classname: 'a.sfn-test.yaml', timeSeconds: 0.0123 },
          { name: hostile, classname: 'a.sfn-test.yaml', timeSeconds: 1.5, line: 7, failure: { message: hostile, details: hostile, type: 'AssertionError' } },
        ],
      },
      { name: 'b.sfn-test.yaml', cases: [{ name: '(test file)', classname: 'b.sfn-test.yaml', timeSeconds: 0, error: { message: 'bad', details: 'bad\nworse', type: 'TestFileError' } }] },
    ]);
    const escaped = '&lt;b&gt;&quot;it&apos;s&quot; &amp; \uFFFD\uFFFD done&lt;/b&gt;&#10;second line';
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="stepwise test" tests="3" failures="1" errors="1" skipped="0" time="1.512">',
        '  <testsuite name="a.sfn-test.yaml" tests="2" failures="1" errors="0" skipped="0" time="1.512" timestamp="2026-01-02T03:04:05" file="a.sfn-test.yaml">',
        '    <testcase name="passes" classname="a.sfn-test.yaml" time="0.012"/>',
        `    <testcase name="${escaped}" classname="a.sfn-test.yaml" time="1.500" line="7">`,
        `      <failure message="${escaped}" type="AssertionError">&lt;b&gt;"it's" &amp; \uFFFD\uFFFD done&lt;/b&gt;\nsecond line</failure>`,
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="b.sfn-test.yaml" tests="1" failures="0" errors="1" skipped="0" time="0.000">',
        '    <testcase name="(test file)" classname="b.sfn-test.yaml" time="0.000">',
        '      <error message="bad" type="TestFileError">bad\nworse</error>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
    // An XML reader gets the text back (the characters XML cannot hold replaced).
    const failure = parseXML(xml).testsuites.testsuite[0].testcase[1].failure;
    expect(failure.message).toBe(`<b>"it's" & \uFFFD\uFFFD done</b>\nsecond line`);
  });
});
