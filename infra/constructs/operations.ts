import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowId } from '../../functions/catalogue.ts';
import {
  DimensionedMetric,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  ServiceMetric,
} from '../../functions/shared/service-metrics.ts';

export interface OperationsProps {
  /** The state machine of each catalogue workflow. */
  readonly stateMachines: ReadonlyMap<WorkflowId, sfn.IStateMachine>;
  /** Every catalogue function, by catalogue id. */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  readonly httpApi: apigw.IHttpApi;
  /** The daily reminder run's dead-letter queue (EventBridge Scheduler). */
  readonly reminderDeadLetterQueue: sqs.IQueue;
  /** The daily seal run's dead-letter queue (EventBridge Scheduler). */
  readonly sealDeadLetterQueue: sqs.IQueue;
  /** Stream records of notifications the delivery function could not handle (its event source's DLQ). */
  readonly deliveryDeadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** Subscribed to the alarm topic by e-mail when given (`-c alarmEmail=...`); none otherwise. */
  readonly alarmEmail?: string;
}

/** Where the runbook explains each alarm; in every alarm's description. */
const RUNBOOK = 'docs/operations.md';

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What the people who run the service watch: one encrypted SNS topic every alarm notifies (on ALARM
 * and on OK), alarms on what needs a person (a workflow that failed, timed out or was aborted; a
 * function error or throttle; a reminder run in the dead-letter queue; a 5xx from the API), and one
 * dashboard with the agreements' lifecycle at a glance.
 *
 * Lambda errors and throttles are alarmed per function: the alarm then names the route or workflow
 * step that fails, which is the first thing the runbook asks. An aggregate is not to be had cleanly:
 * an alarm's metric math takes at most 10 metrics (the catalogue has dozens of functions), and the
 * account-wide Lambda metrics would count other workloads in the same account.
 */
