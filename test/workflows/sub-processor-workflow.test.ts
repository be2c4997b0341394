import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { ExecutionDescription } from '../../functions/local/step-functions/engine.ts';
import {
  advanceBy,
  advanceTo,
  createAndSubmit,
  history,
  invocationsOf,
  lambdaError,
  nextMorning,
  notificationsAbout,
  notificationTypes,
  osloWallTime,
  plusDays,
  removeDataDir,
  restartWorkflowStack,
  signAsController,
  signAsProcessor,
  startWorkflowStack,
  type WorkflowStack,
} from './harness.ts';

/**
 * Every path through workflows/sub-processor-approval.asl.json as CDK synthesizes it, on the local
 * engine with the real task handlers, driven over HTTP and the virtual clock: approval, rejection,
 * expiry after 30 days with weekly reminders, withdrawal, and a decision racing the deadline.
 */

interface SubProcessorBody {
  id: string;
  status: string;
  decisionDeadline?: string;
  approvedFrom?: string;
}

interface Problem {
  status: number;
  currentStatus?: string;
  detail?: string;
}

const subProcessorRequest = (name = 'Driftshuset AS') => ({
  name,
  orgNumber: '974652358',
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og backup av fagsystemet',
  personalDataTypes: ['Navn', 'Fødselsnummer'],
});

const decisionBody = (
  decision: 'APPROVED' | 'REJECTED',
  reason = 'Avtale med underleverandøren er inngått',
) => ({
  decision,
  reason,
  signatory: { name: 'Kari Testesen', title: 'Rådmann' },
});

