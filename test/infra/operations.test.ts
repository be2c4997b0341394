import { readFileSync } from 'node:fs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  httpFunctions,
  reminderSchedule,
  sealSchedule,
  taskFunctions,
  workflows,
} from '../../functions/catalogue.ts';
import {
  DimensionedMetric,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  ServiceMetric,
} from '../../functions/shared/service-metrics.ts';
import { BUNDLING_STACKS_CONTEXT, buildApp } from '../../infra/build-app.ts';
import {
  type CfnResourceJson,
  catalogueFunctions,
  type FunctionDefinition,
  type WorkflowDefinition,
  workflowDefinitions,
} from '../../infra/synthesized.ts';
import { logicalIdOf, type Synthesized, singleLogicalId, synthesize } from './synth.ts';

const ON_CALL = 'vakt@example.kommune.no';

let synth: Synthesized;
let topic: string;
let deployedWorkflows: Record<string, WorkflowDefinition>;
let deployedFunctions: Record<string, FunctionDefinition>;

beforeAll(() => {
  synth = synthesize({ cached: true });
  topic = singleLogicalId(synth.serviceJson, 'AWS::SNS::Topic');
  deployedWorkflows = workflowDefinitions(synth.serviceJson);
  deployedFunctions = catalogueFunctions(synth.serviceJson);
});

const resourcesOfType = (type: string, template = synth.serviceJson): [string, CfnResourceJson][] =>
  Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);

const alarms = () => resourcesOfType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});

/** The alarms on one metric of one resource (by the dimension that names it). */
const alarmsOn = (namespace: string, metricName: string, dimension: { Name: string; Value: unknown }) =>
  alarms().filter(
    (alarm) =>
      alarm.Namespace === namespace &&
      alarm.MetricName === metricName &&
      JSON.stringify(alarm.Dimensions) === JSON.stringify([dimension]),
  );

const notifiesTheTopic = {
  AlarmActions: [{ Ref: expect.stringMatching(/^OperationsAlarmTopic/) }],
  OKActions: [{ Ref: expect.stringMatching(/^OperationsAlarmTopic/) }],
};

