import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { httpFunctions, reminderSchedule, taskFunctions, workflows } from '../functions/catalogue.ts';
import { CatalogueFunction } from './constructs/catalogue-function.ts';
import { CatalogueHttpApi } from './constructs/http-api.ts';
import { needsStateMachine, type PermissionTargets } from './constructs/permissions.ts';
import { ReminderSchedule } from './constructs/reminder-schedule.ts';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.ts';

export interface ServiceStackProps extends StackProps {
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
}

/**
 * Everything that runs: the catalogue's functions, the HTTP API in front of them, the signing
 * workflow, the daily reminder schedule and the notification bus. Built from `functions/catalogue.ts`
 * alone, so a function added there is deployed (and run locally) without touching this file.
 */
export class ServiceStack extends Stack {
  readonly api: CatalogueHttpApi;
  readonly notificationBus: events.EventBus;
  readonly signingStateMachine: WorkflowStateMachine;
  readonly functions: ReadonlyMap<string, CatalogueFunction>;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);

    const signingWorkflow = workflows.find((workflow) => workflow.id === 'signing');
    if (!signingWorkflow) throw new Error('The catalogue has no signing workflow');

    this.notificationBus = new events.EventBus(this, 'NotificationBus', {
      description: 'Notifications to the parties of data processing agreements',
    });

    const baseEnvironment = {
      TABLE_NAME: props.table.tableName,
      EVENT_BUS_NAME: this.notificationBus.eventBusName,
    };
    const baseTargets = {
      table: props.table,
      tableKey: props.tableKey,
      notificationBus: this.notificationBus,
    };
    const functions = new Map<string, CatalogueFunction>();
    const functionsScope = new Construct(this, 'Functions');

    // Task functions first: the state machine references them, so they cannot reference it back.
    for (const definition of taskFunctions) {
      functions.set(
        definition.id,
        new CatalogueFunction(functionsScope, definition.id, {
          definition,
          kind: 'task',
          environment: baseEnvironment,
          targets: baseTargets,
        }),
      );
    }

    this.signingStateMachine = new WorkflowStateMachine(this, 'SigningWorkflow', {
      workflow: signingWorkflow,
      taskFunctions: new Map(taskFunctions.map(({ id }) => [id, functions.get(id)!.function])),
    });
    const stateMachine = this.signingStateMachine.stateMachine;

    const httpTargets: PermissionTargets = { ...baseTargets, signingStateMachine: stateMachine };
    for (const definition of httpFunctions) {
      const usesWorkflow =
        needsStateMachine(definition.permissions) || definition.permissions.includes('workflow:callback');
      functions.set(
        definition.id,
        new CatalogueFunction(functionsScope, definition.id, {
          definition,
          kind: 'http',
          environment: usesWorkflow
            ? { ...baseEnvironment, [signingWorkflow.arnVariable]: stateMachine.stateMachineArn }
            : baseEnvironment,
          targets: httpTargets,
        }),
      );
    }
    this.functions = functions;

    const handlerOf = (functionId: string): lambda.IFunction => {
      const fn = functions.get(functionId);
      if (!fn) throw new Error(`No catalogue function ${functionId}`);
      return fn.function;
    };

    this.api = new CatalogueHttpApi(this, 'HttpApi', {
      routes: httpFunctions.map((definition) => ({ definition, handler: handlerOf(definition.id) })),
      jwtIssuer: props.jwtIssuer,
      jwtAudience: props.jwtAudience,
    });

    new ReminderSchedule(this, 'ReminderSchedule', {
      handler: handlerOf(reminderSchedule.taskId),
      hour: reminderSchedule.hour,
      minute: reminderSchedule.minute,
      timeZone: reminderSchedule.timeZone,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'EventBusName', {
      value: this.notificationBus.eventBusName,
      description: 'EventBridge bus carrying notifications for integrations',
    });
    new CfnOutput(this, 'SigningStateMachineArn', {
      value: stateMachine.stateMachineArn,
      description: 'The signing workflow',
    });
  }
}
