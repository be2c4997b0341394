import { CfnOutput, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  httpFunctions,
  reminderSchedule,
  sealSchedule,
  streamConsumers,
  taskFunctions,
  type WorkflowId,
  workflows,
} from '../functions/catalogue.ts';
import type { ScopeNames } from '../functions/shared/deployment-settings.ts';
import { CatalogueFunction } from './constructs/catalogue-function.ts';
import { DailySchedule } from './constructs/daily-schedule.ts';
import { CatalogueHttpApi } from './constructs/http-api.ts';
import { Operations } from './constructs/operations.ts';
import { assertDeployableStarts, type PermissionTargets } from './constructs/permissions.ts';
import { TableStreamConsumer } from './constructs/stream-consumer.ts';
import {
  WorkflowStateMachine,
  workflowConstructId,
  workflowOutputId,
} from './constructs/workflow-state-machine.ts';

export interface ServiceStackProps extends StackProps {
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  /** The service signing key (seals, evidence manifests); `retiredSealKeyArns` stay published. */
  readonly sealKey: kms.IKey;
  readonly retiredSealKeyArns?: readonly string[];
  /** Maskinporten: the issuer and audience every token must name, and where its keys are published. */
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** The issuer's JWKS (Maskinporten's `jwks_uri`, as its `/.well-known/oauth-authorization-server` names it). */
  readonly jwksUri: string;
  /** The names of the scopes in the issuer (Digdir assigns them under the provider's prefix). */
  readonly scopeNames: ScopeNames;
  /** The address notifications are e-mailed from, and the SES identity (its domain or itself) it belongs to. */
  readonly emailSender: string;
  readonly emailIdentity: string;
  /** Subscribed by e-mail to the alarm topic when given; no subscription otherwise. */
  readonly alarmEmail?: string;
  /** Whom integrators ask about this deployment: the OpenAPI document's `info.contact`. */
  readonly apiContactEmail?: string;
}

/**
 * Everything that runs: the catalogue's functions, the HTTP API in front of them, one state machine
 * per catalogue workflow, the daily reminder and seal schedules and the notification bus. Built from
 * `functions/catalogue.ts` alone, so a function or workflow added there is deployed (and run locally)
 * without touching this file.
 */
