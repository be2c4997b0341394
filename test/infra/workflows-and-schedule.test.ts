import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { reminderSchedule, type Workflow, workflows } from '../../functions/catalogue.ts';
import { WORKFLOW_IDS } from '../../functions/workflow-ids.ts';
import {
  catalogueFunctions,
  type FunctionDefinition,
  type WorkflowDefinition,
  workflowDefinitions,
} from '../../infra/synthesized.ts';
import { logicalIdOf, type Synthesized, synthesize } from './synth.ts';

/** The logical id CloudFormation knows the signing state machine by; a new one would replace it. */
const DEPLOYED_SIGNING_STATE_MACHINE = 'SigningWorkflowStateMachineD3C55507';

const pascalCase = (id: string) => `${id.charAt(0).toUpperCase()}${id.slice(1)}`;

let synth: Synthesized;
let deployed: Record<string, FunctionDefinition>;
let deployedWorkflows: Record<string, WorkflowDefinition>;

beforeAll(() => {
  synth = synthesize({ cached: true });
  deployed = catalogueFunctions(synth.serviceJson);
  deployedWorkflows = workflowDefinitions(synth.serviceJson);
});

describe('the state machines', () => {
  it('are the workflows the metrics know by id, no more and no fewer (functions/workflow-ids.ts)', () => {
    expect([...WORKFLOW_IDS].sort()).toEqual(workflows.map((workflow) => workflow.id).sort());
  });

  it('are exactly one per catalogue workflow', () => {
    expect(Object.keys(deployedWorkflows).sort()).toEqual(workflows.map((workflow) => workflow.id).sort());
    expect(Object.keys(synth.service.findResources('AWS::StepFunctions::StateMachine')).sort()).toEqual(
      Object.values(deployedWorkflows)
        .map((workflow) => workflow.logicalId)
        .sort(),
    );
  });

  it('keep the logical id of the deployed signing state machine', () => {
    expect(deployedWorkflows.signing?.logicalId).toBe(DEPLOYED_SIGNING_STATE_MACHINE);
  });

  it.each(workflows.map(({ id }) => id))('name the %s state machine after its workflow', (id) => {
    expect(deployedWorkflows[id]?.logicalId).toMatch(
      new RegExp(`^${pascalCase(id)}WorkflowStateMachine[0-9A-F]{8}$`),
    );
  });
});

describe.each(
  workflows.map((workflow) => [workflow.id, workflow] as [string, Workflow]),
)('the %s state machine', (_id, workflow) => {
  const asl = readFileSync(new URL(`../../${workflow.definition}`, import.meta.url), 'utf8');
  let stateMachine: Record<string, unknown>;

  beforeAll(() => {
    const logicalId = deployedWorkflows[workflow.id]?.logicalId ?? '';
    stateMachine = synth.serviceJson.Resources?.[logicalId]?.Properties ?? {};
  });

  it('is a STANDARD workflow (executions may wait for people for weeks)', () => {
    expect(stateMachine.StateMachineType).toBe('STANDARD');
  });

  it('logs ALL events with execution data to a log group', () => {
    expect(stateMachine.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    const destinations = (stateMachine.LoggingConfiguration as { Destinations: unknown[] }).Destinations;
    expect(destinations).toEqual([
      { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
    ]);
  });

  it('has X-Ray tracing enabled', () => {
    expect(stateMachine.TracingConfiguration).toEqual({ Enabled: true });
  });

  it(`deploys ${workflow.definition} exactly as written`, () => {
    expect(stateMachine.DefinitionString).toBe(asl);
  });

  it.each(workflow.tasks)('substitutes the placeholder %s with the ARN of that task function', (taskId) => {
    const substitutions = stateMachine.DefinitionSubstitutions as Record<string, unknown>;
    expect(substitutions[taskId]).toEqual({ 'Fn::GetAtt': [deployed[taskId]?.logicalId, 'Arn'] });
  });

  it('leaves no placeholder of the definition without a substitution', () => {
    const placeholders = [...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]);
    const substitutions = Object.keys(stateMachine.DefinitionSubstitutions as Record<string, unknown>);
    expect(placeholders.length).toBeGreaterThan(0);
    expect(placeholders.filter((name) => !substitutions.includes(name as string))).toEqual([]);
  });
});

describe('the daily reminder schedule', () => {
  let schedule: Record<string, unknown>;
  let target: Record<string, unknown>;

  beforeAll(() => {
    const id = logicalIdOf(synth.serviceJson, 'AWS::Scheduler::Schedule', reminderSchedule.id);
    schedule = synth.serviceJson.Resources?.[id]?.Properties ?? {};
    target = schedule.Target as Record<string, unknown>;
  });

  it('runs every day at 07:00 Oslo time', () => {
    expect(schedule.ScheduleExpression).toBe(
      `cron(${reminderSchedule.minute} ${reminderSchedule.hour} * * ? *)`,
    );
    expect(schedule.ScheduleExpression).toBe('cron(0 7 * * ? *)');
    expect(schedule.ScheduleExpressionTimezone).toBe('Europe/Oslo');
    expect(schedule.State).toBe('ENABLED');
  });

  it(`invokes ${reminderSchedule.taskId}`, () => {
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [deployed[reminderSchedule.taskId]?.logicalId, 'Arn'] });
  });

  it('retries a failed run', () => {
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: expect.any(Number) });
    expect((target.RetryPolicy as { MaximumRetryAttempts: number }).MaximumRetryAttempts).toBeGreaterThan(0);
  });

  it('keeps undeliverable runs in an encrypted dead-letter queue that only accepts TLS', () => {
    const queueId = (target.DeadLetterConfig as { Arn: { 'Fn::GetAtt': [string, string] } }).Arn[
      'Fn::GetAtt'
    ][0];
    const queue = synth.serviceJson.Resources?.[queueId];
    expect(queue?.Type).toBe('AWS::SQS::Queue');
    expect(
      queue?.Properties?.SqsManagedSseEnabled === true || queue?.Properties?.KmsMasterKeyId !== undefined,
    ).toBe(true);
    synth.service.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Principal: { AWS: '*' },
            Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
          },
        ],
      },
    });
  });
});

describe('the outputs', () => {
  it.each(['ApiUrl', 'EventBusName', 'SigningStateMachineArn'])('the service stack outputs %s', (name) => {
    expect(synth.serviceJson.Outputs).toHaveProperty(name);
  });

  it.each(
    workflows.map(({ id }) => id),
  )('the service stack outputs the ARN of the %s state machine', (id) => {
    expect(synth.serviceJson.Outputs?.[`${pascalCase(id)}StateMachineArn`]).toMatchObject({
      Value: { Ref: deployedWorkflows[id]?.logicalId },
    });
  });

  it('the data stack outputs TableName', () => {
    expect(synth.dataJson.Outputs).toHaveProperty('TableName');
  });
});
