/**
 * API rate limits as AWS applies them: one token bucket per action, each request takes a token,
 * the bucket refills at a steady rate, and a request that finds it empty is refused with
 * ThrottlingException ("Rate exceeded", HTTP 400) before it does anything. Off by default;
 * `--api-rate-limits aws` gives AWS's buckets.
 */
import { throttling } from './aws-errors.js';
import type { ApiContext, ApiRateLimits, RateLimit } from './context.js';

/**
 * AWS's buckets, from "Quotas related to API action throttling" (Step Functions developer
 * guide): [bucket size, refill per second] in US East (N. Virginia), US West (Oregon) and Europe
 * (Ireland), then in all other regions. Actions AWS lists no bucket for are not throttled.
 * StartExecution's bucket is the Standard workflows' one (Express has 6,000/6,000), and
 * StartSyncExecution does not count against these quotas.
 */
const AWS_BUCKETS: Readonly<Record<string, readonly [large: RateLimitPair, other: RateLimitPair]>> = {
  CreateActivity: [[100, 1], [100, 1]],
  CreateStateMachine: [[100, 1], [100, 1]],
  DeleteActivity: [[100, 1], [100, 1]],
  DeleteStateMachine: [[100, 1], [100, 1]],
  DescribeActivity: [[200, 1], [200, 1]],
  DescribeExecution: [[300, 15], [250, 10]],
  DescribeStateMachine: [[200, 20], [200, 20]],
  DescribeStateMachineForExecution: [[200, 1], [200, 1]],
  GetActivityTask: [[3_000, 500], [1_500, 300]],
  GetExecutionHistory: [[400, 20], [400, 20]],
  ListActivities: [[100, 10], [100, 5]],
  ListExecutions: [[200, 5], [100, 2]],
  ListStateMachines: [[100, 5], [100, 5]],
  ListTagsForResource: [[100, 1], [100, 1]],
  SendTaskFailure: [[3_000, 500], [1_500, 300]],
  SendTaskHeartbeat: [[3_000, 500], [1_500, 300]],
  SendTaskSuccess: [[3_000, 500], [1_500, 300]],
  StartExecution: [[1_300, 300], [800, 150]],
  StopExecution: [[1_000, 200], [500, 25]],
  TagResource: [[200, 1], [200, 1]],
  UntagResource: [[200, 1], [200, 1]],
  UpdateStateMachine: [[100, 1], [100, 1]],
};
type RateLimitPair = readonly [bucket: number, refillPerSecond: number];

const LARGE_REGIONS = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);

/** AWS's token buckets for the actions it throttles, in `region`. */
export function awsRateLimits(region: string): ApiRateLimits {
  const column = LARGE_REGIONS.has(region) ? 0 : 1;
  const limits: Record<string, RateLimit> = {};
  for (const [action, pairs] of Object.entries(AWS_BUCKETS)) {
    const [bucket, refillPerSecond] = pairs[column];
    limits[action] = { bucket, refillPerSecond };
  }
  return limits;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The buckets of each context (one API, one account). */
const bucketsOf = new WeakMap<ApiContext, Map<string, Bucket>>();

/** Takes a token for `action`, or throws ThrottlingException when its bucket is empty. */
export function throttle(ctx: ApiContext, action: string): void {
  const limit = ctx.config.limits.apiRateLimits[action];
  if (!limit) return;
  let buckets = bucketsOf.get(ctx);
  if (!buckets) bucketsOf.set(ctx, (buckets = new Map()));
  const now = ctx.clock.now();
  let bucket = buckets.get(action);
  if (!bucket) buckets.set(action, (bucket = { tokens: limit.bucket, at: now }));
  bucket.tokens = Math.min(limit.bucket, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * limit.refillPerSecond);
  bucket.at = now;
  if (bucket.tokens < 1) throw throttling();
  bucket.tokens -= 1;
}