export class ServiceStack extends Stack {
  readonly api: CatalogueHttpApi;
  readonly notificationBus: events.EventBus;
  readonly stateMachines: ReadonlyMap<WorkflowId, WorkflowStateMachine>;
  readonly functions: ReadonlyMap<string, CatalogueFunction>;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);

    const catalogue = [
      ...taskFunctions.map((definition) => ({ definition, kind: 'task' as const })),
      ...httpFunctions.map((definition) => ({ definition, kind: 'http' as const })),
    ];
    assertDeployableStarts(
      workflows,
      catalogue.map(({ definition }) => definition),
    );

    this.notificationBus = new events.EventBus(this, 'NotificationBus', {
      description: 'Notifications to the parties of data processing agreements',
    });

    const retiredSealKeyArns = props.retiredSealKeyArns ?? [];
    const environment = {
      TABLE_NAME: props.table.tableName,
      EVENT_BUS_NAME: this.notificationBus.eventBusName,
      SEAL_KEY_ARN: props.sealKey.keyArn,
      EMAIL_SENDER: props.emailSender,
      ...(retiredSealKeyArns.length > 0 ? { RETIRED_SEAL_KEY_ARNS: retiredSealKeyArns.join(',') } : {}),
    };
    const targets: PermissionTargets = {
      table: props.table,
      tableKey: props.tableKey,
      notificationBus: this.notificationBus,
      sealKey: props.sealKey,
      retiredSealKeyArns,
      emailIdentityArn: this.formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: props.emailIdentity,
      }),
    };
    // Every HTTP function verifies the caller's token itself (functions/shared/authentication.ts).
    const httpEnvironment = {
      ...environment,
      JWT_ISSUER: props.jwtIssuer,
      JWT_AUDIENCE: props.jwtAudience,
      JWKS_URI: props.jwksUri,
      SCOPE_NAMES: JSON.stringify(props.scopeNames),
    };
    const functions = new Map<string, CatalogueFunction>();
    const functionsScope = new Construct(this, 'Functions');
    for (const { definition, kind } of catalogue) {
      functions.set(
        definition.id,
        new CatalogueFunction(functionsScope, definition.id, {
          definition,
          kind,
          environment: kind === 'http' ? httpEnvironment : environment,
          targets,
        }),
      );
    }
    this.functions = functions;

    // The state machines reference their task functions, so they come after the functions, and the
    // functions' start permissions after them.
    const taskHandlers = new Map(taskFunctions.map(({ id }) => [id, functions.get(id)!.function]));
    this.stateMachines = new Map(
      workflows.map((workflow) => [
        workflow.id,
        new WorkflowStateMachine(this, workflowConstructId(workflow.id), {
          workflow,
          taskFunctions: taskHandlers,
        }),
      ]),
    );
    for (const fn of functions.values()) fn.allowStarting(this.stateMachines);

    const handlerOf = (functionId: string): lambda.IFunction => {
      const fn = functions.get(functionId);
      if (!fn) throw new Error(`No catalogue function ${functionId}`);
      return fn.function;
    };

    // The API's routes (a route, an integration and an invoke permission each) live in a nested stack:
    // with them the service stack passed CloudFormation's 500 resources per template.
    const apiStack = new NestedStack(this, 'HttpApiStack', {
      description: 'Data processing agreements: the HTTP API, its stage and one route per catalogue function',
    });
    this.api = new CatalogueHttpApi(apiStack, 'HttpApi', {
      routes: httpFunctions.map((definition) => ({ definition, handler: handlerOf(definition.id) })),
    });

    // The OpenAPI document tells clients the scope names, where tokens come from and which audience
    // (the scope names and audience are in every HTTP function's environment already).
    const openApi = functions.get('getOpenApi')!.function;
    openApi.addEnvironment('TOKEN_URL', `${props.jwtIssuer.replace(/\/?$/, '/')}token`);
    if (props.apiContactEmail) openApi.addEnvironment('API_CONTACT_EMAIL', props.apiContactEmail);

    // E-mails tell their readers which call to make, so the functions that send them know the API's URL.
    for (const { definition } of catalogue) {
      if (definition.permissions.includes('notifications:email')) {
        functions.get(definition.id)!.function.addEnvironment('API_BASE_URL', this.api.url);
      }
    }
    const deliveries = new Map(
      streamConsumers.map((consumer) => [
        consumer.id,
        new TableStreamConsumer(this, consumer.id, {
          table: props.table,
          handler: handlerOf(consumer.taskId),
          consumer,
        }),
      ]),
    );

    const reminders = new DailySchedule(this, reminderSchedule.id, {
      handler: handlerOf(reminderSchedule.taskId),
      run: reminderSchedule,
    });
    const seals = new DailySchedule(this, sealSchedule.id, {
      handler: handlerOf(sealSchedule.taskId),
      run: sealSchedule,
    });

    // Alarms and the dashboard live in a nested stack: CloudFormation allows 500 resources per stack, and
    // an alarm per function and workflow would take the service stack past it.
    const operationsStack = new NestedStack(this, 'OperationsStack', {
      description: 'Data processing agreements: alarms, alarm topic and dashboard',
    });
    this.operations = new Operations(operationsStack, 'Operations', {
      stateMachines: new Map(
        [...this.stateMachines].map(([workflowId, { stateMachine }]) => [workflowId, stateMachine]),
      ),
      functions: new Map([...functions].map(([functionId, fn]) => [functionId, fn.function])),
      httpApi: this.api.api,
      reminderDeadLetterQueue: reminders.deadLetterQueue,
      sealDeadLetterQueue: seals.deadLetterQueue,
      deliveryDeadLetterQueues: new Map(
        [...deliveries].map(([consumerId, consumer]) => [consumerId, consumer.deadLetterQueue]),
      ),
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'EventBusName', {
      value: this.notificationBus.eventBusName,
      description: 'EventBridge bus carrying notifications for integrations',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.operations.alarmTopic.topicArn,
      description: 'SNS topic every alarm notifies (subscribe on-call to it)',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.operations.dashboard.dashboardName,
      description: 'CloudWatch dashboard: the lifecycle at a glance',
    });
    new CfnOutput(this, 'ReminderFunctionName', {
      value: handlerOf(reminderSchedule.taskId).functionName,
      description: 'The daily reminder run (invoke it to replay a dead-lettered run)',
    });
    new CfnOutput(this, 'ReminderDeadLetterQueueUrl', {
      value: reminders.deadLetterQueue.queueUrl,
      description: "The reminder schedule's dead-letter queue",
    });
    new CfnOutput(this, 'SealFunctionName', {
      value: handlerOf(sealSchedule.taskId).functionName,
      description: 'The daily seal run (invoke it to replay a dead-lettered run)',
    });
    for (const [workflowId, { stateMachine }] of this.stateMachines) {
      new CfnOutput(this, workflowOutputId(workflowId), {
        value: stateMachine.stateMachineArn,
        description: `The ${workflowId} workflow`,
      });
    }
  }
}
