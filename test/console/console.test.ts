// The web console end to end: the built `stepwise serve` (API and console on one port) driven
// through Debian's Chromium by playwright-core, as a user would: create Hello World from its
// template, run it both ways and watch the graph and the history, and have a broken definition
// marked in the editor, and follow a parent execution to the child it started and back.
// Screenshots of the key moments go to the folder printed at the start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ACCOUNT, ROLE, ROOT } from '../server/serve-process.js';
import { consoleSession, describeInChromium, screenshotDir, statusHistory } from './browser.js';

/**
 * The page's globals that the callbacks run in the browser use: the project's tsconfig has no
 * DOM lib, on purpose (Node code must not use browser globals unnoticed).
 */
declare const location: { readonly hash: string };
declare const document: { readonly activeElement: unknown };
declare const window: { scrollTo(x: number, y: number): void };
declare function requestAnimationFrame(callback: () => void): number;

const SLOW = { timeout: 180_000 };
/** Long enough for a loaded two-core machine to lay out a graph in a worker and poll twice. */
const UI_WAIT = 45_000;

/** Hello World's states and their types (examples/hello-world.asl.json, the console's template). */
const HELLO_STATES = {
  Pass: 'Pass',
  'Hello World example?': 'Choice',
  Yes: 'Pass',
  No: 'Fail',
  'Wait 3 sec': 'Wait',
  'Parallel State': 'Parallel',
  Hello: 'Pass',
  World: 'Pass',
  'Hello World': 'Pass',
} as const;
type HelloState = keyof typeof HELLO_STATES;

const RUN_ID = Date.now().toString(36);
const HELLO_NAME = `HelloWorld-${RUN_ID}`;

/** expect.poll with room for a loaded machine (its default gives up after a second). */
function eventually<T>(probe: () => Promise<T> | T, message?: string) {
  return expect.poll(probe, { timeout: UI_WAIT, interval: 100, ...(message ? { message } : {}) });
}

