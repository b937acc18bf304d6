import { describe, expect, it } from 'vitest';
import { mapRunChildMachine, mapRunParts } from './map-runs.js';

describe('Distributed Map names', () => {
  it('splits a Map Run ARN into machine, label and id', () => {
    expect(mapRunParts('arn:aws:states:us-east-1:111111111111:mapRun:Orders/Fan out:0f3c2a8e-1b2c-4d5e-8f90-123456789abc')).toEqual({
      machine: 'Orders',
      label: 'Fan out',
      id: '0f3c2a8e-1b2c-4d5e-8f90-123456789abc',
    });
    expect(mapRunParts('arn:aws:states:us-east-1:111111111111:execution:Orders:run-1')).toBeUndefined();
    expect(mapRunParts('arn:aws:states:us-east-1:111111111111:mapRun:Orders:0f3c')).toBeUndefined();
  });

  it("names the state machine behind a Map Run child's machine ARN, and nothing for a machine of its own", () => {
    expect(mapRunChildMachine('arn:aws:states:us-east-1:111111111111:stateMachine:Orders/Fan out')).toEqual({
      machineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:Orders',
      label: 'Fan out',
    });
    expect(mapRunChildMachine('arn:aws:states:us-east-1:111111111111:stateMachine:Orders')).toBeUndefined();
    expect(mapRunChildMachine('arn:aws:states:us-east-1:111111111111:stateMachine:Orders:3')).toBeUndefined();
  });
});
