/**
 * The states with nested workflows: Parallel (Branches) and Map (ItemProcessor, or its legacy
 * name Iterator), with the Map's item source, batching, result writing and failure tolerance.
 */
import { checkArgumentsField, checkNumberField, checkReferencePath, checkTemplateField, stateUses } from './common.js';
import type { StateContext } from './context.js';
import { at, atIndex, messages } from './diagnostics.js';
import { checkJsonataExpression, checkJsonataTemplate } from './payload.js';
import {
  type JsonRecord,
  checkAllowedFields,
  checkExclusive,
  checkFieldEnum,
  checkRequired,
  checkType,
  codePointLength,
  has,
  isJsonataExpression,
  isObject,
} from './values.js';

export function checkParallel(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  if (!checkRequired(d, state, ['Branches'], location)) return;
  const where = at(location, 'Branches');
  if (!checkType(d, state.Branches, 'ARRAY', where)) return;
  const branches = state.Branches as unknown[];
  if (branches.length === 0) d.schema(messages.empty, where);
  branches.forEach((branch, index) => sc.machine.validateSubWorkflow(branch, atIndex(where, index), 'Branch', sc.depth + 1));
}

export function checkMap(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  checkExclusive(d, state, ['ItemProcessor', 'Iterator'], location, true);
  for (const field of ['ItemProcessor', 'Iterator'] as const) {
    if (has(state, field)) checkProcessor(sc, state[field], at(location, field), field);
  }

  if (stateUses(sc, 'ItemsPath')) checkReferencePath(d, state.ItemsPath, at(location, 'ItemsPath'));
  if (stateUses(sc, 'Items')) checkItems(sc, state.Items, at(location, 'Items'));
  if (sc.language === 'JSONPath') checkExclusive(d, state, ['ItemSelector', 'Parameters'], location);
  if (stateUses(sc, 'ItemSelector')) {
    if (sc.language === 'JSONPath') checkTemplateField(d, state.ItemSelector, at(location, 'ItemSelector'));
    else checkArgumentsField(d, state.ItemSelector, at(location, 'ItemSelector'));
  }

  checkLimit(sc, 'MaxConcurrency', { min: 0 }, true);
  checkLimit(sc, 'ToleratedFailurePercentage', { min: 0, max: 100 }, false);
  checkLimit(sc, 'ToleratedFailureCount', { min: 0 }, true);
  if (stateUses(sc, 'Label')) checkLabel(sc, state.Label, at(location, 'Label'));
  if (stateUses(sc, 'ItemReader')) checkItemReader(sc, state.ItemReader, at(location, 'ItemReader'));
  if (stateUses(sc, 'ItemBatcher')) checkItemBatcher(sc, state.ItemBatcher, at(location, 'ItemBatcher'));
  if (stateUses(sc, 'ResultWriter')) checkResultWriter(sc, state.ResultWriter, at(location, 'ResultWriter'));
}

/** A number given literally, by a JSONata expression, or (JSONPath) by a `...Path` field. */
function checkLimit(sc: StateContext, field: string, range: { min: number; max?: number }, integer: boolean): void {
  const { diagnostics: d, state, location } = sc;
  if (sc.language === 'JSONPath') checkExclusive(d, state, [field, `${field}Path`], location);
  if (stateUses(sc, field)) checkNumberField(sc, state, field, location, range, integer);
  if (stateUses(sc, `${field}Path`)) checkReferencePath(d, state[`${field}Path`], at(location, `${field}Path`));
}

/** The nested workflow, and how its iterations run. */
function checkProcessor(sc: StateContext, processor: unknown, location: string, kind: 'ItemProcessor' | 'Iterator'): void {
  const d = sc.diagnostics;
  if (isObject(processor) && has(processor, 'ProcessorConfig')) {
    const where = at(location, 'ProcessorConfig');
    const config = processor.ProcessorConfig;
    if (checkType(d, config, 'OBJECT', where) && isObject(config)) {
      checkAllowedFields(d, config, new Set(['Mode', 'ExecutionType']), where);
      if (has(config, 'Mode')) checkFieldEnum(d, config.Mode, 'Mode', ['INLINE', 'DISTRIBUTED'], at(where, 'Mode'));
      if (has(config, 'ExecutionType')) {
        checkFieldEnum(d, config.ExecutionType, 'ExecutionType', ['STANDARD', 'EXPRESS'], at(where, 'ExecutionType'));
      }
      if (config.Mode === 'DISTRIBUTED') {
        checkRequired(d, config, ['ExecutionType'], where);
        if (sc.machine.options.stateMachineType === 'EXPRESS') d.schema(messages.expressDistributedMap, at(where, 'Mode'));
      }
    }
  }
  sc.machine.validateSubWorkflow(processor, location, kind, sc.depth + 1);
}

