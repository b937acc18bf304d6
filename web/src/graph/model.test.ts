import { describe, expect, it } from 'vitest';
import { buildFlowGraph, shortResource, shorten, type FlowEdge } from './model.js';

const edgeSummary = (edges: readonly FlowEdge[]) => edges.map((e) => [e.source, e.target, e.kind, e.label ?? null]);

describe('buildFlowGraph', () => {
  it('draws Next, Choice rules, Default, Catch, start and end edges with labels', () => {
    const graph = buildFlowGraph({
      StartAt: 'Charge',
      States: {
        Charge: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:111111111111:function:charge-card',
          Catch: [{ ErrorEquals: ['Card.Declined', 'States.Timeout'], Next: 'Refund' }, { ErrorEquals: [], Next: 'Refund' }],
          Next: 'Route',
        },
        Route: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.total', NumericGreaterThan: 100, Next: 'Review' },
            { Variable: '$.vip', IsPresent: true, Next: 'Ship' },
            { Variable: '$.x', StringEquals: 'x', Next: 'Nowhere' },
          ],
          Default: 'Ship',
        },
        Review: { Type: 'Wait', Seconds: 30, Next: 'Ship' },
        Ship: { Type: 'Succeed' },
        Refund: { Type: 'Fail', Error: 'Refunded' },
      },
    });
    expect(graph.stateCount).toBe(5);
    expect(graph.children.map((n) => [n.id, n.kind, n.name, n.stateType ?? null, n.detail ?? null])).toEqual([
      ['start', 'start', 'Start', null, null],
      ['s:Charge', 'state', 'Charge', 'Task', 'charge-card'],
      ['s:Route', 'state', 'Route', 'Choice', null],
      ['s:Review', 'state', 'Review', 'Wait', '30 s'],
      ['s:Ship', 'state', 'Ship', 'Succeed', null],
      ['s:Refund', 'state', 'Refund', 'Fail', null],
      ['end', 'end', 'End', null, null],
    ]);
    // A Next to a state that does not exist ('Nowhere') is skipped, not drawn.
    expect(edgeSummary(graph.edges)).toEqual([
      ['s:Charge', 's:Route', 'next', null],
      ['s:Charge', 's:Refund', 'catch', 'Catch: Card.Declined, States.Timeout'],
      ['s:Charge', 's:Refund', 'catch', 'Catch'],
      ['s:Route', 's:Review', 'choice', '$.total > 100'],
      ['s:Route', 's:Ship', 'choice', '$.vip is present'],
      ['s:Route', 's:Ship', 'default', 'Default'],
      ['s:Review', 's:Ship', 'next', null],
      ['start', 's:Charge', 'start', null],
      ['s:Ship', 'end', 'end', null],
      ['s:Refund', 'end', 'end', null],
    ]);
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
    expect(graph.byName.get('Review')?.id).toBe('s:Review');
  });

  it('shortens long labels and keeps the whole text for the tooltip', () => {
    const variable = '$.a.very.long.path.to.some.deeply.nested.value';
    const graph = buildFlowGraph({
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ Variable: variable, BooleanEquals: true, Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } },
    });
    const choice = graph.edges.find((e) => e.kind === 'choice')!;
    expect(choice.fullLabel).toBe(`${variable} == true`);
    expect(choice.label).toBe(shorten(`${variable} == true`, 36));
    expect(choice.label).toHaveLength(36);
    expect(choice.label!.endsWith('…')).toBe(true);
  });

  it('groups a Parallel’s branches and a Map’s item processor', () => {
    const graph = buildFlowGraph({
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Next: 'Each',
          Branches: [
            { StartAt: 'A1', States: { A1: { Type: 'Pass', Next: 'A2' }, A2: { Type: 'Pass', End: true } } },
            { StartAt: 'B1', States: { B1: { Type: 'Pass', End: true } } },
          ],
        },
        Each: {
          Type: 'Map',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    });
    expect(graph.stateCount).toBe(6);
    const fan = graph.byName.get('Fan')!;
    expect(fan.edges).toEqual([]);
    expect(fan.children!.map((b) => [b.id, b.kind, b.name])).toEqual([
      ['s:Fan#0', 'branch', 'Branch 1'],
      ['s:Fan#1', 'branch', 'Branch 2'],
    ]);
    const [first, second] = fan.children!;
    expect(first!.children!.map((n) => n.id)).toEqual(['s:Fan#0/s:A1', 's:Fan#0/s:A2']);
    expect(edgeSummary(first!.edges!)).toEqual([['s:Fan#0/s:A1', 's:Fan#0/s:A2', 'next', null]]);
    expect(second!.children!.map((n) => n.name)).toEqual(['B1']);
    expect(second!.edges).toEqual([]);

    const each = graph.byName.get('Each')!;
    expect(each.detail).toBe('Distributed');
    expect(each.children!.map((n) => [n.id, n.name])).toEqual([['s:Each/s:Item', 'Item']]);
    expect(graph.byName.get('A2')).toBe(first!.children![1]);
    expect(graph.byName.get('Item')).toBe(each.children![0]);
    // Only the top level joins Start and End.
    expect(edgeSummary(graph.edges)).toEqual([
      ['s:Fan', 's:Each', 'next', null],
      ['start', 's:Fan', 'start', null],
      ['s:Each', 'end', 'end', null],
    ]);
  });

  it('replaces Catch edges into a shared handler with proxies', () => {
    const catchAll = [{ ErrorEquals: ['States.ALL'], Next: 'Handle' }];
    const graph = buildFlowGraph({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: catchAll, Next: 'C' },
        C: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: catchAll, Next: 'D' },
        D: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: catchAll, End: true },
        Handle: { Type: 'Fail' },
      },
    });
    const catches = graph.edges.filter((e) => e.kind === 'catch');
    expect(catches).toHaveLength(3);
    const proxies = graph.children.filter((n) => n.kind === 'proxy');
    expect(proxies.map((p) => [p.name, p.proxyFor, p.detail])).toEqual([
      ['Handle', 'Handle', 'Catch: States.ALL'],
      ['Handle', 'Handle', 'Catch: States.ALL'],
      ['Handle', 'Handle', 'Catch: States.ALL'],
    ]);
    expect(catches.map((e) => e.target)).toEqual(proxies.map((p) => p.id));
    // Nothing leads to Handle itself any more, so it gets no edge to End.
    expect(graph.edges.some((e) => e.source === 's:Handle')).toBe(false);
    expect(graph.edges.filter((e) => e.kind === 'end').map((e) => e.source)).toEqual(['s:D']);
    expect(graph.byName.get('B')?.detail).toBe('lambda:invoke');
  });

  it('returns an empty graph for anything that is not a definition and skips malformed parts', () => {
    for (const value of [undefined, null, 42, 'text', [], {}, { States: [] }]) {
      expect(buildFlowGraph(value)).toEqual({ children: [], edges: [], byName: new Map(), stateCount: 0 });
    }
    const half = buildFlowGraph({ StartAt: 'Missing', States: { A: 'not a state', B: { Type: 'Choice', Choices: 'x', Catch: [null] } } });
    expect(half.children.map((n) => [n.name, n.stateType ?? null])).toEqual([
      ['Start', null],
      ['A', 'Unknown'],
      ['B', 'Choice'],
      ['End', null],
    ]);
    expect(half.edges).toEqual([]);
  });
});

describe('shortResource', () => {
  it('shortens ARNs to what a reader recognises', () => {
    expect(shortResource('arn:aws:states:::sqs:sendMessage.waitForTaskToken')).toBe('sqs:sendMessage.waitForTaskToken');
    expect(shortResource('arn:aws:lambda:us-east-1:111111111111:function:charge-card:$LATEST')).toBe('charge-card');
    expect(shortResource('arn:aws:states:us-east-1:111111111111:activity:approve')).toBe('activity:approve');
    expect(shortResource('short')).toBe('short');
    const long = 'x'.repeat(50);
    expect(shortResource(long)).toBe(`…${'x'.repeat(39)}`);
  });
});
