/** Every action of the Step Functions API, by the name X-Amz-Target carries after the prefix. */
import type { Operation } from './operation.js';
import { createActivity } from './create-activity.js';
import { createStateMachine } from './create-state-machine.js';
import { createStateMachineAlias } from './create-state-machine-alias.js';
import { deleteActivity } from './delete-activity.js';
import { deleteStateMachine } from './delete-state-machine.js';
import { deleteStateMachineAlias } from './delete-state-machine-alias.js';
import { deleteStateMachineVersion } from './delete-state-machine-version.js';
import { describeActivity } from './describe-activity.js';
import { describeExecution } from './describe-execution.js';
import { describeMapRun } from './describe-map-run.js';
import { describeStateMachine } from './describe-state-machine.js';
import { describeStateMachineAlias } from './describe-state-machine-alias.js';
import { describeStateMachineForExecution } from './describe-state-machine-for-execution.js';
import { getActivityTask } from './get-activity-task.js';
import { getExecutionHistory } from './get-execution-history.js';
import { listActivities } from './list-activities.js';
import { listExecutions } from './list-executions.js';
import { listMapRuns } from './list-map-runs.js';
import { listStateMachineAliases } from './list-state-machine-aliases.js';
import { listStateMachineVersions } from './list-state-machine-versions.js';
import { listStateMachines } from './list-state-machines.js';
import { listTagsForResource } from './list-tags-for-resource.js';
import { publishStateMachineVersion } from './publish-state-machine-version.js';
import { redriveExecution } from './redrive-execution.js';
import { sendTaskFailure } from './send-task-failure.js';
import { sendTaskHeartbeat } from './send-task-heartbeat.js';
import { sendTaskSuccess } from './send-task-success.js';
import { startExecution } from './start-execution.js';
import { startSyncExecution } from './start-sync-execution.js';
import { stopExecution } from './stop-execution.js';
import { tagResource } from './tag-resource.js';
import { testState } from './test-state.js';
import { untagResource } from './untag-resource.js';
import { updateMapRun } from './update-map-run.js';
import { updateStateMachine } from './update-state-machine.js';
import { updateStateMachineAlias } from './update-state-machine-alias.js';
import { validateStateMachineDefinition } from './validate-state-machine-definition.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const operations: Readonly<Record<string, Operation<any>>> = {
  CreateActivity: createActivity,
  CreateStateMachine: createStateMachine,
  CreateStateMachineAlias: createStateMachineAlias,
  DeleteActivity: deleteActivity,
  DeleteStateMachine: deleteStateMachine,
  DeleteStateMachineAlias: deleteStateMachineAlias,
  DeleteStateMachineVersion: deleteStateMachineVersion,
  DescribeActivity: describeActivity,
  DescribeExecution: describeExecution,
  DescribeMapRun: describeMapRun,
  DescribeStateMachine: describeStateMachine,
  DescribeStateMachineAlias: describeStateMachineAlias,
  DescribeStateMachineForExecution: describeStateMachineForExecution,
  GetActivityTask: getActivityTask,
  GetExecutionHistory: getExecutionHistory,
  ListActivities: listActivities,
  ListExecutions: listExecutions,
  ListMapRuns: listMapRuns,
  ListStateMachineAliases: listStateMachineAliases,
  ListStateMachineVersions: listStateMachineVersions,
  ListStateMachines: listStateMachines,
  ListTagsForResource: listTagsForResource,
  PublishStateMachineVersion: publishStateMachineVersion,
  RedriveExecution: redriveExecution,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
  SendTaskSuccess: sendTaskSuccess,
  StartExecution: startExecution,
  StartSyncExecution: startSyncExecution,
  StopExecution: stopExecution,
  TagResource: tagResource,
  TestState: testState,
  UntagResource: untagResource,
  UpdateMapRun: updateMapRun,
  UpdateStateMachine: updateStateMachine,
  UpdateStateMachineAlias: updateStateMachineAlias,
  ValidateStateMachineDefinition: validateStateMachineDefinition,
};