describe('sub-processor approval workflow', () => {
  let ws: WorkflowStack;
  let today: string;

  beforeAll(async () => {
    ws = await startWorkflowStack();
  });

  afterAll(async () => {
    await ws?.stack.stop();
    await removeDataDir(ws);
  });

  beforeEach(async () => {
    today = await nextMorning(ws);
  });

  afterEach(() => {
    ws.faults.clear();
  });

  const approvalArn = () => process.env.SUB_PROCESSOR_APPROVAL_STATE_MACHINE_ARN!;

  async function agreementInForce(): Promise<string> {
    const { id } = await createAndSubmit(ws, 'Databehandleravtale (underdatabehandlere)');
    expect((await signAsProcessor(ws, id)).status).toBe(201);
    expect((await signAsController(ws, id)).body.status).toBe('IN_FORCE');
    await ws.stack.stepFunctions.idle();
    return id;
  }

  async function requestSubProcessor(id: string, name?: string): Promise<SubProcessorBody> {
    const requested = await ws.processor.post<SubProcessorBody>(
      `/agreements/${id}/sub-processors`,
      subProcessorRequest(name),
    );
    expect(requested.status).toBe(202);
    expect(requested.body.status).toBe('REQUESTED');
    await ws.stack.stepFunctions.idle();
    return requested.body;
  }

  function decide(id: string, subId: string, decision: 'APPROVED' | 'REJECTED', reason?: string) {
    return ws.controller.post<SubProcessorBody & Problem>(
      `/agreements/${id}/sub-processors/${subId}/decision`,
      decisionBody(decision, reason),
    );
  }

  async function readRequest(id: string, subId: string): Promise<SubProcessorBody> {
    const read = await ws.processor.get<SubProcessorBody>(`/agreements/${id}/sub-processors/${subId}`);
    expect(read.status).toBe(200);
    return read.body;
  }

  async function gate(id: string, subId: string) {
    const answer = await ws.processor.get<{ authorized: boolean; reasons: string[] }>(
      `/agreements/${id}/processing-authorization?subProcessorId=${subId}`,
    );
    expect(answer.status).toBe(200);
    return answer.body;
  }

  function execution(id: string, subId: string): ExecutionDescription {
    const arn = `${approvalArn().replace(':stateMachine:', ':execution:')}:${id}-${subId}`;
    return ws.stack.stepFunctions.describeExecution(arn);
  }

  async function settled(id: string, subId: string): Promise<ExecutionDescription> {
    await ws.stack.stepFunctions.idle();
    return execution(id, subId);
  }

  /** The notifications of one type about one request, for one party. */
  async function outcomes(party: 'controller' | 'processor', id: string, type: string) {
    return (await notificationsAbout(ws[party], id)).filter((n) => n.type === type);
  }

  describe('the controller decides', () => {
    it('approves: the workflow ends APPROVED, Vedlegg 3 gets a version, the processor is told once', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);
      expect(execution(id, sub.id).status).toBe('RUNNING');
      expect(await notificationTypes(ws.controller, id)).toContain('sub-processor.requested');
      expect((await gate(id, sub.id)).authorized).toBe(false);

      await advanceBy(ws, 'P3D');
      const decided = await decide(id, sub.id, 'APPROVED');

      expect(decided.status).toBe(200);
      expect(decided.body.status).toBe('APPROVED');
      const done = await settled(id, sub.id);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toMatchObject({
        wait: { status: 'REQUESTED' },
        decision: { status: 'APPROVED' },
        outcome: { status: 'APPROVED' },
      });
      expect(invocationsOf(ws, id, 'expireSubProcessorRequest')).toBe(0);
      expect(await outcomes('processor', id, 'sub-processor.approved')).toHaveLength(1);
      expect((await gate(id, sub.id)).authorized).toBe(true);
      const versions = (await history(ws, id)).filter((entry) => entry.type === 'APPENDIX_3_VERSION');
      expect(versions.map((entry) => entry.details)).toEqual([
        expect.objectContaining({
          version: 1,
          approved: [{ id: sub.id, name: 'Driftshuset AS', personalDataTypes: ['Navn', 'Fødselsnummer'] }],
          added: sub.id,
        }),
      ]);
    });

    it('rejects: the workflow ends REJECTED with the reason, the processor is told, nothing is approved', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);

      const decided = await decide(id, sub.id, 'REJECTED', 'Behandlingen er ikke nødvendig');

      expect(decided.status).toBe(200);
      const done = await settled(id, sub.id);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toMatchObject({ outcome: { status: 'REJECTED' } });
      const told = await outcomes('processor', id, 'sub-processor.rejected');
      expect(told).toHaveLength(1);
      expect(told[0]!.details).toMatchObject({ reason: 'Behandlingen er ikke nødvendig' });
      expect(await gate(id, sub.id)).toEqual({
        authorized: false,
        reasons: ['The sub-processor is not approved (status REJECTED)'],
        subProcessorId: sub.id,
        checkedAt: expect.any(String),
      });
      expect((await history(ws, id)).map((entry) => entry.type)).not.toContain('APPENDIX_3_VERSION');
    });

    it('decides once: a second decision is 409 and the outcome stands', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);
      expect((await decide(id, sub.id, 'APPROVED')).status).toBe(200);

      const again = await decide(id, sub.id, 'REJECTED');

      expect(again.status).toBe(409);
      expect(again.body.currentStatus).toBe('APPROVED');
      expect((await readRequest(id, sub.id)).status).toBe('APPROVED');
      expect((await settled(id, sub.id)).status).toBe('SUCCEEDED');
    });

    it('finds a decision made before the workflow waited for it, and concludes at once', async () => {
      const id = await agreementInForce();
      const reached = Promise.withResolvers<void>();
      const release = Promise.withResolvers<void>();
      ws.faults.set(id, async (taskId, _payload, invoke) => {
        if (taskId === 'prepareSubProcessorDecision') {
          reached.resolve();
          await release.promise;
        }
        return invoke();
      });
      onTestFinished(() => release.resolve());
      const requested = await ws.processor.post<SubProcessorBody>(
        `/agreements/${id}/sub-processors`,
        subProcessorRequest(),
      );
      await reached.promise;

      expect((await decide(id, requested.body.id, 'APPROVED')).status).toBe(200);
      release.resolve();

      const done = await settled(id, requested.body.id);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toMatchObject({
        wait: { status: 'APPROVED' },
        outcome: { status: 'APPROVED' },
      });
      expect(invocationsOf(ws, id, 'awaitSubProcessorDecision')).toBe(0);
      expect(await outcomes('processor', id, 'sub-processor.approved')).toHaveLength(1);
    });
  });

  describe('silence', () => {
    it('expires the request after 30 days, with a reminder to the controller each week, and never approves', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);
      const deadline = plusDays(today, 30);
      expect(sub.decisionDeadline).toBe(deadline);

      await advanceTo(ws, osloWallTime(deadline, 23, 59));

      expect((await readRequest(id, sub.id)).status).toBe('REQUESTED');
      expect(execution(id, sub.id).status).toBe('RUNNING');
      const reminders = await outcomes('controller', id, 'reminder.sub-processor-decision');
      expect(reminders.map((n) => n.id.split(':').pop())).toEqual(
        [7, 14, 21, 28].map((d) => plusDays(today, d)),
      );
      expect(await outcomes('processor', id, 'reminder.sub-processor-decision')).toEqual([]);

      await advanceTo(ws, osloWallTime(plusDays(deadline, 1), 0, 0, 1));

      expect((await readRequest(id, sub.id)).status).toBe('EXPIRED');
      const done = await settled(id, sub.id);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toMatchObject({
        error: { Error: 'States.Timeout' },
        expiry: { status: 'EXPIRED' },
        outcome: { status: 'EXPIRED' },
      });
      expect(await outcomes('processor', id, 'sub-processor.expired')).toHaveLength(1);
      expect(await gate(id, sub.id)).toMatchObject({
        authorized: false,
        reasons: ['The sub-processor is not approved (status EXPIRED)'],
      });
      expect((await history(ws, id)).filter((entry) => entry.type === 'SUB_PROCESSOR_EXPIRED')).toHaveLength(
        1,
      );

      await advanceBy(ws, 'P14D');
      expect(await outcomes('controller', id, 'reminder.sub-processor-decision')).toHaveLength(4);
    });
  });

  describe('a decision racing the deadline', () => {
    it('counts a decision at 23:59 of the last day', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);
      await advanceTo(ws, osloWallTime(sub.decisionDeadline!, 23, 59));

      const decided = await decide(id, sub.id, 'APPROVED');

      expect(decided.status).toBe(200);
      const done = await settled(id, sub.id);
      expect(JSON.parse(done.output!)).toMatchObject({ outcome: { status: 'APPROVED' } });
      await advanceBy(ws, 'PT2M');
      expect((await readRequest(id, sub.id)).status).toBe('APPROVED');
      expect((await gate(id, sub.id)).authorized).toBe(true);
      expect(invocationsOf(ws, id, 'expireSubProcessorRequest')).toBe(0);
    });

    it('refuses a decision a second after midnight: 409 EXPIRED, and the request stays expired', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);
      await advanceTo(ws, osloWallTime(plusDays(sub.decisionDeadline!, 1), 0, 0, 1));

      const late = await decide(id, sub.id, 'APPROVED');

      expect(late.status).toBe(409);
      expect(late.body.currentStatus).toBe('EXPIRED');
      expect((await readRequest(id, sub.id)).status).toBe('EXPIRED');
      expect(JSON.parse((await settled(id, sub.id)).output!)).toMatchObject({
        outcome: { status: 'EXPIRED' },
      });
      expect(await outcomes('processor', id, 'sub-processor.approved')).toEqual([]);
    });

    it('lets a decision that won the race stand when the timeout fires anyway, reporting it once', async () => {
      const id = await agreementInForce();
      // The wait's token never reaches the request: the decision cannot end the wait, the timeout will.
      ws.faults.set(id, async (taskId, _payload, invoke) =>
        taskId === 'awaitSubProcessorDecision' ? { waiting: true } : invoke(),
      );
      const sub = await requestSubProcessor(id);
      await advanceTo(ws, osloWallTime(sub.decisionDeadline!, 23, 59, 59));
      expect((await decide(id, sub.id, 'APPROVED')).status).toBe(200);
      expect(execution(id, sub.id).status).toBe('RUNNING');

      await advanceBy(ws, 'PT1M');

      const done = await settled(id, sub.id);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toMatchObject({
        error: { Error: 'States.Timeout' },
        expiry: { status: 'APPROVED' },
        outcome: { status: 'APPROVED' },
      });
      expect((await readRequest(id, sub.id)).status).toBe('APPROVED');
      expect((await history(ws, id)).map((entry) => entry.type)).not.toContain('SUB_PROCESSOR_EXPIRED');
      expect(await outcomes('processor', id, 'sub-processor.approved')).toHaveLength(1);
      expect(await outcomes('processor', id, 'sub-processor.expired')).toEqual([]);
    });
  });

  describe('the processor withdraws', () => {
    it('ends the wait: WITHDRAWN, both parties told, no more reminders', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);
      await advanceBy(ws, 'P8D');
      expect(await outcomes('controller', id, 'reminder.sub-processor-decision')).toHaveLength(1);

      const withdrawn = await ws.processor.post<SubProcessorBody>(
        `/agreements/${id}/sub-processors/${sub.id}/withdraw`,
        { reason: 'Valgte en annen leverandør' },
      );

      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body.status).toBe('WITHDRAWN');
      const done = await settled(id, sub.id);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toMatchObject({
        decision: { status: 'WITHDRAWN' },
        outcome: { status: 'WITHDRAWN' },
      });
      expect(await outcomes('processor', id, 'sub-processor.withdrawn')).toHaveLength(1);
      expect(await outcomes('controller', id, 'sub-processor.withdrawn')).toHaveLength(1);
      const late = await decide(id, sub.id, 'APPROVED');
      expect(late.status).toBe(409);
      expect(late.body.currentStatus).toBe('WITHDRAWN');
      await advanceBy(ws, 'P14D');
      expect(await outcomes('controller', id, 'reminder.sub-processor-decision')).toHaveLength(1);
    });

    it('refuses a withdrawal by the controller with 403', async () => {
      const id = await agreementInForce();
      const sub = await requestSubProcessor(id);
      const refused = await ws.controller.post<Problem>(
        `/agreements/${id}/sub-processors/${sub.id}/withdraw`,
      );
      expect(refused.status).toBe(403);
      expect(execution(id, sub.id).status).toBe('RUNNING');
    });
  });

  describe('failures', () => {
    it('retries a Lambda service error and carries on', async () => {
      const id = await agreementInForce();
      let failed = false;
      ws.faults.set(id, (taskId, _payload, invoke) => {
        if (taskId === 'prepareSubProcessorDecision' && !failed) {
          failed = true;
          throw lambdaError('Lambda.ServiceException');
        }
        return invoke();
      });
      const sub = await requestSubProcessor(id);
      expect(execution(id, sub.id).status).toBe('RUNNING');
      expect(invocationsOf(ws, id, 'prepareSubProcessorDecision')).toBe(2);
      expect((await decide(id, sub.id, 'APPROVED')).status).toBe(200);
      expect((await settled(id, sub.id)).status).toBe('SUCCEEDED');
    });

    it('records a failing task in the history; the decision itself stands', async () => {
      const id = await agreementInForce();
      ws.faults.set(id, (taskId, _payload, invoke) => {
        if (taskId === 'notifySubProcessorOutcome') throw lambdaError('Boom', 'the handler blew up');
        return invoke();
      });
      const sub = await requestSubProcessor(id);
      expect((await decide(id, sub.id, 'APPROVED')).status).toBe(200);

      const done = await settled(id, sub.id);

      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('SubProcessorApprovalWorkflowFailed');
      const failure = (await history(ws, id)).filter((entry) => entry.type === 'WORKFLOW_FAILED');
      expect(failure).toHaveLength(1);
      expect(failure[0]!.details).toMatchObject({ workflow: 'subProcessorApproval', error: 'Boom' });
      expect((await readRequest(id, sub.id)).status).toBe('APPROVED');
      // The decision's own transaction told the processor.
      expect(await outcomes('processor', id, 'sub-processor.approved')).toHaveLength(1);
    });
  });
});

