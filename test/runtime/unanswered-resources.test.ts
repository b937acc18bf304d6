// Which Task resources nothing would answer, for the warnings of `stepwise run` and the server.
import { afterAll, describe, expect, it } from 'vitest';
import { validateProjectConfig } from '../../src/index.js';
import { TaskIntegrations } from '../../src/runtime/task-integrations.js';
import { unansweredResources } from '../../src/runtime/unanswered-resources.js';
import { codeFolder } from '../functions/fixtures.js';

const folder = codeFolder('unanswered');
folder.write('fn/app.mjs', 'export const handler = async (e) => e;');
const { config } = validateProjectConfig(
  { functions: { Known: { CodeUri: 'fn/', Handler: 'app.handler' } }, routes: [{ state: 'Routed', mock: { Return: {} } }] },
  folder.dir,
);
// No credentials and no endpoints in this environment: AWS services cannot be reached.
const integrations = new TaskIntegrations(config!, { region: 'us-east-1', accountId: '111111111111', env: { HOME: folder.dir } });

afterAll(async () => {
  await integrations.close();
  folder.remove();
});

const task = (Resource: string, Parameters?: unknown) => ({ Type: 'Task', Resource, ...(Parameters ? { Parameters } : {}), End: true });

describe('unansweredResources', () => {
  it('lists undeclared functions and unreachable services, in branches and Map processors too, and nothing else', () => {
    const definition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Known', States: { Known: task('arn:aws:states:::lambda:invoke', { FunctionName: 'Known', 'Payload.$': '$' }) } },
            { StartAt: 'Missing', States: { Missing: task('arn:aws:lambda:us-east-1:111111111111:function:Missing') } },
            { StartAt: 'Dynamic', States: { Dynamic: task('arn:aws:states:::lambda:invoke', { 'FunctionName.$': '$.fn' }) } },
            { StartAt: 'Routed', States: { Routed: task('arn:aws:states:::dynamodb:putItem') } },
            { StartAt: 'Http', States: { Http: task('arn:aws:states:::http:invoke', { ApiEndpoint: 'http://127.0.0.1:1/x', Method: 'GET' }) } },
            {
              StartAt: 'Api',
              States: { Api: task('arn:aws:states:::http:invoke', { ApiEndpoint: 'https://x', Method: 'GET', Authentication: { ConnectionArn: 'arn:aws:events:us-east-1:111111111111:connection/nope/1' } }) },
            },
            {
              StartAt: 'M',
              States: { M: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'Put', States: { Put: task('arn:aws:states:::dynamodb:putItem', { TableName: 't' }) } } } },
            },
            { StartAt: 'Queue', States: { Queue: task('arn:aws:states:::sqs:sendMessage.waitForTaskToken', { QueueUrl: 'q' }) } },
            { StartAt: 'Act', States: { Act: task('arn:aws:states:us-east-1:111111111111:activity:work') } },
          ],
        },
      },
    };
    const lines = unansweredResources(definition, integrations);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^State 'Missing': arn:aws:lambda:.*function:Missing: the function 'Missing' is not declared/);
    expect(lines[1]).toMatch(/^State 'Api': arn:aws:states:::http:invoke: the connection 'nope' is not declared/);
    expect(lines[2]).toMatch(/^State 'Put': arn:aws:states:::dynamodb:putItem: It was not sent to dynamodb: no endpoint .*DYNAMODB_ENDPOINT/);
    expect(lines[3]).toMatch(/^State 'Queue': .*sqs.*The task waits for its token\.$/);
  });

  it('counts handlers as answers', () => {
    const definition = { StartAt: 'Missing', States: { Missing: task('arn:aws:lambda:us-east-1:111111111111:function:Missing') } };
    expect(unansweredResources(definition, integrations, { handlers: { Missing: () => 1 } })).toEqual([]);
  });
});
