/**
 * EventBridge's InputTransformer: InputPathsMap picks values out of the event with a small
 * JSONPath subset, InputTemplate places them with `<name>` placeholders. Pure.
 *
 * Sources: user guide "Amazon EventBridge input transformation" (eb-transform-target-input) and
 * the API reference's InputTransformer type. Where those are silent the choice is said below.
 */

export interface InputTransformer {
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

export interface TransformContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO 8601, the time EventBridge received the event. */
  readonly ingestionTime: string;
}

/** AWS answers a bad PutTargets InputTransformer with a ValidationException. */
export class InputTransformerValidationError extends Error {
  override readonly name = 'ValidationException';
}

/** "You can have as many as 100 key-value pairs" (API reference, InputTransformer). */
const MAX_PATHS = 100;
/** API reference: InputPathsMap values up to 256 characters; InputTemplate 1..8192. */
const MAX_PATH_LENGTH = 256;
const MAX_TEMPLATE_LENGTH = 8192;
/** API reference: InputPathsMap keys match [A-Za-z0-9\_\-]+ and are at most 256 long. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Predefined variables (user guide, "Predefined variables"). The guide names the ingestion time
 * `aws.events.event.ingestion-time`; `aws.events.ingestion-time` is not a documented name.
 */
const PREDEFINED = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.json',
  'aws.events.event.ingestion-time',
]);

/** `<name>`: a key's characters, or the dotted predefined names. Other `<…>` text stays literal. */
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

type PathStep = { readonly field: string } | { readonly index: number } | { readonly wildcard: true };

export function validateInputTransformer(transformer: InputTransformer): void {
  compile(transformer);
}

/** The target's input text for one event. Throws InputTransformerValidationError for a bad transformer. */
export function applyInputTransformer(transformer: InputTransformer, event: unknown, context: TransformContext): string {
  const { paths, template } = compile(transformer);
  const values = new Map<string, unknown>();
  for (const [name, steps] of paths) {
    const value = evaluatePath(steps, event);
    // "If you specify a variable to match a JSON path that doesn't exist in the event, that
    // variable isn't created" — it is left out of `values` and filled as missing below.
    if (value !== undefined) values.set(name, value);
  }
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.event.ingestion-time', context.ingestionTime);
  values.set('aws.events.event.json', event);
  // The guide: `aws.events.event` is the original payload without its `detail` field.
  if (isObject(event)) {
    const { detail: _detail, ...rest } = event;
    values.set('aws.events.event', rest);
  } else {
    values.set('aws.events.event', event);
  }
  return render(template, values);
}

interface Compiled {
  readonly paths: ReadonlyMap<string, readonly PathStep[]>;
  readonly template: string;
}

function compile(transformer: InputTransformer): Compiled {
  const template = transformer.InputTemplate;
  if (typeof template !== 'string' || template.length < 1 || template.length > MAX_TEMPLATE_LENGTH) {
    throw new InputTransformerValidationError(`InputTemplate must be between 1 and ${MAX_TEMPLATE_LENGTH} characters long.`);
  }
  const map = transformer.InputPathsMap ?? {};
  const entries = Object.entries(map);
  if (entries.length > MAX_PATHS) {
    throw new InputTransformerValidationError(`InputPathsMap has ${entries.length} entries; the maximum is ${MAX_PATHS}.`);
  }
  const paths = new Map<string, readonly PathStep[]>();
  for (const [key, path] of entries) {
    if (!KEY_PATTERN.test(key)) {
      throw new InputTransformerValidationError(`InputPathsMap key "${key}" must match [A-Za-z0-9_-]+ (1 to 256 characters).`);
    }
    // "The keys cannot start with 'AWS.'" — and the predefined names are reserved; the key
    // charset already excludes dots, so any key starting AWS is refused (case-insensitively).
    if (/^aws/i.test(key)) throw new InputTransformerValidationError(`InputPathsMap key "${key}" cannot start with "AWS".`);
    if (typeof path !== 'string' || path.length > MAX_PATH_LENGTH) {
      throw new InputTransformerValidationError(`InputPathsMap value for "${key}" must be a JSON path of at most ${MAX_PATH_LENGTH} characters.`);
    }
    paths.set(key, parsePath(key, path));
  }
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!paths.has(name) && !PREDEFINED.has(name)) {
      throw new InputTransformerValidationError(`InputTemplate placeholder <${name}> is not defined in InputPathsMap.`);
    }
  }
  if (looksLikeJson(template)) checkNoPlaceholderKeys(template);
  return { paths, template };
}

