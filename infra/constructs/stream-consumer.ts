import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamConsumer } from '../../functions/catalogue.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface TableStreamConsumerProps {
  readonly table: dynamodb.ITable;
  readonly handler: lambda.IFunction;
  /** The consumer as the catalogue gives it: the filter the local stack's poller applies too. */
  readonly consumer: StreamConsumer;
}

/**
 * Feeds one function from the table's stream (NEW_IMAGE), filtered as the catalogue says, so that
 * only the records it handles are ever invoked (and billed). A batch that fails is split in two until
 * the failing record is alone (the function reports it as a batch item failure), retried, and after
 * the last retry described in a dead-letter queue: the notification itself stays in the table.
 */
export class TableStreamConsumer extends Construct {
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TableStreamConsumerProps) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(
      this,
      "the stream consumer's on-failure destination (it receives descriptions of stream records the function could not handle)",
    );

    props.handler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: props.consumer.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        parallelizationFactor: 2,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [lambda.FilterCriteria.filter(props.consumer.filter as Record<string, unknown>)],
      }),
    );
  }
}
