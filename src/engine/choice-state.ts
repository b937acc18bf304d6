/**
 * The Choice state: the first rule that matches decides the next state; rules are compiled once
 * per definition object and evaluated against the effective input.
 */
import { StatesError } from '../asl/errors.js';
import { compileChoiceRule, evaluateChoiceRule, type ChoiceExpr } from '../asl/choice.js';
import { queryPath } from '../asl/jsonpath.js';
import { jsonataUnexpectedResultType } from '../asl/jsonata.js';
import { jsonataBody } from './data-flow.js';
import type { Frame, StateDef } from './frames.js';
import type { Outcome, Step, StateRunner } from './states.js';

/** Each Choice state's rules, compiled once per definition object. */
const compiledChoices = new WeakMap<object, ChoiceExpr[]>();

function compiledRules(state: StateDef): ChoiceExpr[] {
  let rules = compiledChoices.get(state);
  if (!rules) {
    rules = (state.Choices ?? []).map((rule: object) => compileChoiceRule(rule));
    compiledChoices.set(state, rules!);
  }
  return rules!;
}

export function evaluateChoice(runner: StateRunner, frame: Frame, state: StateDef): Step {
  return runner.flow.isJsonata(frame) ? evaluateJsonataChoice(runner, frame, state) : evaluateJsonPathChoice(runner, frame, state);
}

async function evaluateJsonataChoice(runner: StateRunner, frame: Frame, state: StateDef): Promise<Outcome> {
  const { flow } = runner;
  const choices: Array<Record<string, any>> = state.Choices ?? [];
  for (let i = 0; i < choices.length; i++) {
    const rule = choices[i]!;
    const condition = await flow.jsonata(frame, rule.Condition, 'Condition');
    if (typeof condition !== 'boolean') {
      throw jsonataUnexpectedResultType(jsonataBody(rule.Condition), 'Condition', 'boolean', condition);
    }
    if (condition) {
      const { output, assigned } = await flow.jsonataOutputAndAssign(frame, {}, frame.input, rule);
      return runner.exit(frame, output, assigned, rule.Next, { choiceRule: i });
    }
  }
  if (state.Default === undefined) throw new StatesError('States.NoChoiceMatched', noMatchCause(frame));
  const { output, assigned } = await flow.jsonataOutputAndAssign(frame, {}, frame.input, state);
  return runner.exit(frame, output, assigned, state.Default, { choiceRule: -1 });
}

function evaluateJsonPathChoice(runner: StateRunner, frame: Frame, state: StateDef): Outcome {
  const { flow } = runner;
  const choices: Array<Record<string, any>> = state.Choices ?? [];
  const effective = flow.inputPath(frame);
  const scope = flow.scope(frame, effective);
  const query = (path: string) => queryPath(path, scope);
  const rules = compiledRules(state);
  for (let i = 0; i < rules.length; i++) {
    if (evaluateChoiceRule(rules[i]!, query)) {
      const rule = choices[i]!;
      const assigned = flow.assignJsonPath(frame, effective, rule.Assign);
      return runner.exit(frame, flow.outputPath(frame, effective), assigned, rule.Next, { choiceRule: i });
    }
  }
  if (state.Default === undefined) throw new StatesError('States.NoChoiceMatched', noMatchCause(frame));
  const assigned = flow.assignJsonPath(frame, effective, state.Assign);
  return runner.exit(frame, flow.outputPath(frame, effective), assigned, state.Default, { choiceRule: -1 });
}

function noMatchCause(frame: Frame): string {
  return `No Matches! State '${frame.stateName}' has no rule that matches the input.`;
}
