// Distributed Maps in the web console, in Chromium against the built `stepwise serve`: an
// execution's page lists its Map Runs with their counts and settings and their child
// executions; a child's page says which Map Run and execution it belongs to, and links back; a
// running Map Run's counts are brought up to date without reloading the page.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, ListMapRunsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ACCOUNT, ROLE } from '../server/serve-process.js';
import { consoleSession, describeInChromium, screenshotDir } from './browser.js';

/** The page's globals the callbacks run in the browser use (the project's tsconfig has no DOM lib). */
declare const location: { readonly hash: string };

const SLOW = { timeout: 180_000 };
/** Long enough for a loaded two-core machine to lay out a graph in a worker and poll a few times. */
const UI_WAIT = 45_000;
const RUN_ID = Date.now().toString(36);
const LABEL = 'Items';

function eventually<T>(probe: () => Promise<T> | T, message?: string) {
  return expect.poll(probe, { timeout: UI_WAIT, interval: 100, ...(message ? { message } : {}) });
}

/** A Distributed Map (Standard children) over `$.items`, each child running `child`. */
function distributedMap(child: Record<string, unknown>, settings: Record<string, unknown> = {}): string {
  return JSON.stringify({
    StartAt: 'Fan out',
    States: {
      'Fan out': {
        Type: 'Map',
        Label: LABEL,
        ItemsPath: '$.items',
        ...settings,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: { ...child, End: true } } },
        End: true,
      },
    },
  });
}