describe('the alarm topic', () => {
  it('is encrypted with a rotating customer-managed key that CloudWatch alarms of this account may use', () => {
    const properties = synth.serviceJson.Resources?.[topic]?.Properties ?? {};
    const keyId = (properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = synth.serviceJson.Resources?.[keyId];

    expect(key?.Type).toBe('AWS::KMS::Key');
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    const statements = (key?.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: expect.objectContaining({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        }),
      }),
    );
  });

  it('lets CloudWatch alarms of this account publish, and refuses requests without TLS', () => {
    const [[, policy] = []] = resourcesOfType('AWS::SNS::TopicPolicy');
    const statements = (policy?.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;

    expect(policy?.Properties?.Topics).toEqual([{ Ref: topic }]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: expect.objectContaining({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        }),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('has no subscription unless the deployment names an e-mail address', () => {
    expect(resourcesOfType('AWS::SNS::Subscription')).toEqual([]);
  });

  it('gets an e-mail subscription with -c alarmEmail=...', () => {
    // The construct tree is enough here: no second synthesis of the whole app.
    const { serviceStack } = buildApp({
      context: { alarmEmail: ON_CALL, [BUNDLING_STACKS_CONTEXT]: [] },
      nag: false,
    });
    const subscriptions = serviceStack.node.findAll().filter((c) => c instanceof sns.CfnSubscription);
    expect(
      subscriptions.map(({ protocol, endpoint, topicArn }) => ({ protocol, endpoint, topicArn })),
    ).toEqual([
      { protocol: 'email', endpoint: ON_CALL, topicArn: serviceStack.operations.alarmTopic.topicArn },
    ]);
  });

  it('refuses an alarmEmail that is not one e-mail address', () => {
    for (const alarmEmail of ['vakt', 'a@example.no,b@example.no']) {
      expect(() => buildApp({ context: { alarmEmail, [BUNDLING_STACKS_CONTEXT]: [] }, nag: false })).toThrow(
        /alarmEmail/,
      );
    }
  });

  it('is named in the outputs, with the dashboard, the reminder run and its dead-letter queue', () => {
    const outputs = synth.serviceJson.Outputs as Record<string, { Value: unknown }>;
    const reminderFunction = deployedFunctions[reminderSchedule.taskId]?.logicalId;

    expect(outputs.AlarmTopicArn?.Value).toEqual({ Ref: topic });
    expect(outputs.DashboardName?.Value).toEqual({
      Ref: singleLogicalId(synth.serviceJson, 'AWS::CloudWatch::Dashboard'),
    });
    expect(outputs.ReminderFunctionName?.Value).toEqual({ Ref: reminderFunction });
    expect(outputs.ReminderDeadLetterQueueUrl?.Value).toEqual({
      Ref: logicalIdOf(synth.serviceJson, 'AWS::SQS::Queue', reminderSchedule.id),
    });
    expect(outputs.SealFunctionName?.Value).toEqual({
      Ref: deployedFunctions[sealSchedule.taskId]?.logicalId,
    });
  });
});

describe('the alarms', () => {
  it('all notify the alarm topic, on ALARM and on OK, and point to the runbook', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      expect(alarm).toMatchObject({ ...notifiesTheTopic, TreatMissingData: 'notBreaching' });
      expect(alarm.AlarmDescription).toMatch(/docs\/operations\.md#[a-z0-9-]+$/);
    }
  });

  it('each name a section of the runbook that exists', () => {
    const runbook = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading]) =>
        heading!
          .toLowerCase()
          .replace(/[^\p{L}\p{N} -]/gu, '')
          .replace(/ /g, '-'),
      ),
    );
    const linked = new Set(alarms().map((alarm) => String(alarm.AlarmDescription).split('#')[1]));
    expect([...linked].filter((anchor) => !anchors.has(anchor!))).toEqual([]);
  });

  describe.each(workflows.map(({ id }) => [id]))('of the %s state machine', (workflowId) => {
    it.each([
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ])('include one on %s from the first execution', (metricName) => {
      const stateMachine = { Ref: deployedWorkflows[workflowId]?.logicalId };
      expect(alarmsOn('AWS/States', metricName, { Name: 'StateMachineArn', Value: stateMachine })).toEqual([
        expect.objectContaining({
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
          ...notifiesTheTopic,
        }),
      ]);
    });
  });

  it.each(
    [...httpFunctions, ...taskFunctions].map(({ id }) => [id]),
  )('include errors and throttles of the %s function', (functionId) => {
    const fn = { Name: 'FunctionName', Value: { Ref: deployedFunctions[functionId]?.logicalId } };
    for (const metricName of ['Errors', 'Throttles']) {
      expect(alarmsOn('AWS/Lambda', metricName, fn)).toEqual([
        expect.objectContaining({
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ]);
    }
  });

  it("include the reminder schedule's dead-letter queue holding any message", () => {
    const queue = {
      'Fn::GetAtt': [logicalIdOf(synth.serviceJson, 'AWS::SQS::Queue', reminderSchedule.id), 'QueueName'],
    };
    expect(
      alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: queue }),
    ).toEqual([
      expect.objectContaining({
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        ...notifiesTheTopic,
      }),
    ]);
  });

  it('include any 5xx of the HTTP API', () => {
    const api = { Ref: singleLogicalId(synth.serviceJson, 'AWS::ApiGatewayV2::Api') };
    expect(alarmsOn('AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: api })).toEqual([
      expect.objectContaining({
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        ...notifiesTheTopic,
      }),
    ]);
  });
});

