import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue: encrypted, TLS only, kept 14 days. It has no DLQ of its own (cdk-nag's
 * AwsSolutions-SQS3); `holds` says what lands in it, which is why one more queue would only move it
 * one queue further.
 */
export function deadLetterQueue(scope: Construct, holds: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is ${holds}; a DLQ for it would only move them one queue further.`,
  });
  return queue;
}