/** JSONata Items: a literal array (whose strings may be expressions) or one expression. */
function checkItems(sc: StateContext, items: unknown, location: string): void {
  if (isJsonataExpression(items)) checkJsonataExpression(sc.diagnostics, items, location);
  else if (checkType(sc.diagnostics, items, 'ARRAY', location)) checkJsonataTemplate(sc.diagnostics, items, location);
}

const MAX_LABEL_LENGTH = 40;
// Whitespace, brackets, wildcards, special and control characters (as for execution names),
// and lone surrogates: a label is part of Map Run ARNs, which must be well-formed text.
const LABEL_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\p{Cs}]/u;

function checkLabel(sc: StateContext, label: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, label, 'STRING', location)) return;
  const text = label as string;
  if (text === '' || codePointLength(text) > MAX_LABEL_LENGTH || LABEL_FORBIDDEN.test(text)) {
    d.error('INVALID_LABEL_NAME', messages.invalidLabel(text), location);
  } else if (sc.machine.labels.has(text)) {
    d.error('DUPLICATE_LABEL_NAME', messages.duplicateLabel(text), location);
  }
  sc.machine.labels.add(text);
}

/** The configuration of a Distributed Map's S3 source or destination: Parameters or Arguments. */
function checkS3Call(sc: StateContext, config: JsonRecord, location: string): void {
  const d = sc.diagnostics;
  const [own, other] = sc.language === 'JSONPath' ? ['Parameters', 'Arguments'] : ['Arguments', 'Parameters'];
  if (has(config, other)) {
    d.schema(messages.languageField(sc.language, other, sc.language === 'JSONPath' ? 'JSONata' : 'JSONPath'), at(location, other));
  }
  if (!has(config, own)) return;
  if (own === 'Parameters') checkTemplateField(d, config.Parameters, at(location, 'Parameters'));
  else checkArgumentsField(d, config.Arguments, at(location, 'Arguments'));
}

const S3_RESOURCE = /^arn:[a-z-]+:states:::s3:(getObject|listObjectsV2|putObject)$/;

function checkS3Resource(sc: StateContext, config: JsonRecord, location: string, actions: readonly string[]): void {
  const where = at(location, 'Resource');
  if (!checkType(sc.diagnostics, config.Resource, 'STRING', where)) return;
  const match = S3_RESOURCE.exec(config.Resource as string);
  if (match === null || !actions.includes(match[1]!)) sc.diagnostics.schema(messages.resourceNotAllowed, where);
}

const READER_ENUMS: Record<string, readonly string[]> = {
  InputType: ['CSV', 'JSON', 'JSONL', 'MANIFEST', 'PARQUET'],
  CSVHeaderLocation: ['FIRST_ROW', 'GIVEN'],
  CSVDelimiter: ['COMMA', 'PIPE', 'SEMICOLON', 'SPACE', 'TAB'],
  ManifestType: ['ATHENA_DATA', 'CSV', 'S3_INVENTORY'],
  Transformation: ['NONE', 'LOAD_AND_FLATTEN'],
};

