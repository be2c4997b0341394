import { beforeAll, describe, expect, it } from 'vitest';
import {
  httpFunctions,
  type Permission,
  streamConsumers,
  taskFunctions,
  workflows,
} from '../../functions/catalogue.ts';
import { TABLE_KEYS } from '../../functions/store/table-layout.ts';
import {
  catalogueFunctions,
  type FunctionDefinition,
  type WorkflowDefinition,
  workflowDefinitions,
} from '../../infra/synthesized.ts';
import {
  actionsOf,
  allAllowStatements,
  allStatements,
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
 * What each catalogue permission may grant: the specification these tests hold the stack to.
 * Typed by `Permission`, so a permission added to the catalogue fails type-checking here until
 * someone decides what it may do.
 */
const ACTIONS_BY_PERMISSION: Record<Permission, readonly string[]> = {
  'agreements:read': ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'kms:Decrypt'],
  'agreements:write': [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
    'kms:Decrypt',
    'kms:Encrypt',
    'kms:GenerateDataKey',
  ],
  'start:signing': ['states:StartExecution'],
  'start:termination': ['states:StartExecution'],
  'start:amendment': ['states:StartExecution'],
  'start:subProcessorApproval': ['states:StartExecution'],
  'start:notificationDelivery': ['states:StartExecution'],
  'start:breachDeadline': ['states:StartExecution'],
  'workflow:callback': ['states:SendTaskSuccess', 'states:SendTaskFailure'],
  'notifications:publish': ['events:PutEvents'],
  'notifications:email': ['ses:SendEmail'],
  'seals:sign': ['kms:Sign', 'kms:GetPublicKey'],
  'seals:publish': ['kms:GetPublicKey'],
  'entries:probe': ['dynamodb:PartiQLSelect', 'kms:Decrypt'],
};

/** Every function writes its own logs and traces. */
const BASELINE_ACTIONS = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];

/**
 * What the event source mapping of a stream consumer grants its function: reading the table's stream
 * (ListStreams has no resource-level permission), the table key to decrypt it, and sending the records
 * it gives up on to its dead-letter queue.
 */
const STREAM_CONSUMER_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
  'kms:DescribeKey',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:SendMessage',
];
const streamConsumerIds: readonly string[] = streamConsumers.map(({ taskId }) => taskId);

const catalogue = [...httpFunctions, ...taskFunctions];

/** Every function that may start a workflow, with the workflows it may start. */
const starters = catalogue
  .map((fn) => ({
    id: fn.id,
    workflowIds: workflows.map((w) => w.id).filter((id) => fn.permissions.includes(`start:${id}`)),
  }))
  .filter(({ workflowIds }) => workflowIds.length > 0);

let synth: Synthesized;
let deployed: Record<string, FunctionDefinition>;
let deployedWorkflows: Record<string, WorkflowDefinition>;
const statementsOfFunction = (functionId: string) => {
  const fn = deployed[functionId];
  if (!fn) throw new Error(`${functionId} is not deployed`);
  return statementsOfRole(synth.serviceJson, roleOfFunction(synth.serviceJson, fn.logicalId));
};

beforeAll(() => {
  synth = synthesize({ cached: true });
  deployed = catalogueFunctions(synth.serviceJson);
  deployedWorkflows = workflowDefinitions(synth.serviceJson);
});

const stateMachineRef = (workflowId: string) => {
  const workflow = deployedWorkflows[workflowId];
  if (!workflow) throw new Error(`The ${workflowId} workflow is not deployed`);
  return { Ref: workflow.logicalId };
};

