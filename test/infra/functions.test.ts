import { beforeAll, describe, expect, it } from 'vitest';
import { httpFunctions, taskFunctions, workflows } from '../../functions/catalogue.ts';
import {
  catalogueFunctions,
  type FunctionDefinition,
  type WorkflowDefinition,
  workflowDefinitions,
} from '../../infra/synthesized.ts';
import { type Synthesized, singleLogicalId, synthesize } from './synth.ts';

const catalogue = [...httpFunctions, ...taskFunctions];

/** Every (function, workflow) pair in which the function may start the workflow. */
const starts = catalogue.flatMap((fn) =>
  workflows
    .filter((workflow) => fn.permissions.includes(`start:${workflow.id}`))
    .map((workflow) => ({ id: fn.id, workflowId: workflow.id, arnVariable: workflow.arnVariable })),
);

let synth: Synthesized;
let deployed: Record<string, FunctionDefinition>;
let deployedWorkflows: Record<string, WorkflowDefinition>;
let lambdaFunctions: Record<string, { Properties: Record<string, unknown> }>;

beforeAll(() => {
  synth = synthesize({ cached: true });
  deployed = catalogueFunctions(synth.serviceJson);
  deployedWorkflows = workflowDefinitions(synth.serviceJson);
  lambdaFunctions = synth.service.findResources('AWS::Lambda::Function') as typeof lambdaFunctions;
});

const stateMachineOf = (workflowId: string): string => {
  const workflow = deployedWorkflows[workflowId];
  if (!workflow) throw new Error(`The ${workflowId} workflow is not deployed`);
  return workflow.logicalId;
};

const deployedFunction = (id: string): FunctionDefinition => {
  const fn = deployed[id];
  if (!fn) throw new Error(`${id} is not deployed`);
  return fn;
};

describe('the functions', () => {
  it('are exactly the catalogue: every HTTP and task function, nothing else', () => {
    const catalogueIds = [...httpFunctions, ...taskFunctions].map((fn) => fn.id).sort();
    expect(Object.keys(deployed).sort()).toEqual(catalogueIds);
    expect(Object.keys(lambdaFunctions)).toHaveLength(catalogueIds.length);
  });

  it('all run Node.js 24 on arm64', () => {
    for (const fn of Object.values(lambdaFunctions)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });

  it('all trace actively and leave the source map unread until an error is logged', () => {
    for (const fn of Object.values(lambdaFunctions)) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      // --enable-source-maps would parse the map on every cold start (see source-mapped-stack.ts).
      const environment = fn.Properties.Environment as { Variables?: Record<string, string> } | undefined;
      expect(environment?.Variables?.NODE_OPTIONS ?? '').not.toContain('source-maps');
    }
  });

  it.each(httpFunctions.map(({ id }) => id))('HTTP function %s has 512 MB and 10 s', (id) => {
    expect(deployedFunction(id)).toMatchObject({
      memorySize: 512,
      timeoutSeconds: 10,
      handler: 'index.handler',
    });
  });

  it.each(taskFunctions.map(({ id }) => id))('task function %s has 512 MB and 30 s', (id) => {
    expect(deployedFunction(id)).toMatchObject({
      memorySize: 512,
      timeoutSeconds: 30,
      handler: 'index.handler',
    });
  });

  it('all know the table and the notification bus', () => {
    const bus = singleLogicalId(synth.serviceJson, 'AWS::Events::EventBus');
    for (const fn of Object.values(deployed)) {
      expect(fn.environment.TABLE_NAME).toHaveProperty('Fn::ImportValue');
      expect(fn.environment.EVENT_BUS_NAME).toEqual({ Ref: bus });
    }
  });

  it('has a catalogue function that starts a workflow (so the tests below test something)', () => {
    expect(starts).not.toHaveLength(0);
  });

  it.each(starts)('$id learns the $workflowId state machine from $arnVariable', ({
    id,
    workflowId,
    arnVariable,
  }) => {
    expect(deployedFunction(id).environment[arnVariable]).toEqual({ Ref: stateMachineOf(workflowId) });
  });

  it.each(
    workflows.map(({ id, arnVariable }) => ({ id, arnVariable })),
  )('gives $arnVariable to exactly the functions with start:$id', ({ id, arnVariable }) => {
    const withArn = Object.values(deployed)
      .filter((fn) => arnVariable in fn.environment)
      .map((fn) => fn.functionId)
      .sort();
    const expected = starts
      .filter(({ workflowId }) => workflowId === id)
      .map((start) => start.id)
      .sort();
    expect(withArn).toEqual(expected);
  });

  it('gives no state machine ARN to functions that only call back a workflow (task tokens are enough)', () => {
    const callbackOnly = catalogue.filter(
      (fn) =>
        fn.permissions.includes('workflow:callback') && !fn.permissions.some((p) => p.startsWith('start:')),
    );
    expect(callbackOnly.map((fn) => fn.id)).toEqual(
      expect.arrayContaining(['signAgreement', 'cancelAgreement', 'awaitSignature']),
    );
    const arnVariables = workflows.map((workflow) => workflow.arnVariable);
    for (const fn of callbackOnly) {
      expect(
        Object.keys(deployedFunction(fn.id).environment).filter((name) => arnVariables.includes(name)),
      ).toEqual([]);
    }
  });

  it('each logs to its own log group with a one-year retention', () => {
    const logGroups = Object.values(lambdaFunctions).map(
      (fn) => (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref,
    );
    expect(new Set(logGroups).size).toBe(logGroups.length);
    for (const logGroup of logGroups) {
      expect(synth.serviceJson.Resources?.[logGroup]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 365 },
      });
    }
  });
});
