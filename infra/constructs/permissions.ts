import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Permission, Workflow, WorkflowId } from '../../functions/catalogue.ts';
import { TABLE_KEYS } from '../../functions/store/table-layout.ts';

/** The resources the catalogue's permissions refer to, except state machines (see `startStatements`). */
export interface PermissionTargets {
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly notificationBus: events.IEventBus;
  /** The service signing key, and the retired ones whose public keys stay published. */
  readonly sealKey: kms.IKey;
  readonly retiredSealKeyArns: readonly string[];
  /** The SES identity (domain or address) notifications are e-mailed from. */
  readonly emailIdentityArn: string;
}

/** `start:<workflowId>`: granted once the state machines exist, which are built after the functions. */
export type StartPermission = Extract<Permission, `start:${string}`>;

export const isStartPermission = (permission: Permission): permission is StartPermission =>
  permission.startsWith('start:');

/** The workflows a function may start, by its catalogue permissions. */
export const workflowsStartedBy = (permissions: readonly Permission[]): WorkflowId[] =>
  permissions.filter(isStartPermission).map((permission) => permission.slice('start:'.length) as WorkflowId);

/**
 * Least privilege for one catalogue permission: only the actions the handlers call, on only the
 * resources they touch. No dynamodb:Scan, no service wildcards.
 */
export function statementsFor(
  permission: Exclude<Permission, StartPermission>,
  targets: PermissionTargets,
): iam.PolicyStatement[] {
  const { table, tableKey } = targets;
  switch (permission) {
    case 'agreements:read': {
      const indexArns = [TABLE_KEYS.byOrganisation, TABLE_KEYS.dueReminders, TABLE_KEYS.entriesByDay].map(
        (index) => `${table.tableArn}/index/${index.indexName}`,
      );
      return [
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
          resources: [table.tableArn],
        }),
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [tableKey.keyArn] }),
      ];
    }
    case 'entries:probe': {
      // A PartiQL SELECT of the index, allowed only when it names partitions (AWS's documented guard:
      // a statement that would be a full-table scan is denied).
      const index = [`${table.tableArn}/index/${TABLE_KEYS.entriesByDay.indexName}`];
      return [
        new iam.PolicyStatement({ actions: ['dynamodb:PartiQLSelect'], resources: index }),
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['dynamodb:PartiQLSelect'],
          resources: index,
          conditions: { Bool: { 'dynamodb:FullTableScan': 'true' } },
        }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [tableKey.keyArn] }),
      ];
    }
    case 'agreements:write':
      // TransactWriteItems is authorised per contained action, so it needs no action of its own.
      return [
        new iam.PolicyStatement({
          actions: [
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:ConditionCheckItem',
          ],
          resources: [table.tableArn],
        }),
        // DynamoDB uses the customer-managed key on the caller's behalf to protect the table key.
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [tableKey.keyArn],
        }),
      ];
    case 'workflow:callback':
      // Task tokens are not resources: AWS authorises these two actions only on "*".
      return [
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: ['*'],
        }),
      ];
    case 'seals:sign':
      // Sign only with the current key; its public key names the signature (`kid`).
      return [
        new iam.PolicyStatement({
          actions: ['kms:Sign', 'kms:GetPublicKey'],
          resources: [targets.sealKey.keyArn],
        }),
      ];
    case 'seals:publish':
      return [
        new iam.PolicyStatement({
          actions: ['kms:GetPublicKey'],
          resources: [targets.sealKey.keyArn, ...targets.retiredSealKeyArns],
        }),
      ];
    case 'notifications:email':
      return [
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [targets.emailIdentityArn],
        }),
      ];
    case 'notifications:publish':
      return [
        new iam.PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [targets.notificationBus.eventBusArn],
        }),
      ];
  }
}

/** `start:<workflowId>`: StartExecution on exactly that workflow's state machine. */
export function startStatements(stateMachine: sfn.IStateMachine): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [stateMachine.stateMachineArn],
    }),
  ];
}

/**
 * Throws unless the catalogue's start permissions can be deployed: every started workflow exists,
 * and no workflow depends on itself. A state machine references the ARNs of its task functions, and
 * a function that may start a workflow references that state machine's ARN (policy and environment),
 * so a task function that starts its own workflow, directly or through another workflow, would make
 * a circular dependency that CloudFormation rejects only at deploy time.
 */
export function assertDeployableStarts(
  workflows: readonly Workflow[],
  functions: readonly { readonly id: string; readonly permissions: readonly Permission[] }[],
): void {
  const byId = new Map(workflows.map((workflow) => [workflow.id, workflow]));
  const startsOf = new Map(functions.map((fn) => [fn.id, workflowsStartedBy(fn.permissions)]));
  for (const fn of functions) {
    for (const workflowId of startsOf.get(fn.id) ?? []) {
      if (!byId.has(workflowId)) {
        throw new Error(
          `Function ${fn.id} has permission start:${workflowId}, but the catalogue has no ${workflowId} workflow`,
        );
      }
    }
  }

  // Depth-first search for a workflow that reaches itself: workflow -> its tasks -> the workflows they start.
  const path: WorkflowId[] = [];
  const steps: string[] = [];
  const done = new Set<WorkflowId>();
  const visit = (workflow: Workflow): void => {
    if (done.has(workflow.id)) return;
    path.push(workflow.id);
    for (const taskId of workflow.tasks) {
      for (const started of startsOf.get(taskId) ?? []) {
        steps.push(`workflow ${workflow.id} invokes task ${taskId}, which has start:${started}`);
        if (path.includes(started)) {
          throw new Error(
            `Circular dependency: ${steps.slice(path.indexOf(started)).join('; ')}. A task function cannot start a workflow that invokes it, directly or through another workflow.`,
          );
        }
        visit(byId.get(started) as Workflow);
        steps.pop();
      }
    }
    path.pop();
    done.add(workflow.id);
  };
  for (const workflow of workflows) visit(workflow);
}