describe('sub-processor approval workflow across a restart of the local stack', () => {
  let ws: WorkflowStack | undefined;

  afterEach(async () => {
    await ws?.stack.stop();
    await removeDataDir(ws);
    ws = undefined;
  });

  it('resumes the wait with the original deadline, and the decision after the restart concludes it', async () => {
    ws = await startWorkflowStack();
    const current = ws;
    const { id } = await createAndSubmit(current, 'Databehandleravtale (omstart)');
    expect((await signAsProcessor(current, id)).status).toBe(201);
    expect((await signAsController(current, id)).body.status).toBe('IN_FORCE');
    const requested = await current.processor.post<SubProcessorBody>(
      `/agreements/${id}/sub-processors`,
      subProcessorRequest(),
    );
    expect(requested.status).toBe(202);
    await current.stack.stepFunctions.idle();

    ws = await restartWorkflowStack(current);
    await ws.stack.stepFunctions.idle();
    expect(invocationsOf(ws, id, 'awaitSubProcessorDecision')).toBe(1);

    const decided = await ws.controller.post<SubProcessorBody>(
      `/agreements/${id}/sub-processors/${requested.body.id}/decision`,
      decisionBody('APPROVED'),
    );
    expect(decided.status).toBe(200);
    await ws.stack.stepFunctions.idle();
    const arn = `${process.env.SUB_PROCESSOR_APPROVAL_STATE_MACHINE_ARN!.replace(':stateMachine:', ':execution:')}:${id}-${requested.body.id}`;
    const done = ws.stack.stepFunctions.describeExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ outcome: { status: 'APPROVED' } });
  });
});
