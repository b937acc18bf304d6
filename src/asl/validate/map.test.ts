import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../validate.js';
import type { ValidateOptions } from './context.js';

const processor = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const distributed = { ...processor, ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } };

function map(fields: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return { ...top, StartAt: 'M', States: { M: { Type: 'Map', End: true, ...fields } } };
}

function problems(definition: unknown, options?: ValidateOptions) {
  return validateDefinition(definition, options).map((d) => [d.code, d.message, d.location]);
}

const schema = (message: string, location: string) => ['SCHEMA_VALIDATION_FAILED', message, location];
const jsonata = { QueryLanguage: 'JSONata' };

describe('Map', () => {
  it('accepts an inline map, the legacy Iterator and a distributed map', () => {
    expect(problems(map({ ItemProcessor: processor, ItemsPath: '$.items', ItemSelector: { 'v.$': '$$.Map.Item.Value' }, MaxConcurrency: 0 }))).toEqual([]);
    expect(problems(map({ Iterator: { ...processor, ProcessorConfig: { Mode: 'INLINE' } }, Parameters: { 'v.$': '$$.Map.Item.Value' } }))).toEqual([]);
    const reader = {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['a', 'b'], MaxItems: 10 },
      Parameters: { Bucket: 'b', Key: 'k' },
    };
    const writer = { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' } };
    const fields = {
      ItemProcessor: distributed,
      ItemReader: reader,
      ResultWriter: writer,
      ItemBatcher: { MaxItemsPerBatch: 10, MaxInputBytesPerBatchPath: '$.bytes', BatchInput: { 'x.$': '$.x' } },
      ToleratedFailurePercentage: 5.5,
      ToleratedFailureCountPath: '$.n',
      Label: 'TestMap',
    };
    expect(problems(map(fields))).toEqual([]);
  });

  it('wants exactly one of ItemProcessor and Iterator', () => {
    expect(problems(map({}))).toEqual([schema('This object should have only one of the following fields: [ItemProcessor, Iterator]', '/States/M')]);
    expect(problems(map({ ItemProcessor: processor, Iterator: { StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } } }))).toEqual([
      schema('There should only be one of the following fields: [ItemProcessor, Iterator]', '/States/M'),
    ]);
  });

  it('checks the ProcessorConfig', () => {
    expect(problems(map({ ItemProcessor: { ...processor, ProcessorConfig: { Mode: 'PARALLEL', Other: 1 } } }))).toEqual([
      schema("Field 'Other' is not supported", '/States/M/ItemProcessor/ProcessorConfig'),
      schema("The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]", '/States/M/ItemProcessor/ProcessorConfig/Mode'),
    ]);
    expect(problems(map({ ItemProcessor: { ...processor, ProcessorConfig: { Mode: 'DISTRIBUTED' } } }))).toEqual([
      schema('These fields are required: [ExecutionType]', '/States/M/ItemProcessor/ProcessorConfig'),
    ]);
  });

  it('refuses a distributed map in an Express machine', () => {
    expect(problems(map({ ItemProcessor: distributed }), { stateMachineType: 'EXPRESS' })).toEqual([
      schema("The field 'Mode' with value 'DISTRIBUTED' is not supported inside 'EXPRESS' state machines", '/States/M/ItemProcessor/ProcessorConfig/Mode'),
    ]);
  });

  it('checks concurrency and failure tolerance', () => {
    expect(problems(map({ ItemProcessor: processor, MaxConcurrency: -1 }))).toEqual([schema('Minimum value is 0', '/States/M/MaxConcurrency')]);
    expect(problems(map({ ItemProcessor: processor, MaxConcurrency: 9223372036854775807 }))).toEqual([]);
    expect(problems(map({ ItemProcessor: processor, MaxConcurrency: 2, MaxConcurrencyPath: '$.limit' }))).toEqual([
      schema('There should only be one of the following fields: [MaxConcurrency, MaxConcurrencyPath]', '/States/M'),
    ]);
    expect(problems(map({ ItemProcessor: processor, MaxConcurrencyPath: '$.limits[*]' }))).toEqual([
      schema('Value is not a Reference Path', '/States/M/MaxConcurrencyPath'),
    ]);
    expect(problems(map({ ItemProcessor: processor, ToleratedFailurePercentage: 101, ToleratedFailureCount: 1.5 }))).toEqual([
      schema('Maximum value is 100', '/States/M/ToleratedFailurePercentage'),
      schema('Expected value of type [INTEGER]', '/States/M/ToleratedFailureCount'),
    ]);
    expect(problems(map({ ItemProcessor: processor, MaxConcurrency: '{% $states.input.limit %}' }, jsonata))).toEqual([]);
  });

  it('refuses MaxConcurrencyPath in JSONata, at the state', () => {
    expect(problems(map({ ItemProcessor: processor, MaxConcurrencyPath: '$.limit' }, jsonata))).toEqual([
      schema("The QueryLanguage is set to 'JSONata', but field 'MaxConcurrencyPath' is only supported for the 'JSONPath' QueryLanguage", '/States/M'),
    ]);
  });

  it('checks Items and ItemsPath', () => {
    expect(problems(map({ ItemProcessor: processor, ItemsPath: 'items' }))).toEqual([
      schema("Value is not a Reference Path: Reference path didn't start with '$'", '/States/M/ItemsPath'),
    ]);
    expect(problems(map({ ItemProcessor: processor, Items: '{% $states.input.items %}' }, jsonata))).toEqual([]);
    expect(problems(map({ ItemProcessor: processor, Items: [1, '{% 2 + %}'] }, jsonata))).toEqual([
      ['INVALID_JSONATA_EXPRESSION', 'Unexpected end of expression', '/States/M/Items[1]'],
    ]);
    expect(problems(map({ ItemProcessor: processor, Items: { a: 1 } }, jsonata))).toEqual([schema('Expected value of type [ARRAY]', '/States/M/Items')]);
  });

  it('checks the ItemReader', () => {
    const reader = { Resource: 'arn:aws:states:::s3:unknownOperation', ReaderConfig: { InputType: 'XML', MaxItems: -1 } };
    expect(problems(map({ ItemProcessor: distributed, ItemReader: reader }))).toEqual([
      schema("The field 'Resource' does not match any of the allowed values", '/States/M/ItemReader/Resource'),
      schema("The field 'InputType' should have one of these values: [CSV, JSON, JSONL, MANIFEST, PARQUET]", '/States/M/ItemReader/ReaderConfig/InputType'),
      schema('Minimum value is 0', '/States/M/ItemReader/ReaderConfig/MaxItems'),
    ]);
    expect(problems(map({ ItemProcessor: processor, ItemReader: {} }))).toEqual([schema('These fields are required: [Resource]', '/States/M/ItemReader')]);
    // Accepted by AWS (recorded): 0 means no limit.
    const unlimited = { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON', MaxItems: 0 }, Parameters: { Bucket: 'b', Key: 'k' } };
    expect(problems(map({ ItemProcessor: distributed, ItemReader: unlimited }))).toEqual([]);
  });

  it('checks the ResultWriter', () => {
    expect(problems(map({ ItemProcessor: distributed, ResultWriter: { Resource: 'arn:aws:states:::s3:putObject' } }))).toEqual([
      schema('These fields are required: [Parameters]', '/States/M/ResultWriter'),
    ]);
    expect(problems(map({ ItemProcessor: distributed, ResultWriter: { WriterConfig: { Transformation: 'COMPACT' } } }))).toEqual([
      schema('These fields are required: [OutputType]', '/States/M/ResultWriter/WriterConfig'),
    ]);
    expect(problems(map({ ItemProcessor: distributed, ResultWriter: { WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSONL' } } }))).toEqual([]);
    const jsonPathInJsonata = { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: 'b' }, Parameters: { Bucket: 'c' } };
    expect(problems(map({ ItemProcessor: distributed, ResultWriter: jsonPathInJsonata }, jsonata))).toEqual([
      schema("The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage", '/States/M/ResultWriter/Parameters'),
    ]);
  });

  it('checks labels, which are unique in the machine', () => {
    expect(problems(map({ ItemProcessor: distributed, Label: 'has space' }))).toEqual([
      ['INVALID_LABEL_NAME', "Invalid label name: 'has space'", '/States/M/Label'],
    ]);
    const definition = {
      StartAt: 'M1',
      States: {
        M1: { Type: 'Map', ItemProcessor: distributed, Label: 'L', Next: 'M2' },
        M2: { Type: 'Map', ItemProcessor: { StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } }, Label: 'L', End: true },
      },
    };
    expect(problems(definition)).toEqual([['DUPLICATE_LABEL_NAME', 'Duplicate label name: L', '/States/M2/Label']]);
  });

  it('checks the ItemBatcher', () => {
    const batcher = { MaxInputBytesPerBatch: 300000, MaxItemsPerBatch: 2, MaxItemsPerBatchPath: '$.n', Extra: true };
    expect(problems(map({ ItemProcessor: distributed, ItemBatcher: batcher }))).toEqual([
      schema("Field 'Extra' is not supported", '/States/M/ItemBatcher'),
      schema('There should only be one of the following fields: [MaxItemsPerBatch, MaxItemsPerBatchPath]', '/States/M/ItemBatcher'),
      schema('Maximum value is 262144', '/States/M/ItemBatcher/MaxInputBytesPerBatch'),
    ]);
  });
});

describe('Parallel', () => {
  it('requires a non-empty list of branches', () => {
    expect(problems({ StartAt: 'P', States: { P: { Type: 'Parallel', End: true } } })).toEqual([
      schema('These fields are required: [Branches]', '/States/P'),
    ]);
    expect(problems({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [], End: true } } })).toEqual([
      schema('Value cannot be empty', '/States/P/Branches'),
    ]);
  });

  it('validates each branch as a workflow', () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [{ States: { B: { Type: 'Pass', End: true } } }], End: true } } };
    expect(problems(definition)).toEqual([schema('These fields are required: [StartAt]', '/States/P/Branches[0]')]);
  });
});
