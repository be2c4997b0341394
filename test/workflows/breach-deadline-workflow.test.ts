import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { breachReport } from '../support/api-client.ts';
import {
  advanceBy,
  clockNow,
  createAndSubmit,
  history,
  nextMorning,
  notificationTypes,
  removeDataDir,
  signAsController,
  signAsProcessor,
  startWorkflowStack,
  type WorkflowStack,
} from './harness.ts';

/**
 * workflows/breach-deadline.asl.json as CDK synthesizes it, on the local engine with the real task,
 * driven over HTTP and the virtual clock (rule 16, GDPR Art. 33): the controller's decision at 10,
 * 50 and 80 hours after the processor's report arrived.
 */

const DEADLINE_TYPES = ['reminder.breach-decision', 'escalation.breach-decision', 'breach.deadline-passed'];

const decision = (delayReason?: string) => ({
  datatilsynet: { notified: false, reason: 'Lav risiko for de registrerte' },
  dataSubjects: { informed: false, reason: 'Lav risiko for de registrerte' },
  ...(delayReason ? { delayReason } : {}),
});

describe('the 72 hours of a breach', () => {
  let ws: WorkflowStack;

  beforeAll(async () => {
    ws = await startWorkflowStack();
  });

  afterAll(async () => {
    await ws?.stack.stop();
    await removeDataDir(ws);
  });

  beforeEach(async () => {
    await nextMorning(ws);
  });

  /** An agreement in force with a breach the processor reports now. */
  async function reported(): Promise<{ id: string; breachId: string }> {
    const { id } = await createAndSubmit(ws, 'Databehandleravtale (avvik)');
    expect((await signAsProcessor(ws, id)).status).toBe(201);
    expect((await signAsController(ws, id)).status).toBe(201);
    const report = await ws.processor.post<{ id: string }>(
      `/agreements/${id}/breaches`,
      breachReport((await clockNow(ws)).toISOString()),
    );
    expect(report.status).toBe(201);
    return { id, breachId: report.body.id };
  }

  /** The breach's deadline execution (named after the breach), once everything due has run. */
  const execution = (breachId: string) => {
    const engine = ws.stack.stepFunctions;
    const found = engine
      .listExecutions(process.env.BREACH_DEADLINE_STATE_MACHINE_ARN!)
      .find((candidate) => candidate.name === `breach-${breachId}`);
    expect(found, `the deadline workflow of ${breachId}`).toBeDefined();
    return engine.describeExecution(found!.executionArn);
  };

  const deadlineNotices = async (id: string) => {
    const toController = (await notificationTypes(ws.controller, id)).filter((type) =>
      DEADLINE_TYPES.includes(type),
    );
    const toProcessor = (await notificationTypes(ws.processor, id)).filter((type) =>
      DEADLINE_TYPES.includes(type),
    );
    return { toController, toProcessor };
  };

  it('decided at 10 hours: no reminder, no escalation, nothing recorded as passed', async () => {
    const { id, breachId } = await reported();
    await advanceBy(ws, 'PT10H');
    expect(
      (await ws.controller.post(`/agreements/${id}/breaches/${breachId}/decision`, decision())).status,
    ).toBe(201);
    await advanceBy(ws, 'PT70H');

    expect(await deadlineNotices(id)).toEqual({ toController: [], toProcessor: [] });
    expect((await history(ws, id)).map((entry) => entry.type)).not.toContain('BREACH_DEADLINE_PASSED');
    // Closed at its first mark after the decision.
    expect(execution(breachId).status).toBe('SUCCEEDED');
  });

  it('decided at 50 hours: reminded at 24 and 48, then closed; in time, no escalation', async () => {
    const { id, breachId } = await reported();
    await advanceBy(ws, 'PT50H');
    expect((await deadlineNotices(id)).toController.sort()).toEqual([
      'reminder.breach-decision',
      'reminder.breach-decision',
    ]);
    const decided = await ws.controller.post<{ late: boolean }>(
      `/agreements/${id}/breaches/${breachId}/decision`,
      decision(),
    );
    expect(decided.status).toBe(201);
    expect(decided.body.late).toBe(false);
    await advanceBy(ws, 'PT30H');

    expect(await deadlineNotices(id)).toEqual({
      toController: ['reminder.breach-decision', 'reminder.breach-decision'],
      toProcessor: [],
    });
    expect(execution(breachId).status).toBe('SUCCEEDED');
  });

  it('decided at 80 hours: reminded twice, escalated to both at 66, DEADLINE_PASSED at 72; a decision then needs the delay’s reasons', async () => {
    const { id, breachId } = await reported();
    await advanceBy(ws, 'PT80H');

    const notices = await deadlineNotices(id);
    expect(notices.toController.sort()).toEqual([
      'breach.deadline-passed',
      'escalation.breach-decision',
      'reminder.breach-decision',
      'reminder.breach-decision',
    ]);
    expect(notices.toProcessor.sort()).toEqual(['breach.deadline-passed', 'escalation.breach-decision']);
    expect((await history(ws, id)).filter((entry) => entry.type === 'BREACH_DEADLINE_PASSED')).toHaveLength(
      1,
    );
    const read = await ws.processor.get<{ deadlinePassedAt?: string }>(
      `/agreements/${id}/breaches/${breachId}`,
    );
    expect(read.body.deadlinePassedAt).toBeDefined();
    expect(execution(breachId).status).toBe('SUCCEEDED');

    const path = `/agreements/${id}/breaches/${breachId}/decision`;
    expect((await ws.controller.post(path, decision())).status).toBe(400);
    const late = await ws.controller.post<{ late: boolean }>(
      path,
      decision('Meldingen ble liggende over helgen'),
    );
    expect(late.status).toBe(201);
    expect(late.body.late).toBe(true);
  });
});
