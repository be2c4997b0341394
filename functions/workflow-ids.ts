/**
 * The catalogue's workflows by id, apart from the catalogue itself: the metrics every function can
 * emit (a workflow's failure, by workflow) need the ids, and a function that imported the catalogue for
 * them would carry every route, task and state machine of it in its bundle.
 */
export const WORKFLOW_IDS = [
  'signing',
  'termination',
  'subProcessorApproval',
  'amendment',
  'notificationDelivery',
  'breachDeadline',
] as const;

export type WorkflowId = (typeof WORKFLOW_IDS)[number];
