/**
 * The service's own CloudWatch metrics (embedded metric format): the names the handlers emit and the
 * dashboard and alarms read, kept in one list so that a renamed metric cannot leave an empty graph.
 * No Powertools import here: the CDK app reads this module too.
 */

/** CloudWatch namespace of every business and health metric of the service. */
export const METRICS_NAMESPACE = 'Databehandleravtaler';

/** Powertools' `service` dimension, carried by every metric, and the `service` key of every log line. */
export const SERVICE_NAME = 'databehandleravtaler';