describeInChromium('Map Runs in the web console in Chromium', () => {
  const session = consoleSession('console-map-runs', { args: ['--wait-time-scale', '0.1'] });

  const executionStatus = () => session.page.getByTestId('execution-status');
  const hashIs = (hash: string) => session.page.waitForFunction((expected) => location.hash === expected, hash, { timeout: UI_WAIT });
  /** A row of a Map Run's counts table: its seven numbers, Pending to Total. */
  const counts = (mapRun: Locator, row: 'items' | 'executions') => mapRun.locator(`[data-testid="map-run-counts"] tr[data-counts="${row}"] td`).allTextContents();

  it("lists an execution's Map Run with its counts, settings and child executions; a child links back to it", SLOW, async () => {
    const machineName = `Fanout-${RUN_ID}`;
    const machine = await session.sdk.send(
      new CreateStateMachineCommand({
        name: machineName,
        roleArn: ROLE,
        definition: distributedMap({ Type: 'Pass', Parameters: { 'n.$': '$' } }, { MaxConcurrency: 2, ToleratedFailureCount: 1 }),
      }),
    );
    const { executionArn: parentArn } = await session.sdk.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'parent-run', input: JSON.stringify({ items: [1, 2, 3] }) }));
    await eventually(async () => (await session.sdk.send(new DescribeExecutionCommand({ executionArn: parentArn }))).status).toBe('SUCCEEDED');
    const { mapRuns } = await session.sdk.send(new ListMapRunsCommand({ executionArn: parentArn }));
    expect(mapRuns).toHaveLength(1);
    const mapRunArn = mapRuns![0]!.mapRunArn!;
    expect(mapRunArn).toMatch(new RegExp(`^arn:aws:states:us-east-1:${ACCOUNT}:mapRun:${machineName}/${LABEL}:[^:]+$`));

    await session.page.goto(`${session.server.url}/#/executions/${encodeURIComponent(parentArn!)}`);
    await eventually(() => executionStatus().getAttribute('data-value')).toBe('SUCCEEDED');
    const section = session.page.getByTestId('map-runs');
    await section.waitFor({ timeout: UI_WAIT });
    expect(await section.getByRole('heading', { level: 2 }).textContent()).toBe('Map Runs (1)');
    const mapRun = section.locator(`[data-map-run="${mapRunArn}"]`);
    await eventually(() => mapRun.getAttribute('data-status')).toBe('SUCCEEDED');
    expect(await mapRun.getByRole('heading', { level: 3 }).textContent()).toBe(`Map Run ${LABEL} Succeeded`);
    expect(await mapRun.locator('.map-run-header code').textContent()).toBe(`${LABEL}:${mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1)}`);
    expect(await mapRun.getByTestId('map-run-max-concurrency').textContent()).toBe('2');
    expect(await mapRun.getByTestId('map-run-tolerated-failures').textContent()).toBe('1');
    // Pending, Running, Succeeded, Failed, Timed out, Aborted, Total.
    expect(await counts(mapRun, 'items')).toEqual(['0', '0', '3', '0', '0', '0', '3']);
    expect(await counts(mapRun, 'executions')).toEqual(['0', '0', '3', '0', '0', '0', '3']);

    // Its three child executions, each linking to its own page.
    const children = mapRun.locator('[data-testid="map-run-children"] tbody tr');
    await eventually(() => children.count(), 'child executions listed').toBe(3);
    expect(await children.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')))).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const listed = await session.sdk.send(new ListExecutionsCommand({ mapRunArn }));
    const childArns = listed.executions!.map((e) => e.executionArn!);
    expect(childArns).toHaveLength(3);
    for (const arn of childArns) expect(arn).toMatch(new RegExp(`^arn:aws:states:us-east-1:${ACCOUNT}:execution:${machineName}/${LABEL}:[^:]+$`));
    const links = await children.locator('a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(new Set(links)).toEqual(new Set(childArns.map((arn) => `#/executions/${encodeURIComponent(arn)}`)));

    // The status filter narrows the list.
    const filter = mapRun.getByTestId('map-run-status-filter');
    await filter.selectOption('FAILED');
    await mapRun.getByText('No FAILED child executions.').waitFor({ timeout: UI_WAIT });
    await filter.selectOption('SUCCEEDED');
    await eventually(() => children.count()).toBe(3);
    await filter.selectOption('');
    await eventually(() => children.count()).toBe(3);
    await session.page.screenshot({ path: join(screenshotDir(), '30-map-runs.png'), fullPage: true });

    // To a child: its page, its graph, and the line back to the Map Run's execution.
    const firstLink = children.first().locator('a');
    const childHref = (await firstLink.getAttribute('href'))!;
    const childName = (await firstLink.textContent())!;
    await firstLink.click();
    await hashIs(childHref);
    await session.page.getByRole('heading', { name: childName, level: 1 }).waitFor({ timeout: UI_WAIT });
    await eventually(() => executionStatus().getAttribute('data-value')).toBe('SUCCEEDED');
    const parentLine = session.page.getByTestId('map-run-parent');
    await eventually(() => parentLine.textContent()).toBe(`Child of Map Run ${LABEL} of parent-run`);
    await session.page.locator('[data-testid="graph"][data-laid-out="true"]').first().waitFor({ timeout: UI_WAIT });
    await eventually(() => session.page.locator('[data-testid="graph"] [data-state="Work"]').first().getAttribute('data-status')).toBe('succeeded');
    // Its state machine (`<machine>/<label>`) is not one of its own: no New execution, and the
    // breadcrumb goes to the machine whose Map started it.
    expect(await session.page.getByTestId('new-execution').count()).toBe(0);
    const breadcrumb = session.page.getByRole('navigation', { name: 'Breadcrumb' });
    expect(await breadcrumb.getByRole('link', { name: machineName, exact: true }).getAttribute('href')).toBe(`#/state-machines/${encodeURIComponent(machine.stateMachineArn!)}`);
    await session.page.screenshot({ path: join(screenshotDir(), '31-map-run-child.png'), fullPage: true });

    await parentLine.getByRole('link', { name: 'parent-run', exact: true }).click();
    await hashIs(`#/executions/${encodeURIComponent(parentArn!)}`);
    await session.page.getByRole('heading', { name: 'parent-run', level: 1 }).waitFor({ timeout: UI_WAIT });
    expect(await session.page.getByTestId('map-run-parent').count()).toBe(0);
    await session.page.getByTestId('map-runs').waitFor({ timeout: UI_WAIT });
  });

  it("brings a running Map Run's counts and children up to date without a reload", SLOW, async () => {
    // Each child waits 100 s: 10 s at --wait-time-scale 0.1, long enough to be seen running.
    const machine = await session.sdk.send(new CreateStateMachineCommand({ name: `Waiting-${RUN_ID}`, roleArn: ROLE, definition: distributedMap({ Type: 'Wait', Seconds: 100 }) }));
    const { executionArn } = await session.sdk.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'slow-run', input: JSON.stringify({ items: ['a', 'b', 'c'] }) }));
    await session.page.goto(`${session.server.url}/#/executions/${encodeURIComponent(executionArn!)}`);
    await eventually(() => executionStatus().getAttribute('data-value')).toBe('RUNNING');
    const mapRun = session.page.locator('[data-testid="map-runs"] [data-map-run]');
    await eventually(() => mapRun.getAttribute('data-status')).toBe('RUNNING');
    await eventually(() => counts(mapRun, 'executions')).toEqual(['0', '3', '0', '0', '0', '0', '3']);
    expect(await mapRun.getByTestId('map-run-max-concurrency').textContent()).toBe('No limit');
    expect(await mapRun.getByTestId('map-run-tolerated-failures').textContent()).toBe('None');

    await eventually(() => executionStatus().getAttribute('data-value')).toBe('SUCCEEDED');
    await eventually(() => mapRun.getAttribute('data-status')).toBe('SUCCEEDED');
    await eventually(() => counts(mapRun, 'executions')).toEqual(['0', '0', '3', '0', '0', '0', '3']);
    const children = mapRun.locator('[data-testid="map-run-children"] tbody tr');
    await eventually(() => children.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status'))), 'child executions listed').toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it('left no uncaught error in the page', () => {
    expect(session.pageErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
