/**
 * What every check needs to know about where it is: the machine being validated (its default
 * query language, the names already seen) and the state being validated.
 */
import type { QueryLanguage, StateType } from '../definition.js';
import type { Diagnostics } from './diagnostics.js';
import type { JsonRecord } from './values.js';

export interface ValidateOptions {
  /** EXPRESS machines refuse `.sync`/`.waitForTaskToken` integrations and Distributed Maps. Default STANDARD. */
  stateMachineType?: 'STANDARD' | 'EXPRESS';
  /** Accept any string as a Task `Resource` (AWS requires an ARN it recognises). Default false. */
  allowUnknownResources?: boolean;
}

/** The kinds of nested workflow a state can hold. */
export type SubWorkflowKind = 'ItemProcessor' | 'Iterator' | 'Branch';

export interface MachineContext {
  readonly diagnostics: Diagnostics;
  readonly options: ValidateOptions;
  /** The machine-level query language: every state that declares none uses it, at any depth. */
  readonly language: QueryLanguage;
  /** State names seen so far, over the whole machine: AWS wants them unique across nested workflows. */
  readonly stateNames: Set<string>;
  /** Distributed Map labels seen so far. */
  readonly labels: Set<string>;
  /** Validates a nested workflow (kept here rather than imported, to avoid an import cycle). */
  validateSubWorkflow(value: unknown, location: string, kind: SubWorkflowKind, depth: number): void;
}

export interface StateContext {
  readonly machine: MachineContext;
  readonly diagnostics: Diagnostics;
  readonly name: string;
  readonly location: string;
  readonly state: JsonRecord;
  readonly type: StateType;
  /** The state's effective query language. */
  readonly language: QueryLanguage;
  /** How many workflows enclose this state (0 at the top level). */
  readonly depth: number;
}
