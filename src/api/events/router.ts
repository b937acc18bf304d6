/**
 * The AWSEvents actions Stepwise serves, by name. Every other action answers
 * UnknownOperationException saying it is not implemented, rather than pretending.
 */
import type { EventsContext, Request } from './request.js';
import { createApiDestination, deleteApiDestination, describeApiDestination, listApiDestinations } from './api-destinations.js';
import { createConnection, deleteConnection, describeConnection, listConnections } from './connections.js';
import { deleteRule } from './delete-rule.js';
import { describeRule } from './describe-rule.js';
import { describeEventBus, listEventBuses } from './event-buses.js';
import { listRuleNamesByTarget } from './list-rule-names-by-target.js';
import { listRules } from './list-rules.js';
import { listTargetsByRule } from './list-targets-by-rule.js';
import { putEvents } from './put-events.js';
import { putRule } from './put-rule.js';
import { putTargets } from './put-targets.js';
import { removeTargets } from './remove-targets.js';
import { disableRule, enableRule } from './rule-state.js';

type Action = (events: EventsContext, request: Request) => Promise<unknown>;

export const EVENTS_ACTIONS: Readonly<Record<string, Action>> = {
  PutEvents: putEvents,
  PutRule: putRule,
  DescribeRule: describeRule,
  DeleteRule: deleteRule,
  ListRules: listRules,
  EnableRule: enableRule,
  DisableRule: disableRule,
  PutTargets: putTargets,
  RemoveTargets: removeTargets,
  ListTargetsByRule: listTargetsByRule,
  ListRuleNamesByTarget: listRuleNamesByTarget,
  ListEventBuses: listEventBuses,
  DescribeEventBus: describeEventBus,
  CreateConnection: createConnection,
  DescribeConnection: describeConnection,
  DeleteConnection: deleteConnection,
  ListConnections: listConnections,
  CreateApiDestination: createApiDestination,
  DescribeApiDestination: describeApiDestination,
  DeleteApiDestination: deleteApiDestination,
  ListApiDestinations: listApiDestinations,
};