describeInChromium('the web console in Chromium', () => {
  let shots: string;
  let helloArn: string | undefined;

  beforeAll(() => {
    shots = screenshotDir();
    console.log(`[console tests] screenshots: ${shots}`);
  });

  const session = consoleSession('console', { args: ['--wait-time-scale', '0.1'] });

  const shot = async (name: string, target: Page | Locator = session.page, clipToBottomOf?: Locator) => {
    const path = join(shots, `${name}.png`);
    const box = clipToBottomOf ? await clipToBottomOf.boundingBox() : null;
    const clip = box ? { x: 0, y: 0, width: session.page.viewportSize()!.width, height: Math.ceil(box.y + box.height + 16) } : undefined;
    await target.screenshot({ path, animations: 'disabled', caret: 'hide', ...(clip ? { clip } : {}) });
    return path;
  };

  const node = (state: string) => session.page.locator(`[data-testid="graph"] [data-state="${cssString(state)}"]`);
  const executionStatus = () => session.page.getByTestId('execution-status');

  /** The graph is drawn (laid out) and shows `state`. */
  const graphShows = async (state: string) => {
    await session.page.locator('[data-testid="graph"][data-laid-out="true"]').first().waitFor({ timeout: UI_WAIT });
    await node(state).first().waitFor({ timeout: UI_WAIT });
  };

  /** Replaces the whole text of the CodeMirror editor inside `editor` (select all, then insert). */
  const replaceEditorText = async (editor: Locator, text: string) => {
    await editor.locator('.cm-content').click();
    await session.page.keyboard.press('Control+A');
    await session.page.keyboard.press('Delete');
    await session.page.keyboard.insertText(text);
  };

  /** From a state machine's page: open Start execution, name it and type the input (the caller confirms). */
  const startExecution = async (name: string, input: string, valid = true) => {
    await session.page.getByTestId('start-execution').click();
    const dialog = session.page.getByRole('dialog', { name: 'Start execution' });
    await dialog.waitFor();
    await dialog.getByLabel('Name (optional)').fill(name);
    await replaceEditorText(dialog.getByTestId('execution-input'), input);
    await eventually(() => editorText(dialog.getByTestId('execution-input'))).toBe(input);
    if (valid) await eventually(() => dialog.getByRole('status').textContent()).toBe('Valid JSON.');
    return dialog;
  };

  const ensureHelloMachine = async (): Promise<string> => {
    if (helloArn) return helloArn;
    // (a) failed before creating it through the UI: create it through the API to test the rest.
    const definition = readFileSync(join(ROOT, 'examples', 'hello-world.asl.json'), 'utf8');
    const out = await session.sdk.send(new CreateStateMachineCommand({ name: `${HELLO_NAME}-api`, definition, roleArn: ROLE }));
    helloArn = out.stateMachineArn!;
    return helloArn;
  };

  it('creates Hello World from its template, reached by keyboard, and shows it as a graph', SLOW, async () => {
    await session.page.goto(`${session.server.url}/`);
    await session.page.getByRole('heading', { name: 'State machines', level: 1 }).waitFor({ timeout: UI_WAIT });
    await session.page.getByText('No state machines yet.').waitFor({ timeout: UI_WAIT });

    // Keyboard: Tab from the top of the page reaches the create button, which has a name.
    const create = session.page.getByRole('link', { name: 'Create state machine', exact: true });
    expect(await create.count()).toBe(1);
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await session.page.keyboard.press('Tab');
      reached = await create.evaluate((el) => el === document.activeElement);
    }
    expect(reached, 'Tab never reached "Create state machine"').toBe(true);
    await session.page.keyboard.press('Enter');
    await eventually(() => session.page.evaluate(() => location.hash)).toBe('#/state-machines/new');
    await session.page.getByRole('heading', { name: 'Create state machine', level: 1 }).waitFor();

    await session.page.getByLabel('Name', { exact: true }).fill(HELLO_NAME);
    const template = session.page.getByLabel('Template');
    await template.selectOption('blank');
    await template.selectOption('hello-world');
    expect(await template.locator('option:checked').textContent()).toBe('Hello world');

    // The template's text is in the editor, the server finds no problem, the graph shows it.
    const editor = session.page.getByTestId('definition-editor');
    const helloWorld = readFileSync(join(ROOT, 'examples', 'hello-world.asl.json'), 'utf8');
    await eventually(() => editorText(editor)).toBe(helloWorld);
    const problems = session.page.getByTestId('validation-problems');
    await eventually(() => problems.textContent()).toBe('✓ No problems');
    for (const [state, type] of Object.entries(HELLO_STATES)) {
      await graphShows(state);
      expect(await node(state).getAttribute('data-type')).toBe(type);
      expect(await node(state).getAttribute('data-status')).toBe('not-reached');
    }
    // Graph nodes are buttons named by state and type, reachable with Tab.
    const passNode = session.page.getByRole('button', { name: 'Pass, Pass state', exact: true });
    expect(await passNode.getAttribute('tabindex')).toBe('0');
    await shot('01-create-hello-world');

    await session.page.getByTestId('save-machine').click();
    await session.page.waitForFunction(() => /^#\/state-machines\/arn%3Aaws%3Astates%3A/.test(location.hash), undefined, { timeout: UI_WAIT });
    await session.page.getByRole('heading', { name: HELLO_NAME, level: 1 }).waitFor({ timeout: UI_WAIT });
    helloArn = decodeURIComponent(/^#\/state-machines\/([^?/]+)/.exec(await session.page.evaluate(() => location.hash))![1]!);
    expect(helloArn).toMatch(new RegExp(`:stateMachine:${HELLO_NAME}$`));
    // It lands on the Definition tab, drawing the saved definition.
    await graphShows('Parallel State');
  });

  it('runs Hello World with IsHelloWorldExample true: every state on the path turns green, the execution SUCCEEDED, the history lists its events', SLOW, async () => {
    const arn = await ensureHelloMachine();
    await session.page.goto(`${session.server.url}/#/state-machines/${encodeURIComponent(arn)}`);
    await session.page.getByRole('heading', { name: arn.slice(arn.lastIndexOf(':') + 1), level: 1 }).waitFor({ timeout: UI_WAIT });

    const dialog = await startExecution('hello-true', '{"IsHelloWorldExample": true}');
    await shot('02-start-execution-dialog');
    await dialog.getByTestId('confirm-start-execution').click();

    await session.page.waitForFunction(() => location.hash.startsWith('#/executions/'), undefined, { timeout: UI_WAIT });
    expect(decodeURIComponent(await session.page.evaluate(() => location.hash))).toMatch(/:execution:[^:]+:hello-true$/);
    await eventually(() => executionStatus().getAttribute('data-value')).toBe('SUCCEEDED');
    expect(await executionStatus().textContent()).toBe('Succeeded');

    const path: HelloState[] = ['Pass', 'Hello World example?', 'Yes', 'Wait 3 sec', 'Parallel State', 'Hello', 'World', 'Hello World'];
    for (const state of path) {
      await eventually(() => node(state).getAttribute('data-status'), state).toBe('succeeded');
    }
    expect(await node('No').getAttribute('data-status')).toBe('not-reached');
    // Status is told in words too, not by colour alone.
    await session.page.getByRole('button', { name: 'Wait 3 sec, Wait state, succeeded', exact: true }).waitFor();

    // What each node showed over time: never anything but not-reached → in-progress → succeeded.
    const history = await statusHistory(session.page, '#/executions/');
    const order = ['not-reached', 'in-progress', 'succeeded'];
    for (const state of path) {
      const seen = history.get(state) ?? [];
      expect(seen.at(-1), `${state} showed ${seen.join(' → ')}`).toBe('succeeded');
      const ranks = seen.map((s) => order.indexOf(s));
      expect(ranks.every((r, i) => r >= 0 && (i === 0 || r > ranks[i - 1]!)), `${state} showed ${seen.join(' → ')}`).toBe(true);
    }
    const wentThroughInProgress = path.filter((s) => history.get(s)?.includes('in-progress'));
    // The Wait lasts 300 ms (3 s at --wait-time-scale 0.1) and the page polls every 500 ms, so
    // in-progress is seen only when a poll lands inside it; the Stop test below sees it for sure.
    console.log(`[console tests] states seen in progress while Hello World ran: ${wentThroughInProgress.join(', ') || 'none (it ran between two polls)'}`);

    // Input and output.
    const output = JSON.parse((await session.page.getByLabel('Execution output').textContent())!) as unknown;
    expect(output).toEqual([{ IsHelloWorldExample: true }, { IsHelloWorldExample: true }]);
    expect(JSON.parse((await session.page.getByLabel('Execution input').textContent())!)).toEqual({ IsHelloWorldExample: true });

    // The event history: a table with a header row and one row per event, in order.
    const table = session.page.getByRole('table', { name: 'Event history' });
    await table.waitFor();
    const headers = await table.getByRole('columnheader').allTextContents();
    expect(headers.slice(1)).toEqual(['ID', 'Type', 'Step', 'Resource', 'Started after', 'Date and time']);
    // The two branches' Pass states may interleave; everything else is in a fixed order.
    const expectedTypes = [
      'ExecutionStarted',
      'PassStateEntered', 'PassStateExited',
      'ChoiceStateEntered', 'ChoiceStateExited',
      'PassStateEntered', 'PassStateExited',
      'WaitStateEntered', 'WaitStateExited',
      'ParallelStateEntered', 'ParallelStateStarted',
      ...['PassStateEntered', 'PassStateEntered', 'PassStateExited', 'PassStateExited'],
      'ParallelStateExited',
      'PassStateEntered', 'PassStateExited',
      'ExecutionSucceeded',
    ];
    await eventually(() => session.page.getByTestId('history-count').textContent()).toBe(`${expectedTypes.length} events`);
    expect(await table.getAttribute('aria-rowcount')).toBe(String(expectedTypes.length + 1));
    const rows = table.locator('[role="row"][data-event-type]');
    const types = (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-event-type')))) as string[];
    expect([...types.slice(0, 11), ...types.slice(11, 15).sort(), ...types.slice(15)]).toEqual(expectedTypes);
    const firstRowCells = await rows.first().getByRole('cell').allTextContents();
    expect(firstRowCells.slice(1, 3)).toEqual(['1', 'ExecutionStarted']);
    const waitRow = rows.filter({ has: session.page.locator('[role="cell"]', { hasText: /^WaitStateEntered$/ }) });
    expect((await waitRow.getByRole('cell').allTextContents())[3]).toBe('Wait 3 sec');

    // A row's details open in place.
    await session.page.getByRole('button', { name: 'Show details of event 1', exact: true }).click();
    const details = session.page.getByLabel('Details of event 1', { exact: true });
    await details.waitFor();
    expect(JSON.parse((await details.textContent())!)).toMatchObject({ input: { IsHelloWorldExample: true } });
    await session.page.getByRole('button', { name: 'Hide details of event 1', exact: true }).click();
    await details.waitFor({ state: 'detached' });

    // Searching narrows the table.
    await session.page.getByLabel('Search events').fill('Wait');
    await eventually(() => session.page.getByTestId('history-count').textContent()).toBe(`2 of ${expectedTypes.length} events`);
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-event-type')))).toEqual(['WaitStateEntered', 'WaitStateExited']);
    await session.page.getByLabel('Search events').fill('');
    await eventually(() => session.page.getByTestId('history-count').textContent()).toBe(`${expectedTypes.length} events`);

    await session.page.evaluate(() => window.scrollTo(0, 0));
    await shot('03-execution-succeeded');
    // The page down to the end of the graph: the README's picture (docs/screenshots/execution.png).
    await shot('04-execution-succeeded-graph', session.page, session.page.locator('section', { has: session.page.locator('#graph-heading') }));
    await shot('05-history-table', session.page.locator('section', { has: session.page.locator('#events-heading') }));
  });

  it('runs Hello World with IsHelloWorldExample false: the Fail state is marked failed and the error is shown', SLOW, async () => {
    const arn = await ensureHelloMachine();
    await session.page.goto(`${session.server.url}/#/state-machines/${encodeURIComponent(arn)}`);
    await session.page.getByRole('heading', { name: arn.slice(arn.lastIndexOf(':') + 1), level: 1 }).waitFor({ timeout: UI_WAIT });
    // Input that is not JSON is marked, and cannot be started.
    let dialog = await startExecution('hello-false', '{"IsHelloWorldExample": fals}', false);
    await eventually(() => dialog.getByRole('status').textContent()).toMatch(/^Not valid JSON: /);
    expect(await dialog.getByTestId('confirm-start-execution').isDisabled()).toBe(true);
    await dialog.getByTestId('execution-input').locator('.cm-lintRange-error').first().waitFor({ timeout: UI_WAIT });
    await session.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    dialog = await startExecution('hello-false', '{"IsHelloWorldExample": false}');
    await dialog.getByTestId('confirm-start-execution').click();
    await session.page.waitForFunction(() => location.hash.startsWith('#/executions/') && location.hash.endsWith('hello-false'), undefined, { timeout: UI_WAIT });

    await eventually(() => executionStatus().getAttribute('data-value')).toBe('FAILED');
    expect(await executionStatus().textContent()).toBe('Failed');
    await eventually(() => node('No').getAttribute('data-status')).toBe('failed');
    await session.page.getByRole('button', { name: 'No, Fail state, failed', exact: true }).waitFor();
    expect(await node('Pass').getAttribute('data-status')).toBe('succeeded');
    expect(await node('Hello World example?').getAttribute('data-status')).toBe('succeeded');
    for (const state of ['Yes', 'Wait 3 sec', 'Parallel State', 'Hello', 'World', 'Hello World']) {
      expect(await node(state).getAttribute('data-status'), state).toBe('not-reached');
    }

    // The error (the Fail state has a Cause and no Error) is shown above the graph.
    const error = session.page.getByRole('note', { name: 'Execution error' });
    await error.waitFor();
    expect(await error.locator('.cause').textContent()).toBe('Not Hello World');

    // The history ends with the failure, marked as such.
    const expectedTypes = ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ChoiceStateEntered', 'ChoiceStateExited', 'FailStateEntered', 'ExecutionFailed'];
    await eventually(() => session.page.getByTestId('history-count').textContent()).toBe(`${expectedTypes.length} events`);
    const rows = session.page.getByRole('table', { name: 'Event history' }).locator('[role="row"][data-event-type]');
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-event-type')))).toEqual(expectedTypes);
    const failedRow = rows.filter({ has: session.page.locator('[role="cell"]', { hasText: /^ExecutionFailed$/ }) });
    expect(await failedRow.getAttribute('class')).toContain('history-row-failed');

    // Selecting the failed state with the keyboard shows its run.
    await node('No').focus();
    await session.page.keyboard.press('Enter');
    await eventually(() => node('No').getAttribute('aria-pressed')).toBe('true');
    const panel = session.page.getByRole('complementary', { name: 'State No' });
    await panel.waitFor();
    expect(await panel.getByTestId('run-status').getAttribute('data-status')).toBe('failed');
    expect(JSON.parse((await panel.getByLabel('State input').textContent())!)).toEqual({ IsHelloWorldExample: false });

    await session.page.evaluate(() => window.scrollTo(0, 0));
    await shot('06-execution-failed');
  });

  it('marks a problem in the definition editor at its line, and clears it when fixed', SLOW, async () => {
    await session.page.goto(`${session.server.url}/#/state-machines/new`);
    await session.page.getByRole('heading', { name: 'Create state machine', level: 1 }).waitFor({ timeout: UI_WAIT });
    const editor = session.page.getByTestId('definition-editor');
    const problems = session.page.getByTestId('validation-problems');
    await eventually(() => problems.textContent()).toBe('✓ No problems');

    // Line 6 names a state that does not exist.
    const broken = ['{', '  "StartAt": "Start",', '  "States": {', '    "Start": {', '      "Type": "Pass",', '      "Next": "Nowhere"', '    }', '  }', '}'].join('\n');
    await replaceEditorText(editor, broken);
    await eventually(() => editorText(editor)).toBe(broken);

    const problem = problems.locator('li[data-code="MISSING_TRANSITION_TARGET"]');
    await problem.waitFor({ timeout: UI_WAIT });
    // With no state to go to, no state ends the workflow either (a problem without a location).
    expect(await problems.getByRole('heading').textContent()).toBe('2 problems');
    expect(await problem.textContent()).toBe("Line 6 MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere (/States/Start/Next)");
    expect(await problems.locator('li[data-code="MISSING_END_STATE"]').textContent()).toBe('Line 1 MISSING_END_STATE: Workflow has no terminal state');

    // In the editor: the text is underlined on line 6 and the gutter has an error marker there.
    const marked = editor.locator('.cm-lintRange-error');
    await marked.first().waitFor({ timeout: UI_WAIT });
    const markedLines = await marked.evaluateAll((els) => els.map((el) => el.closest('.cm-line')?.textContent ?? ''));
    expect(markedLines).toContain('      "Next": "Nowhere"');
    expect(await linesWithGutterMarkers(editor)).toEqual([1, 6]);

    // "Line 6" moves the cursor there.
    await problem.getByRole('button', { name: 'Line 6' }).click();
    await eventually(() => editor.locator('.cm-activeLine').textContent()).toBe('      "Next": "Nowhere"');
    await shot('07-editor-problem');

    // Creating it anyway is refused by the server, and the page says why.
    await session.page.getByLabel('Name', { exact: true }).fill(`Broken-${RUN_ID}`);
    await session.page.getByTestId('save-machine').click();
    const alert = session.page.getByRole('alert');
    await alert.waitFor({ timeout: UI_WAIT });
    expect(await alert.textContent()).toMatch(/^InvalidDefinition: .*Missing 'Next' target: Nowhere/);

    // A JSON syntax error is placed at its line too.
    await replaceEditorText(editor, broken.replace('"Type": "Pass",', '"Type": "Pass"'));
    const syntax = problems.locator('li[data-code="INVALID_JSON_DESCRIPTION"]');
    await syntax.waitFor({ timeout: UI_WAIT });
    expect(await syntax.getByRole('button').textContent()).toMatch(/^Line (5|6)$/);
    await shot('08-editor-syntax-error');

    // Fixed: no problem, no marker.
    await replaceEditorText(editor, broken.replace('"Next": "Nowhere"', '"End": true'));
    await eventually(() => problems.textContent()).toBe('✓ No problems');
    await eventually(() => editor.locator('.cm-lintRange-error, .cm-lint-marker-error').count()).toBe(0);
  });

  it('shows a running state in progress, and Stop aborts the execution', SLOW, async () => {
    // A Wait of 10 minutes (60 s at --wait-time-scale 0.1): it is surely running when looked at.
    const definition = JSON.stringify({
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Next: 'Long wait' },
        'Long wait': { Type: 'Wait', Seconds: 600, Next: 'Finish' },
        Finish: { Type: 'Succeed' },
      },
    });
    const out = await session.sdk.send(new CreateStateMachineCommand({ name: `Waiting-${RUN_ID}`, definition, roleArn: ROLE }));
    await session.page.goto(`${session.server.url}/#/state-machines/${encodeURIComponent(out.stateMachineArn!)}`);
    await session.page.getByRole('heading', { name: `Waiting-${RUN_ID}`, level: 1 }).waitFor({ timeout: UI_WAIT });
    const dialog = await startExecution('waiting', '{}');
    await dialog.getByTestId('confirm-start-execution').click();
    await session.page.waitForFunction(() => location.hash.endsWith('waiting'), undefined, { timeout: UI_WAIT });

    await eventually(() => executionStatus().getAttribute('data-value')).toBe('RUNNING');
    await graphShows('Long wait');
    await eventually(() => node('Long wait').getAttribute('data-status')).toBe('in-progress');
    await session.page.getByRole('button', { name: 'Long wait, Wait state, in progress', exact: true }).waitFor();
    expect(await node('Prepare').getAttribute('data-status')).toBe('succeeded');
    expect(await node('Finish').getAttribute('data-status')).toBe('not-reached');
    await shot('09-execution-running');

    await session.page.getByTestId('stop-execution').click();
    const stop = session.page.getByRole('dialog', { name: 'Stop execution?' });
    await stop.waitFor();
    await stop.getByLabel('Error (optional)').fill('Impatient');
    await stop.getByLabel('Cause (optional)').fill('Stopped from the console test');
    await stop.getByTestId('confirm-stop-execution').click();

    await eventually(() => executionStatus().getAttribute('data-value')).toBe('ABORTED');
    await eventually(() => node('Long wait').getAttribute('data-status')).toBe('cancelled');
    expect(await session.page.getByTestId('stop-execution').count()).toBe(0);
    const error = session.page.getByRole('note', { name: 'Execution error' });
    await error.waitFor();
    expect(await error.locator('strong').textContent()).toBe('Impatient');
    expect(await error.locator('.cause').textContent()).toBe('Stopped from the console test');
    await shot('10-execution-aborted');

    const history = await statusHistory(session.page, '#/executions/');
    expect(history.get('Long wait')?.slice(-2)).toEqual(['in-progress', 'cancelled']);
  });

  it('links a parent execution to the child it started (startExecution.sync), and the child back to its parent', SLOW, async () => {
    const client = session.sdk;
    const childMachine = `Child-${RUN_ID}`;
    const parentMachine = `Parent-${RUN_ID}`;
    const child = await client.send(
      new CreateStateMachineCommand({
        name: childMachine,
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } } }),
      }),
    );
    const parent = await client.send(
      new CreateStateMachineCommand({
        name: parentMachine,
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Run child',
          States: {
            'Run child': {
              Type: 'Task',
              Resource: 'arn:aws:states:::states:startExecution.sync',
              Parameters: {
                StateMachineArn: child.stateMachineArn,
                'Name.$': "States.Format('child-of-{}', $$.Execution.Name)",
                Input: { 'n.$': '$.n', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
              },
              End: true,
            },
          },
        }),
      }),
    );

    // Start the parent from its page, as a user would.
    await session.page.goto(`${session.server.url}/#/state-machines/${encodeURIComponent(parent.stateMachineArn!)}`);
    await session.page.getByRole('heading', { name: parentMachine, level: 1 }).waitFor({ timeout: UI_WAIT });
    const dialog = await startExecution('parent-run', '{"n": 21}');
    await dialog.getByTestId('confirm-start-execution').click();
    const parentArn = `arn:aws:states:us-east-1:${ACCOUNT}:execution:${parentMachine}:parent-run`;
    const childArn = `arn:aws:states:us-east-1:${ACCOUNT}:execution:${childMachine}:child-of-parent-run`;
    await session.page.waitForFunction((hash) => location.hash === hash, `#/executions/${encodeURIComponent(parentArn)}`, { timeout: UI_WAIT });
    await eventually(() => executionStatus().getAttribute('data-value')).toBe('SUCCEEDED');
    // Nobody started the parent: it says so by saying nothing.
    expect(await session.page.getByTestId('started-by').count()).toBe(0);

    // The Task state's panel links to the child, with the status the history reports.
    await graphShows('Run child');
    await eventually(() => node('Run child').getAttribute('data-status')).toBe('succeeded');
    await node('Run child').click();
    const panel = session.page.getByRole('complementary', { name: 'State Run child' });
    const children = panel.getByTestId('child-executions').locator('li');
    await eventually(() => children.count()).toBe(1);
    expect(await children.getAttribute('data-child-execution')).toBe(childArn);
    expect(await children.getAttribute('data-status')).toBe('SUCCEEDED');
    expect(await children.textContent()).toBe(`child-of-parent-run of ${childMachine} Succeeded`);
    const childLink = panel.getByRole('link', { name: `child-of-parent-run of ${childMachine}`, exact: true });
    expect(await childLink.getAttribute('href')).toBe(`#/executions/${encodeURIComponent(childArn)}`);

    // So do the details of the history's TaskSubmitted and TaskSucceeded events, and of no other.
    const rows = session.page.getByRole('table', { name: 'Event history' }).locator('[role="row"][data-event-type]');
    await eventually(() => rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-event-type')))).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    const eventIds = (await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-event-type'), el.getAttribute('data-event-id')]))) as [string, string][];
    for (const [type, id] of eventIds) {
      await session.page.getByRole('button', { name: `Show details of event ${id}`, exact: true }).click();
      const details = session.page.getByLabel(`Details of event ${id}`, { exact: true });
      await details.waitFor();
      const named = details.getByTestId('event-child-execution');
      if (type === 'TaskSubmitted' || type === 'TaskSucceeded') {
        expect(await named.getByRole('link').getAttribute('href'), type).toBe(`#/executions/${encodeURIComponent(childArn)}`);
        // The child's status as the history knows it now (it ended), on both rows.
        expect(await named.textContent(), type).toBe(`Child execution: child-of-parent-run of ${childMachine} Succeeded`);
      } else {
        expect(await named.count(), type).toBe(0);
      }
      await session.page.getByRole('button', { name: `Hide details of event ${id}`, exact: true }).click();
      await details.waitFor({ state: 'detached' });
    }
    await session.page.evaluate(() => window.scrollTo(0, 0));
    await shot('11-parent-links-to-child');
    await session.page.getByRole('button', { name: 'Show details of event 6', exact: true }).click();
    await session.page.getByLabel('Details of event 6', { exact: true }).getByTestId('event-child-execution').waitFor();
    await shot('12-parent-history-child-link', session.page.locator('section', { has: session.page.locator('#events-heading') }));

    // To the child, by keyboard.
    await childLink.focus();
    await session.page.keyboard.press('Enter');
    await session.page.waitForFunction((hash) => location.hash === hash, `#/executions/${encodeURIComponent(childArn)}`, { timeout: UI_WAIT });
    await session.page.getByRole('heading', { name: 'child-of-parent-run', level: 1 }).waitFor({ timeout: UI_WAIT });
    await eventually(() => executionStatus().getAttribute('data-value')).toBe('SUCCEEDED');
    const startedBy = session.page.getByTestId('started-by');
    await startedBy.waitFor({ timeout: UI_WAIT });
    expect(await startedBy.textContent()).toBe(`Started by parent-run of ${parentMachine}`);
    expect(JSON.parse((await session.page.getByLabel('Execution input').textContent())!)).toEqual({ n: 21, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: parentArn });
    expect(JSON.parse((await session.page.getByLabel('Execution output').textContent())!)).toEqual({ twice: 42 });
    await graphShows('Double');
    await eventually(() => node('Double').getAttribute('data-status')).toBe('succeeded');
    await session.page.evaluate(() => window.scrollTo(0, 0));
    await shot('13-child-started-by');

    // And back to the parent.
    await startedBy.getByRole('link', { name: `parent-run of ${parentMachine}`, exact: true }).click();
    await session.page.waitForFunction((hash) => location.hash === hash, `#/executions/${encodeURIComponent(parentArn)}`, { timeout: UI_WAIT });
    await session.page.getByRole('heading', { name: 'parent-run', level: 1 }).waitFor({ timeout: UI_WAIT });
    await eventually(() => executionStatus().getAttribute('data-value')).toBe('SUCCEEDED');
    expect(await session.page.getByTestId('started-by').count()).toBe(0);
  });

  it('loads a history of several pages (read from both ends) whole and in order, and scrolls anywhere in it', SLOW, async () => {
    // 400 Map iterations of 8 events each: 3,206 events, four pages of GetExecutionHistory.
    const definition = {
      StartAt: 'Fan out',
      States: {
        'Fan out': {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 10,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Check',
            States: {
              Check: { Type: 'Choice', Choices: [{ Variable: '$.skip', BooleanEquals: true, Next: 'Work' }], Default: 'Prepare' },
              Prepare: { Type: 'Pass', Parameters: { 'id.$': '$.id' }, Next: 'Work' },
              Work: { Type: 'Pass', End: true },
            },
          },
          End: true,
        },
      },
    };
    const client = session.sdk;
    const machine = await client.send(new CreateStateMachineCommand({ name: `Long-${RUN_ID}`, definition: JSON.stringify(definition), roleArn: ROLE }));
    const items = Array.from({ length: 400 }, (_, id) => ({ id, skip: false }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'long', input: JSON.stringify({ items }) }));
    await eventually(async () => (await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    const types: string[] = [];
    let nextToken: string | undefined;
    do {
      const history = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      types.push(...history.events!.map((e) => e.type!));
      nextToken = history.nextToken;
    } while (nextToken);
    expect(types).toHaveLength(3206);

    await session.page.goto(`${session.server.url}/#/executions/${encodeURIComponent(executionArn!)}`);
    await eventually(() => session.page.getByTestId('history-count').textContent()).toBe('3206 events');
    const table = session.page.getByRole('table', { name: 'Event history' });
    expect(await table.getAttribute('aria-rowcount')).toBe('3207');
    // Every iteration reached the model, in its place: the Map's panel counts them all, succeeded.
    await graphShows('Fan out');
    await node('Fan out').click();
    const iterations = session.page.getByTestId('map-iterations');
    await iterations.waitFor();
    expect(await session.page.getByRole('complementary', { name: 'State Fan out' }).getByRole('heading', { name: /^Iterations/ }).textContent()).toBe('Iterations (400 of 400)');
    expect(new Set(await iterations.locator('button').evaluateAll((els) => els.map((el) => el.getAttribute('data-status'))))).toEqual(new Set(['succeeded']));

    // Jump anywhere: in the very next frame, the rows in view are the events at that place, in
    // order, with no gap (the table draws them in the scroll event, before that frame is painted).
    const body = session.page.getByLabel('Events, scrollable');
    const jumpAndLook = (top: number | 'end') =>
      body.evaluate(async (el, to) => {
        el.scrollTop = to === 'end' ? el.scrollHeight : to;
        await new Promise<void>((resolve) => requestAnimationFrame(resolve));
        const view = el.getBoundingClientRect();
        return Array.from(el.querySelectorAll('[data-event-id]') as ArrayLike<{ getBoundingClientRect(): { top: number; bottom: number }; getAttribute(name: string): string | null }>)
          .filter((row) => row.getBoundingClientRect().bottom > view.top + 1 && row.getBoundingClientRect().top < view.bottom - 1)
          .map((row) => [Number(row.getAttribute('data-event-id')), row.getAttribute('data-event-type')] as [number, string]);
      }, top);
    const rowHeight = await body.locator('[role="row"]').first().evaluate((el) => el.getBoundingClientRect().height);
    for (const position of [1700, 300, 3150, 0]) {
      const seen = await jumpAndLook(position * rowHeight);
      expect(seen[0]?.[0], `at row ${position}`).toBe(position + 1);
      expect(seen.length).toBeGreaterThan(5);
      expect(seen).toEqual(seen.map((_, i) => [position + 1 + i, types[position + i]]));
    }
    expect((await jumpAndLook('end')).at(-1)).toEqual([3206, 'ExecutionSucceeded']);
  });

  it('left no uncaught error in the page', () => {
    expect(session.pageErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});

/** The text of a CodeMirror editor, from its state (the DOM only holds the visible lines). */
async function editorText(editor: Locator): Promise<string> {
  return editor.locator('.cm-content').evaluate((el) => {
    const view = (el as unknown as { cmView?: { view?: { state: { doc: { toString(): string } } } } }).cmView?.view;
    return view ? view.state.doc.toString() : Array.from(el.querySelectorAll('.cm-line') as ArrayLike<{ textContent: string }>, (line) => line.textContent).join('\n');
  });
}

/** The 1-based line numbers beside the lint gutter's error markers (the gutters line up by row). */
async function linesWithGutterMarkers(editor: Locator): Promise<number[]> {
  return editor.evaluate((root) => {
    const lines: number[] = [];
    for (const marker of root.querySelectorAll('.cm-gutter-lint .cm-lint-marker-error')) {
      const top = marker.closest('.cm-gutterElement').getBoundingClientRect().top;
      for (const n of root.querySelectorAll('.cm-lineNumbers .cm-gutterElement')) {
        if (Math.abs(n.getBoundingClientRect().top - top) < 2 && n.textContent) lines.push(Number(n.textContent));
      }
    }
    return lines.sort((a, b) => a - b);
  });
}

/** A value for a CSS attribute selector in double quotes. */
function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