function checkItemReader(sc: StateContext, reader: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, reader, 'OBJECT', location) || !isObject(reader)) return;
  checkAllowedFields(d, reader, new Set(['Resource', 'ReaderConfig', 'Parameters', 'Arguments']), location);
  if (checkRequired(d, reader, ['Resource'], location)) checkS3Resource(sc, reader, location, ['getObject', 'listObjectsV2']);
  checkS3Call(sc, reader, location);
  if (!has(reader, 'ReaderConfig')) return;
  const where = at(location, 'ReaderConfig');
  const config = reader.ReaderConfig;
  if (!checkType(d, config, 'OBJECT', where) || !isObject(config)) return;
  const fields = [...Object.keys(READER_ENUMS), 'CSVHeaders', 'MaxItems', ...(sc.language === 'JSONPath' ? ['MaxItemsPath'] : [])];
  checkAllowedFields(d, config, new Set(fields), where);
  for (const [field, values] of Object.entries(READER_ENUMS)) {
    if (has(config, field)) checkFieldEnum(d, config[field], field, values, at(where, field));
  }
  if (has(config, 'CSVHeaders') && checkType(d, config.CSVHeaders, 'ARRAY', at(where, 'CSVHeaders'))) {
    (config.CSVHeaders as unknown[]).forEach((header, index) => checkType(d, header, 'STRING', atIndex(at(where, 'CSVHeaders'), index)));
  }
  if (sc.language === 'JSONPath') checkExclusive(d, config, ['MaxItems', 'MaxItemsPath'], where);
  if (has(config, 'MaxItems')) checkNumberField(sc, config, 'MaxItems', where, { min: 0 }, true);
  if (has(config, 'MaxItemsPath') && sc.language === 'JSONPath') checkReferencePath(d, config.MaxItemsPath, at(where, 'MaxItemsPath'));
}

const MAX_INPUT_BYTES_PER_BATCH = 262144;

function checkItemBatcher(sc: StateContext, batcher: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, batcher, 'OBJECT', location) || !isObject(batcher)) return;
  const limits = ['MaxItemsPerBatch', 'MaxInputBytesPerBatch'];
  const paths = sc.language === 'JSONPath' ? limits.map((field) => `${field}Path`) : [];
  checkAllowedFields(d, batcher, new Set([...limits, ...paths, 'BatchInput']), location);
  for (const field of limits) {
    if (sc.language === 'JSONPath') checkExclusive(d, batcher, [field, `${field}Path`], location);
    const max = field === 'MaxInputBytesPerBatch' ? MAX_INPUT_BYTES_PER_BATCH : undefined;
    if (has(batcher, field)) checkNumberField(sc, batcher, field, location, { min: 1, max }, true);
  }
  for (const field of paths) if (has(batcher, field)) checkReferencePath(d, batcher[field], at(location, field));
  if (has(batcher, 'BatchInput')) {
    if (sc.language === 'JSONPath') checkTemplateField(d, batcher.BatchInput, at(location, 'BatchInput'));
    else checkArgumentsField(d, batcher.BatchInput, at(location, 'BatchInput'));
  }
}

function checkResultWriter(sc: StateContext, writer: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, writer, 'OBJECT', location) || !isObject(writer)) return;
  const own = sc.language === 'JSONPath' ? 'Parameters' : 'Arguments';
  checkAllowedFields(d, writer, new Set(['Resource', 'Parameters', 'Arguments', 'WriterConfig']), location);
  // Either WriterConfig alone, or Resource with its Parameters/Arguments (or all three).
  if (has(writer, 'Resource') && !has(writer, own)) d.schema(messages.required([own]), location);
  if (!has(writer, 'Resource') && (has(writer, own) || !has(writer, 'WriterConfig'))) d.schema(messages.required(['Resource']), location);
  if (has(writer, 'Resource')) checkS3Resource(sc, writer, location, ['putObject']);
  checkS3Call(sc, writer, location);
  if (!has(writer, 'WriterConfig')) return;
  const where = at(location, 'WriterConfig');
  const config = writer.WriterConfig;
  if (!checkType(d, config, 'OBJECT', where) || !isObject(config)) return;
  checkAllowedFields(d, config, new Set(['Transformation', 'OutputType']), where);
  checkRequired(d, config, ['Transformation', 'OutputType'], where);
  if (has(config, 'Transformation')) {
    checkFieldEnum(d, config.Transformation, 'Transformation', ['NONE', 'COMPACT', 'FLATTEN'], at(where, 'Transformation'));
  }
  if (has(config, 'OutputType')) checkFieldEnum(d, config.OutputType, 'OutputType', ['JSON', 'JSONL'], at(where, 'OutputType'));
}
