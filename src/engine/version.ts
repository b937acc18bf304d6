/**
 * The version of the decider's replay-relevant behaviour. Each execution records the version of
 * the engine that started it (ExecutionRecord.engineVersion), because a durable execution is
 * rebuilt by replaying its logged triggers through the engine of the day: if that engine decides
 * differently, the rebuilt execution silently diverges from its stored history.
 *
 * Bump it (by one) with any change after which the same triggers at the same times could give
 * different events, event details, commands, task or timer ids, or random draws (their number,
 * order or derivation from the seed): a new or reordered event, a changed cause text, a limit
 * applied inside a decision, a new draw from the generator. Do not bump it for changes that
 * leave every decision identical (the API, the store's layout, speed).
 */
// 3: a Distributed Map with a ResultWriter writes its result files (s3:putObject commands) before it ends.
// 4: ItemReader follows listObjectsV2 pages and S3 inventory files (one InvokeTask each), listing items in AWS's shape, CSVDelimiter and backslash escapes.
// 5: a durable execution's Distributed Map runs its children as child executions (InvokeTask of
//    kind 'map-child', InterpreterOptions.mapChildExecutions); version 4 ran them inline, and
//    executions of version 4 are still replayed that way (REPLAYABLE_ENGINE_VERSIONS).
// 6: the causes of a Wait whose SecondsPath is not a whole number or is negative are AWS's; a
//    filter comparing with an unquoted word fails when evaluated (it was refused at creation).
export const ENGINE_VERSION = 6;

/**
 * Versions this engine replays: 4 differs from 5 only in how Distributed Map children run
 * (mapChildExecutions), 5 from 6 only in two failure causes (a replay that meets one of them
 * regenerates another cause, and is refused by the event check as any divergence is).
 */
const REPLAYABLE_ENGINE_VERSIONS = new Set([4, 5, 6]);

/** Whether an execution of this engine version runs Distributed Map children as executions of their own. */
export function runsMapChildExecutions(recorded: number | undefined): boolean {
  return (recorded ?? UNRECORDED_ENGINE_VERSION) >= 5;
}

/**
 * The version of executions stored before versions were recorded (no `engineVersion`): the
 * engine of that time decides as version 1 does (executions without a seed keep drawing from
 * their ARN-seeded generator, see src/runtime/execution-secrets.ts).
 */
export const UNRECORDED_ENGINE_VERSION = 1;

/**
 * Why an execution started by engine `recorded` cannot be rebuilt by this engine, as the cause
 * to fail it with; undefined when it can be replayed.
 */
export function engineVersionMismatch(recorded: number | undefined): string | undefined {
  const version = recorded ?? UNRECORDED_ENGINE_VERSION;
  if (REPLAYABLE_ENGINE_VERSIONS.has(version)) return undefined;
  return `The execution was started by engine version ${version} and this server runs engine version ${ENGINE_VERSION}, which cannot replay its history.`;
}
