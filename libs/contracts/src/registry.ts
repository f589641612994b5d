import { createRegistry } from '@bufbuild/protobuf';
import { file_cohort_v1_commands } from './gen/cohort/v1/commands_pb.js';
import { file_cohort_v1_common } from './gen/cohort/v1/common_pb.js';
import { file_cohort_v1_envelope } from './gen/cohort/v1/envelope_pb.js';
import { file_cohort_v1_repo_events } from './gen/cohort/v1/repo_events_pb.js';
import { file_cohort_v1_task_events } from './gen/cohort/v1/task_events_pb.js';

/** Every Cohort message type, for resolving `google.protobuf.Any` in JSON. */
export const cohortRegistry = createRegistry(
  file_cohort_v1_common,
  file_cohort_v1_envelope,
  file_cohort_v1_task_events,
  file_cohort_v1_repo_events,
  file_cohort_v1_commands,
);
