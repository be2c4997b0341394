/**
 * The service's own CloudWatch metrics (embedded metric format): the names the handlers emit and the
 * dashboard and alarms read, kept in one list so that a renamed metric cannot leave an empty graph.
 * No Powertools import here: the CDK app reads this module too.
 */
import { WORKFLOW_IDS } from '../workflow-ids.ts';

/** CloudWatch namespace of every business and health metric of the service. */
export const METRICS_NAMESPACE = 'Databehandleravtaler';

/** Powertools' `service` dimension, carried by every metric, and the `service` key of every log line. */
export const SERVICE_NAME = 'databehandleravtaler';

/** Counts with the `service` dimension only. */
export const ServiceMetric = {
  /** A draft was created (POST /agreements). */
  agreementCreated: 'AgreementsCreated',
  /** The second signature put an agreement in force. */
  agreementEnteredIntoForce: 'AgreementsEnteredIntoForce',
  /** The signature deadline passed without both signatures. */
  agreementExpired: 'AgreementsExpired',
  /** The end of `terminatesOn` came: NOTICE_PERIOD -> TERMINATED. */
  agreementTerminated: 'AgreementsTerminated',
  /** A breach (avvik) was reported to the controller. */
  breachReported: 'BreachesReported',
  /** ... after the agreed number of hours (`reportedLate`). */
  breachReportedLate: 'BreachesReportedLate',
  /** A sub-processor request got no decision within 30 days (silence is never approval). */
  subProcessorRequestExpired: 'SubProcessorRequestsExpired',
  /** Notifications the daily reminder run delivered. */
  remindersSent: 'RemindersSent',
  /** Due reminders the daily run could not send (they stay due; the run is retried). */
  remindersFailed: 'RemindersFailed',
} as const;

/** Counts with one more dimension than `service`, one time series per value. */
export const DimensionedMetric = {
  /** The controller's decision on a sub-processor request, by `decision`. */
  subProcessorDecision: {
    name: 'SubProcessorDecisions',
    dimension: 'decision',
    values: ['APPROVED', 'REJECTED'] as readonly string[],
  },
  /** A workflow gave up and recorded its failure in the history (RecordFailure), by `workflow`. */
  workflowFailure: {
    name: 'WorkflowFailures',
    dimension: 'workflow',
    values: WORKFLOW_IDS as readonly string[],
  },
} as const;

export type DimensionedMetricId = keyof typeof DimensionedMetric;
