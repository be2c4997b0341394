import { afterEach, describe, expect, it } from 'vitest';
import {
  advanceBy,
  createAndSubmit,
  invocationsOf,
  notificationTypes,
  readAgreement,
  removeDataDir,
  restartWorkflowStack,
  settledExecution,
  signAsController,
  signAsProcessor,
  signingExecution,
  startWorkflowStack,
  type WorkflowStack,
} from './harness.ts';

/**
 * The local stack stopped and started again on the same data directory and table: the journal's
 * in-flight signing executions are resumed and the agreement's deadline is the one set at submission.
 */
describe('signing workflow across a restart of the local stack', () => {
  let ws: WorkflowStack | undefined;

  afterEach(async () => {
    await ws?.stack.stop();
    await removeDataDir(ws);
    ws = undefined;
  });

  it('resumes the waiting execution, which concludes when the second party signs', async () => {
    ws = await startWorkflowStack();
    const { id } = await createAndSubmit(ws);
    expect((await signAsController(ws, id)).status).toBe(201);
    const before = signingExecution(ws, id);
    expect(before.status).toBe('RUNNING');

    ws = await restartWorkflowStack(ws);
    await ws.stack.stepFunctions.idle();

    const resumed = signingExecution(ws, id);
    expect(resumed).toMatchObject({ executionArn: before.executionArn, status: 'RUNNING' });
    // It really runs again in the new process: the wait for the missing signature is registered anew.
    expect(invocationsOf(ws, id, 'prepareSigning')).toBe(1);
    expect(invocationsOf(ws, id, 'awaitSignature')).toBe(2);
    const second = await signAsProcessor(ws, id);
    expect(second.status).toBe(201);
    expect(second.body.status).toBe('IN_FORCE');
    const execution = await settledExecution(ws, id);
    expect(execution).toMatchObject({ executionArn: before.executionArn, status: 'SUCCEEDED' });
    expect(JSON.parse(execution.output!)).toMatchObject({ outcome: { status: 'IN_FORCE' } });
    expect(await notificationTypes(ws.controller, id)).toContain('agreement.in-force');
    expect(await notificationTypes(ws.processor, id)).toContain('agreement.in-force');
  });

  it('keeps the deadline set at submission: expired 31 days after submission, not 30 after the restart', async () => {
    ws = await startWorkflowStack();
    const { id } = await createAndSubmit(ws);
    expect((await signAsProcessor(ws, id)).status).toBe(201);
    await advanceBy(ws, 'P20D');

    ws = await restartWorkflowStack(ws);
    await ws.stack.stepFunctions.idle();
    expect(signingExecution(ws, id).status).toBe('RUNNING');

    await advanceBy(ws, 'P9D');
    expect((await readAgreement(ws, id)).status).toBe('AWAITING_SIGNATURES');
    expect(signingExecution(ws, id).status).toBe('RUNNING');

    await advanceBy(ws, 'P2D');
    expect((await readAgreement(ws, id)).status).toBe('EXPIRED');
    const execution = signingExecution(ws, id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ outcome: { status: 'EXPIRED' } });
    expect(await notificationTypes(ws.controller, id)).toContain('agreement.expired');
    const late = await signAsController(ws, id);
    expect(late.status).toBe(409);
    expect(late.body.currentStatus).toBe('EXPIRED');
  });
});