describe('the dashboard', () => {
  interface Widget {
    type: string;
    properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; markdown?: string };
  }
  let widgets: Widget[];

  beforeAll(() => {
    widgets = (JSON.parse(dashboardBody(synth)) as { widgets: Widget[] }).widgets;
  });

  /** Every metric of every graph, as `metricKey` writes it. */
  const graphed = () =>
    widgets.flatMap((widget) =>
      (widget.properties.metrics ?? []).map((metric) => {
        const [namespace, name, ...pairs] = metric.filter((part): part is string => typeof part === 'string');
        const dimensions: Record<string, string> = {};
        for (let index = 0; index < pairs.length; index += 2) dimensions[pairs[index]!] = pairs[index + 1]!;
        return metricKey(namespace!, name!, dimensions);
      }),
    );

  it('is one dashboard', () => {
    expect(resourcesOfType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });

  it('shows every business metric the handlers emit, by the dimensions they emit it with', () => {
    for (const name of Object.values(ServiceMetric)) {
      expect(graphed()).toContain(metricKey(METRICS_NAMESPACE, name, { service: SERVICE_NAME }));
    }
    for (const { name, dimension, values } of Object.values(DimensionedMetric)) {
      for (const value of values) {
        expect(graphed()).toContain(
          metricKey(METRICS_NAMESPACE, name, { service: SERVICE_NAME, [dimension]: value }),
        );
      }
    }
  });

  it('shows the executions of every state machine, started to aborted', () => {
    for (const { id } of workflows) {
      const arn = `REF:${deployedWorkflows[id]?.logicalId}`;
      for (const metric of [
        'ExecutionsStarted',
        'ExecutionsSucceeded',
        'ExecutionsFailed',
        'ExecutionsTimedOut',
        'ExecutionsAborted',
      ]) {
        expect(graphed()).toContain(metricKey('AWS/States', metric, { StateMachineArn: arn }));
      }
    }
  });

  it('shows the API requests, 4xx, 5xx and latency, and every function errors and throttles', () => {
    const api = `REF:${singleLogicalId(synth.serviceJson, 'AWS::ApiGatewayV2::Api')}`;
    for (const metric of ['Count', '4xx', '5xx', 'Latency']) {
      expect(graphed()).toContain(metricKey('AWS/ApiGateway', metric, { ApiId: api }));
    }
    for (const fn of Object.values(deployedFunctions)) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(graphed()).toContain(metricKey('AWS/Lambda', metric, { FunctionName: `REF:${fn.logicalId}` }));
      }
    }
  });

  it('shows the state of every alarm', () => {
    const shown = widgets.flatMap((widget) => widget.properties.alarms ?? []);
    const alarmIds = resourcesOfType('AWS::CloudWatch::Alarm').map(
      ([logicalId]) => `GETATT:${logicalId}.Arn`,
    );
    expect(shown.sort()).toEqual(alarmIds.sort());
  });
});

/** A metric as one string: namespace, name and its dimensions in name order (as CloudWatch matches them). */
function metricKey(namespace: string, name: string, dimensions: Record<string, string>): string {
  const pairs = Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`);
  return [namespace, name, ...pairs].join(' ');
}

/**
 * The dashboard body as JSON: CloudFormation joins it from strings and references, which are written
 * here as `REF:<logicalId>` and `GETATT:<logicalId>.<attribute>` (regions and partitions as `AWS::...`).
 */
function dashboardBody(synthesized: Synthesized): string {
  const [[, dashboard] = []] = resourcesOfType('AWS::CloudWatch::Dashboard', synthesized.serviceJson);
  const body = dashboard?.Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] } | string;
  if (typeof body === 'string') return body;
  const [separator, parts] = body['Fn::Join'];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref, 'Fn::GetAtt': getAtt } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (Ref) return Ref.startsWith('AWS::') ? Ref : `REF:${Ref}`;
      if (getAtt) return `GETATT:${getAtt[0]}.${getAtt[1]}`;
      throw new Error(`Unexpected part of the dashboard body: ${JSON.stringify(part)}`);
    })
    .join(separator);
}
