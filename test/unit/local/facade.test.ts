import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStepFunctionsFacade } from '../../../functions/local/step-functions/facade.ts';
import { callbackTask, type Harness, openHarness, removeDir, stateMachineArn } from './engine-fixture.ts';

let h: Harness;
let server: Server;
let client: SFNClient;
let issued: Array<{ id: string; token: string }>;
const machineArn = stateMachineArn('signing');

beforeEach(async () => {
  h = await openHarness();
  issued = [];
  h.register(
    'signing',
    {
      StartAt: 'Await',
      States: {
        Await: callbackTask(
          'await',
          { 'id.$': '$.id', 'token.$': '$$.Task.Token' },
          {
            ResultPath: '$.signed',
            Catch: [{ ErrorEquals: ['SignatureRejected'], ResultPath: '$.error', Next: 'Rejected' }],
            End: true,
          },
        ),
        Rejected: { Type: 'Pass', End: true },
      },
    },
    { await: (payload) => void issued.push(payload as { id: string; token: string }) },
  );
  const facade = createStepFunctionsFacade(h.engine);
  server = createServer((request, response) => void facade(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SFNClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
  await removeDir(h.dir);
});

async function rejectionOf(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the SDK call to fail');
}

async function startSigning(id: string): Promise<string> {
  const started = await client.send(
    new StartExecutionCommand({ stateMachineArn: machineArn, name: id, input: JSON.stringify({ id }) }),
  );
  await h.engine.idle();
  return started.executionArn!;
}

describe('Step Functions facade with @aws-sdk/client-sfn', () => {
  it('starts and describes an execution, with dates the SDK parses', async () => {
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'a-1', input: '{"id":"a-1"}' }),
    );
    await h.engine.idle();

    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

    expect(started.executionArn).toBe('arn:aws:states:eu-north-1:000000000000:execution:signing:a-1');
    expect(started.startDate).toEqual(h.engine.describeExecution(started.executionArn!).startDate);
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: machineArn,
      name: 'a-1',
      status: 'RUNNING',
      input: '{"id":"a-1"}',
      startDate: started.startDate,
    });
    expect(described.stopDate).toBeUndefined();
  });

  it('completes a callback task through SendTaskSuccess', async () => {
    const executionArn = await startSigning('a-2');
    const token = issued[0]!.token;

    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"by":"controller"}' }));
    await h.engine.idle();
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ id: 'a-2', signed: { by: 'controller' } });
    expect(described.stopDate).toBeInstanceOf(Date);
  });

  it('fails a callback task through SendTaskFailure, for the workflow to catch', async () => {
    const executionArn = await startSigning('a-3');

    await client.send(
      new SendTaskFailureCommand({
        taskToken: issued[0]!.token,
        error: 'SignatureRejected',
        cause: 'declined',
      }),
    );
    await h.engine.idle();
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));

    expect(JSON.parse(described.output!)).toEqual({
      id: 'a-3',
      error: { Error: 'SignatureRejected', Cause: 'declined' },
    });
  });

  it('maps unknown, malformed and closed task tokens to the SDK’s named exceptions', async () => {
    await startSigning('a-4');
    const token = issued[0]!.token;
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));

    const unknown = await rejectionOf(
      client.send(new SendTaskSuccessCommand({ taskToken: `lsf1.${'b'.repeat(43)}`, output: '{}' })),
    );
    const malformed = await rejectionOf(
      client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })),
    );
    const closed = await rejectionOf(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    );

    expect(unknown).toBeInstanceOf(TaskDoesNotExist);
    expect(malformed).toBeInstanceOf(InvalidToken);
    expect(closed).toBeInstanceOf(TaskTimedOut);
    expect((unknown as TaskDoesNotExist).$metadata.httpStatusCode).toBe(400);
  });

  it('maps execution errors to the SDK’s named exceptions', async () => {
    await startSigning('a-5');

    const conflict = await rejectionOf(
      client.send(
        new StartExecutionCommand({ stateMachineArn: machineArn, name: 'a-5', input: '{"id":"other"}' }),
      ),
    );
    const missingExecution = await rejectionOf(
      client.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:eu-north-1:000000000000:execution:signing:none',
        }),
      ),
    );
    const missingMachine = await rejectionOf(
      client.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn('none'), input: '{}' })),
    );

    expect(conflict).toBeInstanceOf(ExecutionAlreadyExists);
    expect(missingExecution).toBeInstanceOf(ExecutionDoesNotExist);
    expect(missingMachine).toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('is idempotent for a repeated StartExecution while the execution runs', async () => {
    const first = await client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'a-6', input: '{"id":"a-6"}' }),
    );

    const second = await client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'a-6', input: '{"id":"a-6"}' }),
    );

    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate).toEqual(first.startDate);
  });

  it('serves a server that has already read the request body', async () => {
    const facade = createStepFunctionsFacade(h.engine);
    const bodyFirst = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      await facade(request, response, Buffer.concat(chunks));
    });
    await new Promise<void>((resolve) => bodyFirst.listen(0, '127.0.0.1', resolve));
    const viaBodyFirst = new SFNClient({
      endpoint: `http://127.0.0.1:${(bodyFirst.address() as AddressInfo).port}`,
      region: 'eu-north-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const started = await viaBodyFirst.send(
        new StartExecutionCommand({ stateMachineArn: machineArn, name: 'a-9', input: '{"id":"a-9"}' }),
      );

      expect(h.engine.describeExecution(started.executionArn!).input).toBe('{"id":"a-9"}');
    } finally {
      viaBodyFirst.destroy();
      await new Promise<void>((resolve) => bodyFirst.close(() => resolve()));
    }
  });

  it('stops and lists executions', async () => {
    const stopped = await startSigning('a-7');
    const running = await startSigning('a-8');

    const stop = await client.send(
      new StopExecutionCommand({ executionArn: stopped, error: 'Cancelled', cause: 'by test' }),
    );
    const aborted = await client.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'ABORTED' }),
    );
    const all = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));

    expect(stop.stopDate).toBeInstanceOf(Date);
    expect(aborted.executions?.map((execution) => execution.executionArn)).toEqual([stopped]);
    expect(aborted.executions?.[0]).toMatchObject({
      status: 'ABORTED',
      name: 'a-7',
      stopDate: stop.stopDate,
    });
    expect(all.executions?.map((execution) => execution.executionArn).sort()).toEqual(
      [stopped, running].sort(),
    );
  });
});
