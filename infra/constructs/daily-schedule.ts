import { Duration, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduleTargetBase, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DailyRun } from '../../functions/catalogue.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface DailyScheduleProps {
  readonly handler: lambda.IFunction;
  /** The run as the catalogue gives it: local wall-clock time and what it does. */
  readonly run: DailyRun;
}

/**
 * Invokes one function, and only its unqualified ARN: the stock LambdaInvoke target grants every
 * version and alias as well (`<arn>:*`).
 */
class InvokeFunction extends ScheduleTargetBase {
  constructor(
    private readonly handler: lambda.IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(props, handler.functionArn);
  }

  protected addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.handler.functionArn] }),
    );
  }
}

/**
 * A daily run (reminders, seals) on EventBridge Scheduler, in local time (Europe/Oslo follows daylight
 * saving time, which a UTC cron would not). Failed invocations are retried, then kept in a DLQ.
 */
export class DailySchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DailyScheduleProps) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(
      this,
      "a daily schedule's dead-letter queue (EventBridge Scheduler DeadLetterConfig, which the rule does not recognise), holding undelivered runs",
    );

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: props.run.description,
      schedule: scheduler.ScheduleExpression.cron({
        minute: String(props.run.minute),
        hour: String(props.run.hour),
        timeZone: TimeZone.of(props.run.timeZone),
      }),
      target: new InvokeFunction(props.handler, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
        // The run's nominal time, so a retried run still sends the reminders due on that day.
        input: scheduler.ScheduleTargetInput.fromObject({
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
      }),
    });
  }
}
