/**
 * ValidateStateMachineDefinition: the definition's diagnostics (ERROR only, or ERROR and WARNING
 * with severity WARNING), at most maxResults (default and maximum 100) with `truncated` telling
 * whether some were left out. The result is FAIL when any ERROR was found, warnings or not.
 */
import { parseDefinition } from '../../asl/validate.js';
import type { Diagnostic } from '../../asl/validate.js';
import type { StateMachineType } from '../../store/types.js';
import { int, shapes, str, struct } from '../input.js';
import { compact } from '../wire.js';
import { operation } from './operation.js';

interface Input {
  definition: string;
  type?: StateMachineType;
  severity?: 'ERROR' | 'WARNING';
  maxResults?: number;
}

export const validateStateMachineDefinition = operation<Input>(
  struct(
    'ValidateStateMachineDefinitionInput',
    {
      // AWS answers an empty definition with a diagnostic rather than a length violation.
      definition: str({ max: 1_048_576, sensitive: true }),
      type: shapes.StateMachineType,
      severity: str({ enum: ['ERROR', 'WARNING'] }),
      maxResults: int({ min: 0, max: 100 }),
    },
    ['definition'],
  ),
  async (input) => {
    const diagnostics: Diagnostic[] =
      input.definition.trim() === ''
        ? [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'Definition must be a valid JSON object', location: '' }]
        : parseDefinition(input.definition, { stateMachineType: input.type ?? 'STANDARD' }).diagnostics;
    const wanted = input.severity === 'WARNING' ? diagnostics : diagnostics.filter((d) => d.severity === 'ERROR');
    const limit = input.maxResults === undefined || input.maxResults === 0 ? 100 : input.maxResults;
    return {
      result: diagnostics.some((d) => d.severity === 'ERROR') ? 'FAIL' : 'OK',
      diagnostics: wanted.slice(0, limit).map((d) => compact({ severity: d.severity, code: d.code, message: d.message, location: d.location === '' ? undefined : d.location })),
      truncated: wanted.length > limit,
    };
  },
);