/**
 * The supported JSONPath subset (user guide note): `$`, dot notation with alphanumerics,
 * dashes, underscores and forward slashes, array indices `[0]`, and wildcards `*` / `[*]`.
 * Bracket notation for names is refused ("You must use JSON dot notation, not bracket notation").
 */
function parsePath(key: string, path: string): PathStep[] {
  const bad = () => new InputTransformerValidationError(`InputPathsMap value for "${key}" is not a valid JSON path: ${path}`);
  if (!path.startsWith('$')) throw bad();
  const steps: PathStep[] = [];
  const token = /\.([A-Za-z0-9_\-/]+|\*)|\[(\d+|\*)\]/y;
  let at = 1;
  while (at < path.length) {
    token.lastIndex = at;
    const m = token.exec(path);
    if (!m) throw bad();
    if (m[1] !== undefined) steps.push(m[1] === '*' ? { wildcard: true } : { field: m[1] });
    else steps.push(m[2] === '*' ? { wildcard: true } : { index: Number(m[2]) });
    at = token.lastIndex;
  }
  return steps;
}

/** A path with a wildcard yields the array of what it reached (JSONPath's list result). */
function evaluatePath(steps: readonly PathStep[], event: unknown): unknown {
  let current: unknown[] = [event];
  let multiple = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const node of current) {
      if ('wildcard' in step) {
        multiple = true;
        if (Array.isArray(node)) next.push(...node);
        else if (isObject(node)) next.push(...Object.values(node));
      } else if ('index' in step) {
        if (Array.isArray(node) && step.index < node.length) next.push(node[step.index]);
      } else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, step.field)) {
        next.push(node[step.field]);
      }
    }
    current = next;
  }
  if (multiple) return current.length > 0 ? current : undefined;
  return current[0];
}

/**
 * Two modes, chosen by the template's form (AWS documents the outcomes, not the rule):
 * - JSON template (an object, array or quoted string once placeholders are stood in for):
 *   a placeholder inside a JSON string inserts the value's raw text, unescaped ("EventBridge
 *   doesn't escape values extracted by Input Path"); outside a string it inserts the value as JSON.
 * - Any other template is text: every placeholder inserts the raw text.
 * A missing variable inserts nothing in text and inside strings, and `null` where a JSON value
 * is expected (our choice: it keeps the output JSON; AWS says only that the variable isn't created).
 */
function render(template: string, values: ReadonlyMap<string, unknown>): string {
  const json = looksLikeJson(template);
  let out = '';
  let inString = false;
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, match.index);
    if (json) inString = stringStateAfter(literal, inString);
    out += literal;
    const name = match[1]!;
    const has = values.has(name);
    const value = values.get(name);
    if (json && !inString) out += has ? JSON.stringify(value) ?? 'null' : 'null';
    else out += has ? rawText(value) : '';
    last = match.index + match[0].length;
  }
  return out + template.slice(last);
}

function rawText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** Whether `"` toggles have left us inside a JSON string, honouring backslash escapes. */
function stringStateAfter(text: string, inString: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString && ch === '\\') i++;
    else if (ch === '"') inString = !inString;
  }
  return inString;
}

/** The template parses as JSON once each placeholder is stood in for by a value that fits. */
function looksLikeJson(template: string): boolean {
  let out = '';
  let inString = false;
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, match.index);
    inString = stringStateAfter(literal, inString);
    out += literal + (inString ? 'x' : 'null');
    last = match.index + match[0].length;
  }
  out += template.slice(last);
  try {
    JSON.parse(out);
    return true;
  } catch {
    return false;
  }
}

/** "If InputTemplate is a JSON object … the placeholder cannot be used as an object key." */
function checkNoPlaceholderKeys(template: string): void {
  let inString = false;
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, match.index);
    inString = stringStateAfter(literal, inString);
    const after = template.slice(match.index + match[0].length);
    // A placeholder forming a whole key: `"<k>":` or a bare `<k>:` where the parse still succeeded.
    const wholeStringKey = inString && literal.endsWith('"') && /^"\s*:/.test(after);
    if (wholeStringKey) {
      throw new InputTransformerValidationError(`InputTemplate placeholder <${match[1]}> cannot be used as an object key.`);
    }
    last = match.index + match[0].length;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
