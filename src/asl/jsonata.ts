/**
 * JSONata as Step Functions implements it (`"QueryLanguage": "JSONata"`): `{% %}` templates in
 * field values, `$states` and workflow variables, the functions Step Functions adds, and AWS's
 * wording for every failure (`States.QueryEvaluationError`). See `./jsonata/` for the parts.
 */
export {
  isJsonataTemplate,
  compileJsonataTemplate,
  evaluateJsonataTemplate,
  analyzeJsonataTemplate,
} from './jsonata/template.js';
export type { CompiledTemplate } from './jsonata/template.js';
export type { JsonataBindings } from './jsonata/expression.js';
export {
  JsonataSyntaxError,
  unexpectedResultType as jsonataUnexpectedResultType,
  jsonTypeName as jsonataTypeName,
} from './jsonata/errors.js';
export type { TopLevelReferences as JsonataTopLevelReferences } from './jsonata/references.js';