describe('least privilege', () => {
  it('no policy in either stack grants dynamodb:Scan', () => {
    const statements = [...allAllowStatements(synth.dataJson), ...allAllowStatements(synth.serviceJson)];
    const actions = actionsOf(statements.map(({ statement }) => statement));
    expect(actions.map((action) => action.toLowerCase())).not.toContain('dynamodb:scan');
  });

  it('PartiQL reads only the entriesByDay index, and a statement that would be a full-table scan is denied', () => {
    const index = JSON.stringify({
      'Fn::Join': [
        '',
        [
          {
            'Fn::ImportValue': exportNameOf(synth.dataJson, {
              'Fn::GetAtt': [singleLogicalId(synth.dataJson, 'AWS::DynamoDB::Table'), 'Arn'],
            }),
          },
          `/index/${TABLE_KEYS.entriesByDay.indexName}`,
        ],
      ],
    });
    const partiql = (effect: 'Allow' | 'Deny') =>
      allStatements(synth.serviceJson, effect).filter(({ statement }) =>
        actionsOf([statement]).some((action) => action.startsWith('dynamodb:PartiQL')),
      );
    const allowed = partiql('Allow');
    expect(allowed.length).toBeGreaterThan(0);
    for (const { owner, statement } of allowed) {
      expect(actionsOf([statement])).toEqual(['dynamodb:PartiQLSelect']);
      expect(resourcesOf(statement).map((resource) => JSON.stringify(resource))).toEqual([index]);
      const denials = partiql('Deny').filter((denied) => denied.owner === owner);
      expect(denials.map(({ statement: denied }) => denied.Condition)).toEqual([
        { Bool: { 'dynamodb:FullTableScan': 'true' } },
      ]);
      expect(resourcesOf(denials[0]!.statement).map((resource) => JSON.stringify(resource))).toEqual([index]);
    }
    const mayProbe = catalogue.filter((fn) =>
      actionsOf(statementsOfFunction(fn.id)).includes('dynamodb:PartiQLSelect'),
    );
    expect(mayProbe.map((fn) => fn.id)).toEqual(['sealLogs']);
  });

  it('no policy grants a wildcard action on DynamoDB or Step Functions', () => {
    const statements = [...allAllowStatements(synth.dataJson), ...allAllowStatements(synth.serviceJson)];
    const wildcards = actionsOf(statements.map(({ statement }) => statement)).filter(
      (action) => action === '*' || (/^(dynamodb|states):/i.test(action) && action.includes('*')),
    );
    expect(wildcards).toEqual([]);
  });

  it('no role carries an AWS managed policy', () => {
    const roles = Object.values(synth.service.findResources('AWS::IAM::Role'));
    expect(roles.filter((role) => role.Properties.ManagedPolicyArns !== undefined)).toEqual([]);
  });

  it.each(
    catalogue.map((fn) => ({ id: fn.id, permissions: fn.permissions })),
  )('$id is granted exactly what its catalogue permissions imply', ({ id, permissions }) => {
    const expected = [
      ...new Set([
        ...BASELINE_ACTIONS,
        ...permissions.flatMap((p) => ACTIONS_BY_PERMISSION[p]),
        ...(streamConsumerIds.includes(id) ? STREAM_CONSUMER_ACTIONS : []),
      ]),
    ].sort();
    expect(actionsOf(statementsOfFunction(id))).toEqual(expected);
  });

  it('getAgreement cannot publish events and createAgreement cannot start workflows', () => {
    expect(actionsOf(statementsOfFunction('getAgreement'))).not.toContain('events:PutEvents');
    expect(actionsOf(statementsOfFunction('createAgreement'))).not.toContain('states:StartExecution');
  });

  it('DynamoDB actions reach only the agreements table, its three indexes and its stream', () => {
    const tableArnExport = exportNameOf(synth.dataJson, {
      'Fn::GetAtt': [singleLogicalId(synth.dataJson, 'AWS::DynamoDB::Table'), 'Arn'],
    });
    const table = { 'Fn::ImportValue': tableArnExport };
    const stream = {
      'Fn::ImportValue': exportNameOf(synth.dataJson, {
        'Fn::GetAtt': [singleLogicalId(synth.dataJson, 'AWS::DynamoDB::Table'), 'StreamArn'],
      }),
    };
    const allowed = [
      table,
      stream,
      // dynamodb:ListStreams (the stream consumer's event source) has no resource-level permission.
      '*',
      ...[TABLE_KEYS.byOrganisation, TABLE_KEYS.dueReminders, TABLE_KEYS.entriesByDay].map((index) => ({
        'Fn::Join': ['', [table, `/index/${index.indexName}`]],
      })),
    ].map((resource) => JSON.stringify(resource));
    const dynamoResources = allAllowStatements(synth.serviceJson)
      .filter(({ statement }) => actionsOf([statement]).some((action) => action.startsWith('dynamodb:')))
      .flatMap(({ statement }) => resourcesOf(statement).map((resource) => JSON.stringify(resource)));
    expect(dynamoResources.length).toBeGreaterThan(0);
    expect(dynamoResources.filter((resource) => !allowed.includes(resource))).toEqual([]);
  });

  const keyArn = (prefix: string) =>
    JSON.stringify({
      'Fn::ImportValue': exportNameOf(synth.dataJson, {
        'Fn::GetAtt': [logicalIdOf(synth.dataJson, 'AWS::KMS::Key', prefix), 'Arn'],
      }),
    });
  const kmsStatements = () =>
    allAllowStatements(synth.serviceJson).filter(({ statement }) =>
      actionsOf([statement]).some((action) => action.startsWith('kms:')),
    );

  it('KMS actions reach only the table key and the seal key', () => {
    const kmsResources = kmsStatements().flatMap(({ statement }) =>
      resourcesOf(statement).map((resource) => JSON.stringify(resource)),
    );
    expect(new Set(kmsResources)).toEqual(new Set([keyArn('TableKey'), keyArn('SealKey')]));
  });

  it('only sealLogs and getEvidence may sign with the seal key, and nothing may sign with the table key', () => {
    const signers = kmsStatements()
      .filter(({ statement }) => actionsOf([statement]).includes('kms:Sign'))
      .flatMap(({ statement }) => resourcesOf(statement).map((resource) => JSON.stringify(resource)));
    expect(new Set(signers)).toEqual(new Set([keyArn('SealKey')]));
    const mayUse = (id: string) => actionsOf(statementsOfFunction(id)).includes('kms:Sign');
    expect(
      [...httpFunctions, ...taskFunctions]
        .filter((fn) => mayUse(fn.id))
        .map((fn) => fn.id)
        .sort(),
    ).toEqual(
      [...httpFunctions, ...taskFunctions]
        .filter((fn) => fn.permissions.includes('seals:sign'))
        .map((fn) => fn.id)
        .sort(),
    );
  });

  it('states:StartExecution reaches only the state machines of catalogue workflows', () => {
    const stateMachines = workflows.map((workflow) => JSON.stringify(stateMachineRef(workflow.id)));
    const resources = allAllowStatements(synth.serviceJson)
      .filter(({ statement }) => actionsOf([statement]).includes('states:StartExecution'))
      .flatMap(({ statement }) => resourcesOf(statement).map((resource) => JSON.stringify(resource)));
    expect(resources).not.toHaveLength(0);
    expect(resources.filter((resource) => !stateMachines.includes(resource))).toEqual([]);
  });

  it.each(starters)('$id may StartExecution exactly the state machines of $workflowIds', ({
    id,
    workflowIds,
  }) => {
    const resources = statementsOfFunction(id)
      .filter((statement) => actionsOf([statement]).includes('states:StartExecution'))
      .flatMap(resourcesOf);
    expect(new Set(resources.map((r) => JSON.stringify(r)))).toEqual(
      new Set(workflowIds.map((workflowId) => JSON.stringify(stateMachineRef(workflowId)))),
    );
  });

  it('events:PutEvents reaches only the notification bus', () => {
    const bus = singleLogicalId(synth.serviceJson, 'AWS::Events::EventBus');
    const resources = allAllowStatements(synth.serviceJson)
      .filter(({ statement }) => actionsOf([statement]).includes('events:PutEvents'))
      .flatMap(({ statement }) => resourcesOf(statement));
    expect(resources).not.toHaveLength(0);
    for (const resource of resources) expect(resource).toEqual({ 'Fn::GetAtt': [bus, 'Arn'] });
  });

  it('only actions without resource-level permissions are granted on "*"', () => {
    const onStar = actionsOf(
      allAllowStatements(synth.serviceJson)
        .filter(({ statement }) => resourcesOf(statement).includes('*'))
        .map(({ statement }) => statement),
    );
    const withoutResourceLevelPermissions = [
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      // The stream consumer's event source lists the table's streams.
      'dynamodb:ListStreams',
      // CloudWatch Logs vended delivery for the state machine's logging.
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ];
    expect(onStar.filter((action) => !withoutResourceLevelPermissions.includes(action))).toEqual([]);
  });

  it.each(
    workflows.map(({ id, tasks }) => ({ id, tasks })),
  )('the $id state machine may invoke exactly its task functions, unqualified', ({ id, tasks }) => {
    const stateMachine = stateMachineRef(id).Ref;
    const roleArn = synth.serviceJson.Resources?.[stateMachine]?.Properties?.RoleArn as
      | { 'Fn::GetAtt': [string, string] }
      | undefined;
    const role = roleArn?.['Fn::GetAtt'][0] ?? '';
    const invokeResources = statementsOfRole(synth.serviceJson, role)
      .filter((statement) => actionsOf([statement]).includes('lambda:InvokeFunction'))
      .flatMap(resourcesOf);
    const expected = tasks.map((taskId) => ({ 'Fn::GetAtt': [deployed[taskId]?.logicalId, 'Arn'] }));
    expect(new Set(invokeResources.map((r) => JSON.stringify(r)))).toEqual(
      new Set(expected.map((r) => JSON.stringify(r))),
    );
  });
});
