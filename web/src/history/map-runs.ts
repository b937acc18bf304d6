/**
 * Distributed Map names. A Map Run is `arn:…:mapRun:<machine>/<label>:<id>`; its child executions
 * are `arn:…:execution:<machine>/<label>:<id>` and run `arn:…:stateMachine:<machine>/<label>`, a
 * name DescribeStateMachine does not know (the Map's ItemProcessor, not a state machine of its own).
 * State machine names cannot hold a `/`, so the first one ends the machine's name.
 */

/** `arn:…:mapRun:Orders/Fan out:7f…` → `{ machine: 'Orders', label: 'Fan out', id: '7f…' }`; undefined for another ARN. */
export function mapRunParts(arn: string): { machine: string; label: string; id: string } | undefined {
  const parts = arn.split(':');
  if (parts.length !== 8 || parts[5] !== 'mapRun') return undefined;
  const path = parts[6]!;
  const slash = path.indexOf('/');
  if (slash <= 0) return undefined;
  return { machine: path.slice(0, slash), label: path.slice(slash + 1), id: parts[7]! };
}

/**
 * A Map Run child's state machine ARN (`arn:…:stateMachine:Orders/Fan out`) → the state machine
 * whose Map started it (`arn:…:stateMachine:Orders`) and the Map's label; undefined for an ARN
 * without a label (a state machine of its own, or one of its versions).
 */
export function mapRunChildMachine(stateMachineArn: string): { machineArn: string; label: string } | undefined {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine') return undefined;
  const path = parts[6]!;
  const slash = path.indexOf('/');
  if (slash <= 0) return undefined;
  return { machineArn: [...parts.slice(0, 6), path.slice(0, slash)].join(':'), label: path.slice(slash + 1) };
}
