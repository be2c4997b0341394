import { beforeAll, describe, expect, it } from 'vitest';
import { httpFunctions, taskFunctions, workflows } from '../../functions/catalogue.ts';
import { catalogueFunctions, type FunctionDefinition } from '../../infra/synthesized.ts';
import { type Synthesized, singleLogicalId, synthesize } from './synth.ts';

const signing = workflows.find((workflow) => workflow.id === 'signing')!;

let synth: Synthesized;
let deployed: Record<string, FunctionDefinition>;
let lambdaFunctions: Record<string, { Properties: Record<string, unknown> }>;

beforeAll(() => {
  synth = synthesize();
  deployed = catalogueFunctions(synth.serviceJson);
  lambdaFunctions = synth.service.findResources('AWS::Lambda::Function') as typeof lambdaFunctions;
});

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

  it('all trace actively and load source maps', () => {
    for (const fn of Object.values(lambdaFunctions)) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties).toMatchObject({
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      });
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

  it.each(
    httpFunctions
      .filter((fn) => fn.permissions.some((p) => p === 'signing:start' || p === 'workflow:callback'))
      .map(({ id }) => id),
  )(`HTTP function %s learns the signing state machine from ${signing.arnVariable}`, (id) => {
    const stateMachine = singleLogicalId(synth.serviceJson, 'AWS::StepFunctions::StateMachine');
    expect(deployedFunction(id).environment[signing.arnVariable]).toEqual({ Ref: stateMachine });
  });

  it(`gives ${signing.arnVariable} to no function that does not start or call back the workflow`, () => {
    const withArn = Object.values(deployed)
      .filter((fn) => signing.arnVariable in fn.environment)
      .map((fn) => fn.functionId)
      .sort();
    const expected = httpFunctions
      .filter((fn) => fn.permissions.some((p) => p === 'signing:start' || p === 'workflow:callback'))
      .map((fn) => fn.id)
      .sort();
    expect(withArn).toEqual(expected);
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
