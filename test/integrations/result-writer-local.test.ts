// A Distributed Map's ResultWriter end to end in memory: `execute({ config })` with a bucket
// mapped to a folder, so the real S3 integration writes AWS's manifest and result files there.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTaskIntegrations, execute, validateProjectConfig } from '../../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'stepwise-result-writer-'));
afterAll(async () => {
  await closeTaskIntegrations();
  rmSync(base, { recursive: true, force: true });
});

describe('ResultWriter into a local bucket', () => {
  it('writes manifest.json and the SUCCEEDED and FAILED files of the Map Run, and outputs where they are', async () => {
    const results = join(base, 'results');
    mkdirSync(results);
    const { config, problems } = validateProjectConfig({ buckets: { 'my-results': 'results' } }, base);
    expect(problems).toEqual([]);
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Check',
            States: {
              Check: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'Bad' }], Default: 'Good' },
              Good: { Type: 'Pass', Parameters: { 'done.$': '$.id' }, End: true },
              Bad: { Type: 'Fail', Error: 'Item.Bad', Cause: 'not ok' },
            },
          },
          ToleratedFailurePercentage: 50,
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'my-results', Prefix: 'runs' } },
          Label: 'Items',
          End: true,
        },
      },
    };
    const items = [{ id: 1, ok: true }, { id: 2, ok: false }, { id: 3, ok: true }];
    const result = await execute(definition, items, { config: config!, stateMachineName: 'writer' });
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const output = result.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    expect(output.ResultWriterDetails.Bucket).toBe('my-results');
    expect(output.ResultWriterDetails.Key).toMatch(/^runs\/[^/]+\/manifest\.json$/);

    const manifestFile = join(results, output.ResultWriterDetails.Key);
    expect(existsSync(manifestFile)).toBe(true);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(manifest).toMatchObject({ DestinationBucket: 'my-results', MapRunArn: output.MapRunArn });
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
    expect(manifest.ResultFiles.FAILED).toHaveLength(1);
    expect(manifest.ResultFiles.PENDING).toEqual([]);

    const succeeded = JSON.parse(readFileSync(join(results, manifest.ResultFiles.SUCCEEDED[0].Key), 'utf8'));
    expect(succeeded.map((r: { Output: string }) => JSON.parse(r.Output))).toEqual([{ done: 1 }, { done: 3 }]);
    expect(succeeded[0]).toMatchObject({ Status: 'SUCCEEDED', Input: JSON.stringify(items[0]) });
    const failed = JSON.parse(readFileSync(join(results, manifest.ResultFiles.FAILED[0].Key), 'utf8'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ Status: 'FAILED', Error: 'Item.Bad', Cause: 'not ok', Input: JSON.stringify(items[1]) });
    expect(manifest.ResultFiles.SUCCEEDED[0].Size).toBe(readFileSync(join(results, manifest.ResultFiles.SUCCEEDED[0].Key)).length);
    expect(readdirSync(join(results, 'runs'))).toHaveLength(1);
  });
});