export class Operations extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly notify: actions.SnsAction;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);

    this.alarmTopic = this.encryptedAlarmTopic();
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    this.notify = new actions.SnsAction(this.alarmTopic);

    const alarms = new Construct(this, 'Alarms');
    for (const [workflowId, stateMachine] of props.stateMachines) {
      const name = pascalCase(workflowId);
      const where = `the ${workflowId} workflow`;
      this.alarm(alarms, `${name}ExecutionsFailed`, {
        metric: stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `An execution of ${where} failed (a task failed after its retries and the failure was recorded, or recording it failed too).`,
        runbookSection: 'workflow-executions-failed-timed-out-or-aborted',
      });
      this.alarm(alarms, `${name}ExecutionsTimedOut`, {
        metric: stateMachine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `An execution of ${where} timed out.`,
        runbookSection: 'workflow-executions-failed-timed-out-or-aborted',
      });
      this.alarm(alarms, `${name}ExecutionsAborted`, {
        metric: stateMachine.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `An execution of ${where} was stopped (StopExecution): the agreement's workflow no longer runs.`,
        runbookSection: 'workflow-executions-failed-timed-out-or-aborted',
      });
    }

    for (const [functionId, fn] of props.functions) {
      this.alarm(alarms, `${functionId}Errors`, {
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `The ${functionId} function failed (an uncaught error, a timeout or running out of memory).`,
        runbookSection: 'lambda-errors',
      });
      this.alarm(alarms, `${functionId}Throttles`, {
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `Invocations of the ${functionId} function were throttled (concurrency exhausted).`,
        runbookSection: 'lambda-throttles',
      });
    }

    this.alarm(alarms, 'ReminderRunDeadLettered', {
      metric: props.reminderDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        "A daily reminder run is in the schedule's dead-letter queue: it failed after all retries, and that day's reminders and safety nets may not have run.",
      runbookSection: 'reminder-run-in-the-dead-letter-queue',
    });

    this.alarm(alarms, 'SealRunDeadLettered', {
      metric: props.sealDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        "A daily seal run is in the schedule's dead-letter queue: it failed after all retries, and the entries written since the last run are not sealed until a run succeeds.",
      runbookSection: 'seal-run-in-the-dead-letter-queue',
    });

    for (const [consumerId, queue] of props.deliveryDeadLetterQueues) {
      this.alarm(alarms, `${consumerId}DeadLettered`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Notifications the ${consumerId} function could not handle after all retries are described in its dead-letter queue: they are in the outbox (GET /notifications) but were not delivered on its channel.`,
        runbookSection: 'notification-delivery-in-the-dead-letter-queue',
      });
    }

    this.alarm(alarms, 'ApiServerErrors', {
      metric: props.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      description: 'The HTTP API answered 5xx: the service promises none, whatever the input.',
      runbookSection: 'api-5xx',
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: this.lifecycleAtAGlance(props),
    });
  }

  /**
   * A customer-managed key (the AWS managed SNS key does not let CloudWatch encrypt), usable by
   * CloudWatch alarms of this account only, and a topic that refuses unencrypted transport.
   */
  private encryptedAlarmTopic(): sns.Topic {
    const stack = Stack.of(this);
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
      },
    };
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm notifications of the data processing agreements service',
      enableKeyRotation: true,
      // It protects notifications in flight only; nothing of lasting value is encrypted with it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsEncryptNotifications',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: fromOurAlarms,
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Databehandleravtaler alarms',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    return topic;
  }

  private alarm(
    scope: Construct,
    id: string,
    options: {
      metric: cloudwatch.IMetric;
      description: string;
      runbookSection: string;
      threshold?: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: options.metric,
      threshold: options.threshold ?? 1,
      comparisonOperator:
        options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No data means nothing happened: no execution, no invocation, an empty queue.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${options.description} What to do: ${RUNBOOK}#${options.runbookSection}`,
    });
    alarm.addAlarmAction(this.notify);
    alarm.addOkAction(this.notify);
    this.alarms.push(alarm);
    return alarm;
  }

  private lifecycleAtAGlance(props: OperationsProps): cloudwatch.IWidget[][] {
    const daily = { period: Duration.days(1), statistic: 'Sum' };
    const hourly = { period: Duration.hours(1), statistic: 'Sum' };
    const business = (metricName: string, label: string, dimensions: Record<string, string> = {}) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME, ...dimensions },
        label,
        ...daily,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    const { subProcessorDecision, workflowFailure } = DimensionedMetric;
    const functions = [...props.functions];

    return [
      [
        new cloudwatch.TextWidget({
          markdown: [
            '# Databehandleravtaler: the lifecycle at a glance',
            `Business counts per day (UTC) from the handlers (namespace \`${METRICS_NAMESPACE}\`), workflow executions, the API and the functions. Every alarm notifies the alarm topic; what each means and what to do is in \`${RUNBOOK}\`.`,
          ].join('\n\n'),
          width: 24,
          height: 2,
        }),
      ],
      chunks(this.alarms, 100).map(
        (alarms, index) =>
          new cloudwatch.AlarmStatusWidget({
            title: index === 0 ? 'Alarms' : `Alarms (${index + 1})`,
            alarms,
            width: 24,
            height: 6,
          }),
      ),
      [
        graph('Agreements', [
          business(ServiceMetric.agreementCreated, 'Created'),
          business(ServiceMetric.agreementEnteredIntoForce, 'Entered into force'),
          business(ServiceMetric.agreementExpired, 'Expired (not signed in time)'),
          business(ServiceMetric.agreementTerminated, 'Terminated'),
        ]),
        graph('Breaches (avvik)', [
          business(ServiceMetric.breachReported, 'Reported'),
          business(ServiceMetric.breachReportedLate, 'Reported late'),
        ]),
        graph('Sub-processors', [
          ...subProcessorDecision.values.map((decision) =>
            business(subProcessorDecision.name, decision, { [subProcessorDecision.dimension]: decision }),
          ),
          business(ServiceMetric.subProcessorRequestExpired, 'Expired without a decision'),
        ]),
      ],
      [...props.stateMachines].map(([workflowId, stateMachine]) =>
        graph(`Workflow ${workflowId}: executions`, [
          stateMachine.metricStarted({ ...hourly, label: 'Started' }),
          stateMachine.metricSucceeded({ ...hourly, label: 'Succeeded' }),
          stateMachine.metricFailed({ ...hourly, label: 'Failed' }),
          stateMachine.metricTimedOut({ ...hourly, label: 'Timed out' }),
          stateMachine.metricAborted({ ...hourly, label: 'Aborted' }),
        ]),
      ),
      [
        graph(
          'Workflow failures recorded in the history',
          workflowFailure.values.map((workflow) =>
            business(workflowFailure.name, workflow, { [workflowFailure.dimension]: workflow }),
          ),
        ),
        graph(
          'Daily reminder run',
          [
            business(ServiceMetric.remindersSent, 'Reminders sent'),
            business(ServiceMetric.remindersFailed, 'Reminders failed'),
          ],
          [
            props.reminderDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: Duration.hours(1),
              statistic: 'Maximum',
              label: 'Runs in the dead-letter queue',
            }),
          ],
        ),
        graph(
          'API requests',
          [
            props.httpApi.metricCount({ ...hourly, label: 'Requests' }),
            props.httpApi.metricClientError({ ...hourly, label: '4xx' }),
          ],
          [props.httpApi.metricServerError({ ...hourly, label: '5xx' })],
        ),
      ],
      [
        graph(
          'API latency (ms)',
          ['p50', 'p90', 'p99'].map((statistic) =>
            props.httpApi.metricLatency({ period: Duration.hours(1), statistic, label: statistic }),
          ),
        ),
        graph(
          'Function errors',
          functions.map(([functionId, fn]) => fn.metricErrors({ ...hourly, label: functionId })),
        ),
        graph(
          'Function throttles',
          functions.map(([functionId, fn]) => fn.metricThrottles({ ...hourly, label: functionId })),
        ),
      ],
    ];
  }
}

const pascalCase = (camelCase: string): string => camelCase.charAt(0).toUpperCase() + camelCase.slice(1);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
