// What the AWS integration tests share: a Task call as the dispatcher makes it, and clients for
// local endpoints that never look at the machine's AWS configuration.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyResource } from '../../src/engine/resources.js';
import { AwsClients } from '../../src/integrations/aws-clients.js';
import type { IntegrationCall } from '../../src/integrations/integration.js';

export const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:Orders:run-1';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Orders';

/** The call the task dispatcher makes for a Task with this resource and these effective parameters. */
export function taskCall(arn: string, parameters: unknown, signal: AbortSignal = new AbortController().signal): IntegrationCall {
  const resource = classifyResource(arn);
  if (resource.kind !== 'service') throw new Error(`not a service integration: ${arn}`);
  return {
    resource,
    service: resource.service,
    action: resource.action.replace(/(\.sync:2|\.sync|\.waitForTaskToken)$/, ''),
    pattern: resource.pattern,
    parameters,
    stateName: 'Task',
    executionArn: EXECUTION_ARN,
    context: { StateMachine: { Id: STATE_MACHINE_ARN, Name: 'Orders' }, Execution: { Id: EXECUTION_ARN } },
    signal,
    requestId: 'request-1',
  };
}

/** Clients whose endpoints are the given ones (by service id), with an empty environment. */
export function localClients(endpoints: Record<string, string>): AwsClients {
  return new AwsClients({ region: 'us-east-1', endpoints, env: {} });
}

/** A request as a protocol fake received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A local HTTP server that records each request and answers with `answer`. */
export async function protocolFake(answer: (request: ReceivedRequest, response: ServerResponse) => void): Promise<{ url: string; requests: ReceivedRequest[]; close(): Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      try {
        answer(request, res);
      } catch (e) {
        // A request the fake cannot read gets an answer, so that the test fails instead of waiting.
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
