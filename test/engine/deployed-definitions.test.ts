// Definitions people deploy (issue 13, item 8): what AWS accepts at creation loads here too, and
// behaves as AWS's JSONPath does when it runs; and AWS's cause texts for a Wait's SecondsPath.
import { describe, expect, it } from 'vitest';
import { execute, validateDefinition } from '../../src/index.js';

const errorsOf = (definition: unknown) => validateDefinition(definition).filter((d) => d.severity === 'ERROR');

describe('definitions AWS accepts', () => {
  it('takes any JSON value as Parameters, and applies a template inside an array', async () => {
    for (const parameters of ['hello', 42, null, [{ 'id.$': '$.id' }, 'literal']]) {
      const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: parameters, End: true } } };
      expect(errorsOf(definition)).toEqual([]);
      const result = await execute(definition, { id: 7 });
      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toEqual(Array.isArray(parameters) ? [{ id: 7 }, 'literal'] : parameters);
    }
  });

  it('accepts a filter that compares with an unquoted word, and fails the state when it is evaluated (Jayway cannot read the word)', async () => {
    const definition = {
      StartAt: 'Pick',
      States: { Pick: { Type: 'Pass', Parameters: { 'spanish.$': '$.languages[?(@.code==es)]' }, End: true } },
    };
    expect(errorsOf(definition)).toEqual([]);
    const result = await execute(definition, { languages: [{ code: 'es' }, { code: 'en' }] });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(result.cause).toContain("'es' is not a value");
    // Quoted, it selects as usual.
    const quoted = await execute({ StartAt: 'Pick', States: { Pick: { Type: 'Pass', Parameters: { 'spanish.$': "$.languages[?(@.code=='es')]" }, End: true } } }, { languages: [{ code: 'es' }, { code: 'en' }] });
    expect(quoted.output).toEqual({ spanish: [{ code: 'es' }] });
  });
});

describe("a Wait's SecondsPath, with AWS's causes", () => {
  const waitFor = (seconds: unknown) =>
    execute({ StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } }, { s: seconds }, { waitTimeScale: 0 });

  it('fails a negative number', async () => {
    expect(await waitFor(-5)).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'The SecondsPath parameter references a negative value: $.s == -5' });
  });

  it('fails a number that is not whole, and a value that is not a number', async () => {
    expect(await waitFor(1.5)).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5' });
    expect((await waitFor('soon')).cause).toBe('The SecondsPath parameter cannot be parsed as a long value: $.s == soon');
  });

  it('waits a whole number of seconds, 0 included', async () => {
    expect((await waitFor(0)).status).toBe('SUCCEEDED');
    expect((await waitFor(3)).status).toBe('SUCCEEDED');
  });
});
