/**
 * States.Format's template language: `{}` is a placeholder, `\{` `\}` `\'` `\\` are literal
 * characters, and any other brace is an error. A literal template is parsed from its source text
 * (escapes still in place) when the expression is compiled; a template read from a path is parsed
 * from the string's characters at run time, with the same rules.
 */
import { IntrinsicArgumentError, invalidArguments } from './failure.js';
import { javaToString } from './java.js';

/** The literal text around the placeholders: `segments.length` is the number of `{}` plus one. */
export interface FormatTemplate {
  readonly segments: readonly string[];
}

const TEMPLATE_ESCAPES = "{}'\\";

/** Returns the template, or the detail AWS reports for a malformed one. */
export function parseFormatTemplate(text: string): FormatTemplate | IntrinsicArgumentError {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length && TEMPLATE_ESCAPES.includes(text[i + 1]!)) {
      current += text[++i];
    } else if (ch === '{') {
      if (text[i + 1] !== '}') return invalidTemplate("matching '}' not found for '{'.");
      segments.push(current);
      current = '';
      i++;
    } else if (ch === '}') {
      return invalidTemplate("matching '{' not found for '}'.");
    } else {
      current += ch;
    }
  }
  segments.push(current);
  return { segments };
}

function invalidTemplate(reason: string): IntrinsicArgumentError {
  return new IntrinsicArgumentError(`Invalid template in States.Format: ${reason}`);
}

/** Fills the placeholders with `values` printed as Java prints them (strings unquoted, objects as `{k=v}`). */
export function renderFormat(template: FormatTemplate, values: readonly unknown[], firstValue: number): string {
  const { segments } = template;
  if (segments.length - 1 !== values.length - firstValue) {
    throw new IntrinsicArgumentError(
      'Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.',
    );
  }
  let out = segments[0]!;
  for (let i = 1; i < segments.length; i++) out += javaToString(values[firstValue + i - 1]) + segments[i];
  return out;
}

/** A template that is not a string is printed first, as Java would, and then parsed. */
export function templateFromValue(value: unknown): FormatTemplate {
  if (value === undefined) throw invalidArguments('States.Format');
  const parsed = parseFormatTemplate(javaToString(value));
  if (parsed instanceof IntrinsicArgumentError) throw parsed;
  return parsed;
}
