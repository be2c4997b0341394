import { beforeAll, describe, expect, it } from 'vitest';
import { streamConsumers } from '../../functions/catalogue.ts';
import { catalogueFunctions, type FunctionDefinition } from '../../infra/synthesized.ts';
import {
  actionsOf,
  exportNameOf,
  logicalIdOf,
  resourcesOf,
  roleOfFunction,
  type Synthesized,
  singleLogicalId,
  statementsOfRole,
  synthesize,
} from './synth.ts';

/**
 * Rule 15 as deployed: the table's stream feeds each delivery function (e-mail, webhooks) through an
 * event source mapping of its own with the catalogue's filter (the local stack's poller applies the same one), failures go to a
 * dead-letter queue that alarms, and only the functions that e-mail may send, from the deployment's
 * identity only. Also the limit that made the alarms a nested stack: 500 resources per template.
 */

let synth: Synthesized;
let deployed: Record<string, FunctionDefinition>;

beforeAll(() => {
  synth = synthesize({
    context: { emailSender: 'varsel@kommune.example.no', emailIdentity: 'kommune.example.no' },
  });
  deployed = catalogueFunctions(synth.serviceJson);
});

const resourcesOfType = (type: string) =>
  Object.entries(synth.serviceJson.Resources ?? {}).filter(([, resource]) => resource.Type === type);

describe('notification delivery as deployed', () => {
  it("streams the table's new images", () => {
    const table = synth.dataJson.Resources?.[singleLogicalId(synth.dataJson, 'AWS::DynamoDB::Table')];
    expect(table?.Properties?.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  it('has one event source mapping per delivery function', () => {
    const functions = resourcesOfType('AWS::Lambda::EventSourceMapping').map(
      ([, mapping]) => mapping.Properties?.FunctionName,
    );
    expect(functions).toEqual(
      expect.arrayContaining(streamConsumers.map(({ taskId }) => ({ Ref: deployed[taskId]?.logicalId }))),
    );
    expect(functions).toHaveLength(streamConsumers.length);
  });

  it.each(
    streamConsumers,
  )('feeds $taskId from the stream, filtered as the catalogue says, with a DLQ and retries', (consumer) => {
    const [, mapping] = resourcesOfType('AWS::Lambda::EventSourceMapping').find(
      ([, candidate]) =>
        JSON.stringify(candidate.Properties?.FunctionName) ===
        JSON.stringify({ Ref: deployed[consumer.taskId]?.logicalId }),
    )!;
    const properties = mapping.Properties ?? {};
    expect(properties.EventSourceArn).toEqual({
      'Fn::ImportValue': exportNameOf(synth.dataJson, {
        'Fn::GetAtt': [singleLogicalId(synth.dataJson, 'AWS::DynamoDB::Table'), 'StreamArn'],
      }),
    });
    expect(properties.FilterCriteria).toEqual({ Filters: [{ Pattern: JSON.stringify(consumer.filter) }] });
    expect(properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: consumer.batchSize,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
    });
    const queue = logicalIdOf(synth.serviceJson, 'AWS::SQS::Queue', consumer.id);
    expect(properties.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } },
    });
  });

  it.each(streamConsumers)("alarms when a notification lands in $taskId's dead-letter queue", (consumer) => {
    const queue = logicalIdOf(synth.serviceJson, 'AWS::SQS::Queue', consumer.id);
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties ?? {})
      .filter((alarm) => JSON.stringify(alarm.Dimensions).includes(queue));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarms[0]?.AlarmDescription).toMatch(/#notification-delivery-in-the-dead-letter-queue$/);
  });

  it('lets only the e-mailing functions send, from the configured identity, with the configured sender', () => {
    const statementsOf = (fn: FunctionDefinition) =>
      statementsOfRole(synth.serviceJson, roleOfFunction(synth.serviceJson, fn.logicalId));
    const senders = Object.entries(deployed).filter(([, fn]) =>
      actionsOf(statementsOf(fn)).includes('ses:SendEmail'),
    );
    expect(senders.map(([id]) => id).sort()).toEqual(['deliverNotifications', 'retryDelivery']);
    for (const [id, fn] of senders) {
      const sendStatements = statementsOf(fn).filter((statement) =>
        actionsOf([statement]).includes('ses:SendEmail'),
      );
      expect(sendStatements.flatMap(resourcesOf), id).toEqual([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':identity/kommune.example.no',
            ],
          ],
        },
      ]);
      expect(fn.environment.EMAIL_SENDER, id).toBe('varsel@kommune.example.no');
      expect(fn.environment.API_BASE_URL, id).toBeDefined();
    }
  });

  it("keeps every template within CloudFormation's 500 resources", () => {
    for (const template of [synth.dataJson, ...synth.serviceTemplates]) {
      expect(Object.keys(template.Resources ?? {}).length).toBeLessThanOrEqual(500);
    }
  });
});
