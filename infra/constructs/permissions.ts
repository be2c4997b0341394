import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Permission } from '../../functions/catalogue.ts';
import { TABLE_KEYS } from '../../functions/store/table-layout.ts';

/** The resources the catalogue's permissions refer to. */
export interface PermissionTargets {
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly notificationBus: events.IEventBus;
  /** Absent for task functions: the state machine invokes them, so it cannot also be their dependency. */
  readonly signingStateMachine?: sfn.IStateMachine;
}

/**
 * Least privilege for one catalogue permission: only the actions the handlers call, on only the
 * resources they touch. No dynamodb:Scan, no service wildcards.
 */
export function statementsFor(permission: Permission, targets: PermissionTargets): iam.PolicyStatement[] {
  const { table, tableKey } = targets;
  switch (permission) {
    case 'agreements:read': {
      const indexArns = [TABLE_KEYS.byOrganisation, TABLE_KEYS.dueReminders].map(
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
    case 'signing:start':
      return [
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [requireStateMachine(targets, permission).stateMachineArn],
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
    case 'notifications:publish':
      return [
        new iam.PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [targets.notificationBus.eventBusArn],
        }),
      ];
  }
}

/** The permissions that need the signing state machine's ARN, and so its ARN in the environment. */
export const needsStateMachine = (permissions: readonly Permission[]): boolean =>
  permissions.includes('signing:start');

function requireStateMachine(targets: PermissionTargets, permission: Permission): sfn.IStateMachine {
  if (!targets.signingStateMachine) {
    throw new Error(
      `Permission ${permission} needs the signing state machine, which a function invoked by that state machine cannot reference (circular dependency)`,
    );
  }
  return targets.signingStateMachine;
}
