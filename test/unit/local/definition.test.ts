import { describe, expect, it } from 'vitest';
import {
  LOCAL_WAIT_RESOURCE,
  MAX_LIBRARY_TIMEOUT_SECONDS,
  prepareDefinition,
} from '../../../functions/local/step-functions/definition.ts';
import { callbackTask, functionArn } from './engine-fixture.ts';

const pass = (rest: object = { End: true }) => ({ Type: 'Pass', ...rest });

describe('prepareDefinition', () => {
  it('refuses a JSONata state machine', () => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: pass() } };

    expect(() => prepareDefinition(definition)).toThrow(/QueryLanguage.*JSONata/);
  });

  it('refuses Output and Arguments on a state', () => {
    expect(() =>
      prepareDefinition({ StartAt: 'A', States: { A: pass({ Output: '{% $states.input %}', End: true }) } }),
    ).toThrow(/State "A" uses Output/);
    expect(() =>
      prepareDefinition({
        StartAt: 'A',
        States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: {}, End: true } },
      }),
    ).toThrow(/State "A" uses Arguments/);
  });

  it('refuses Assign inside a Parallel branch and inside a Map item processor', () => {
    const inParallel = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          End: true,
          Branches: [{ StartAt: 'Inner', States: { Inner: pass({ Assign: { x: 1 }, End: true }) } }],
        },
      },
    };
    const inMap = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          End: true,
          ItemProcessor: { StartAt: 'Item', States: { Item: pass({ Assign: { y: 2 }, End: true }) } },
        },
      },
    };

    expect(() => prepareDefinition(inParallel)).toThrow(/State "Inner" uses Assign/);
    expect(() => prepareDefinition(inMap)).toThrow(/State "Item" uses Assign/);
  });

  it('refuses a JSONata Choice condition and a Distributed Map', () => {
    const choice = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'D' }], Default: 'D' },
        D: pass(),
      },
    };
    const distributed = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          End: true,
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'I', States: { I: pass() } },
        },
      },
    };

    expect(() => prepareDefinition(choice)).toThrow(/Condition/);
    expect(() => prepareDefinition(distributed)).toThrow(/Distributed Map/);
  });

  it('refuses a Task resource the local engine cannot run', () => {
    const definition = {
      StartAt: 'Put',
      States: {
        Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, End: true },
      },
    };

    expect(() => prepareDefinition(definition)).toThrow(/dynamodb:putItem/);
  });

  it('rewrites a Wait into a clock-driven Task that keeps its paths and transition', () => {
    const prepared = prepareDefinition({
      StartAt: 'Hold',
      States: {
        Hold: {
          Type: 'Wait',
          TimestampPath: '$.until',
          InputPath: '$.agreement',
          OutputPath: '$.id',
          Next: 'Done',
        },
        Done: pass(),
      },
    });

    expect(prepared.definition.States.Hold).toEqual({
      Type: 'Task',
      Resource: LOCAL_WAIT_RESOURCE,
      TimeoutSeconds: MAX_LIBRARY_TIMEOUT_SECONDS,
      InputPath: '$.agreement',
      OutputPath: '$.id',
      Next: 'Done',
      Parameters: { '__localInput.$': '$', '__localWaitTimestamp.$': '$.until' },
    });
    expect(prepared.tasks.get('Hold')).toEqual({ kind: 'wait', stateName: 'Hold', fromPath: 'timestamp' });
  });

  it('takes callback timeouts away from the library and passes TimeoutSecondsPath through Parameters', () => {
    const prepared = prepareDefinition({
      StartAt: 'Await',
      States: {
        Await: callbackTask(
          'await',
          { 'token.$': '$$.Task.Token' },
          { TimeoutSecondsPath: '$.secondsLeft', End: true },
        ),
      },
    });

    const state = prepared.definition.States.Await as unknown as Record<string, unknown>;
    expect(state.TimeoutSecondsPath).toBeUndefined();
    expect(state.TimeoutSeconds).toBe(MAX_LIBRARY_TIMEOUT_SECONDS);
    expect(state.Parameters).toEqual({
      FunctionName: functionArn('await'),
      Payload: { 'token.$': '$$.Task.Token' },
      '__localTimeoutSeconds.$': '$.secondsLeft',
    });
    expect(prepared.tasks.get('Await')).toMatchObject({
      kind: 'lambda-callback',
      timeoutFromPath: true,
      wrappedInput: false,
    });
  });

  it('gives every Task the largest real-time timeout the library can hold instead of its 60 s default', () => {
    const prepared = prepareDefinition({
      StartAt: 'Run',
      States: { Run: { Type: 'Task', Resource: functionArn('run'), End: true } },
    });

    expect((prepared.definition.States.Run as unknown as Record<string, unknown>).TimeoutSeconds).toBe(
      MAX_LIBRARY_TIMEOUT_SECONDS,
    );
    expect(prepared.tasks.get('Run')).toMatchObject({ kind: 'lambda-function' });
    expect(prepared.tasks.get('Run')).not.toHaveProperty('timeoutSeconds');
  });

  it('redirects $$.Execution.StartTime and Input to the fields the engine fills', () => {
    const prepared = prepareDefinition({
      StartAt: 'A',
      States: {
        A: pass({
          Parameters: {
            'started.$': '$$.Execution.StartTime',
            'input.$': '$$.Execution.Input.id',
            literal: '$$.Execution.StartTime',
          },
          End: true,
        }),
      },
    });

    expect((prepared.definition.States.A as unknown as Record<string, unknown>).Parameters).toEqual({
      'started.$': '$$.Execution.LocalStartTime',
      'input.$': '$$.Execution.LocalInput.id',
      literal: '$$.Execution.StartTime',
    });
  });

  it('leaves the caller’s definition untouched', () => {
    const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } };
    const copy = structuredClone(definition);

    prepareDefinition(definition);

    expect(definition).toEqual(copy);
  });
});
