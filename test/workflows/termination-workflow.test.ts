import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionDescription } from '../../functions/local/step-functions/engine.ts';
import { dynamoClient } from '../../functions/shared/clients.ts';
import { completeTask } from '../../functions/shared/workflows.ts';
import { dueReminders, reminderPuts } from '../../functions/store/reminders-store.ts';
import { handler as runDailyReminders } from '../../functions/tasks/send-reminders.ts';
import { agreementRequest } from '../support/api-client.ts';
import {
  type AgreementBody,
  advanceTo,
  history,
  invocationsOf,
  lambdaError,
  nextMorning,
  notificationsAbout,
  osloWallTime,
  type Problem,
  plusDays,
  readAgreement,
  removeDataDir,
  restartWorkflowStack,
  signAsController,
  signAsProcessor,
  startWorkflowStack,
  submit,
  type WorkflowStack,
} from './harness.ts';

/**
 * Every path through workflows/termination.asl.json, as CDK synthesizes it, on the local engine with
 * the real task handlers, driven over HTTP and by the virtual clock. One stack serves all scenarios:
 * each has its own agreement, and faults are armed for that agreement only.
 */

interface TerminatedBody extends AgreementBody {
  terminatesOn?: string;
  terminatedAt?: string;
  closedAt?: string;
  termination?: { givenBy: string; givenOn: string; reason: string };
  dataDisposition?: { method: string; chosenOn: string };
  attestation?: { method: string; completedOn: string; retainedUnderLaw?: { reviewOn: string } };
}

/** Date + months with the end-of-month rule, computed here without functions/domain/calendar.ts. */
function plusMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(day, lastDay));
  return first.toISOString().slice(0, 10);
}

const FOURTEEN_DAYS_MS = 14 * 24 * 3_600_000;

describe('termination workflow', () => {
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

  // --- the API as the parties use it -------------------------------------------------------------

  /** An agreement both parties signed today (effectiveFrom = today). */
  async function agreementInForce(noticePeriodMonths = 1): Promise<string> {
    const created = await ws.controller.post<AgreementBody>(
      '/agreements',
      agreementRequest({ title: 'Databehandleravtale (oppsigelse)', noticePeriodMonths }),
    );
    expect(created.status).toBe(201);
    const { id } = created.body;
    await submit(ws, id);
    expect((await signAsController(ws, id)).status).toBe(201);
    expect((await signAsProcessor(ws, id)).body.status).toBe('IN_FORCE');
    await ws.stack.stepFunctions.idle();
    return id;
  }

  async function giveNotice(id: string, by: 'controller' | 'processor' = 'controller') {
    const client = by === 'controller' ? ws.controller : ws.processor;
    const response = await client.post<TerminatedBody>(`/agreements/${id}/termination-notice`, {
      reason: 'Tjenesten flyttes til en ny leverandør',
    });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('NOTICE_PERIOD');
    await ws.stack.stepFunctions.idle();
    return response.body.terminatesOn!;
  }

  function choose(id: string, method: 'RETURN' | 'DELETE') {
    return ws.controller.post<TerminatedBody & Problem>(`/agreements/${id}/data-disposition`, {
      method,
      ...(method === 'RETURN' ? { instructions: 'Eksport som CSV via SFTP' } : {}),
    });
  }

  function attest(id: string, method: 'RETURN' | 'DELETE', extra: Record<string, unknown> = {}) {
    return ws.processor.post<TerminatedBody & Problem>(`/agreements/${id}/data-disposition/attestation`, {
      method,
      completedOn: extra.completedOn ?? today,
      statement: 'Alle personopplysninger og kopier er behandlet som instruert.',
      signatory: { name: 'Per Testesen', title: 'Personvernombud' },
      ...extra,
    });
  }

  async function status(id: string): Promise<string> {
    return (await readAgreement(ws, id)).status;
  }

  async function notificationsOfType(id: string, type: string) {
    return {
      controller: (await notificationsAbout(ws.controller, id)).filter((n) => n.type === type),
      processor: (await notificationsAbout(ws.processor, id)).filter((n) => n.type === type),
    };
  }

  /** One minute into the day after terminatesOn, Oslo time. */
  const justAfterTermination = (terminatesOn: string) => osloWallTime(plusDays(terminatesOn, 1), 0, 1);

  async function terminated(id: string, terminatesOn: string): Promise<void> {
    await advanceTo(ws, justAfterTermination(terminatesOn));
    expect(await status(id)).toBe('TERMINATED');
  }

  // --- Step Functions --------------------------------------------------------------------------------

  function terminationExecution(id: string): ExecutionDescription {
    const arn = process.env.TERMINATION_STATE_MACHINE_ARN!;
    const executions = ws.stack.stepFunctions
      .listExecutions(arn)
      .filter((execution) => execution.name.startsWith(`${id}-termination-v`));
    expect(executions).toHaveLength(1);
    return ws.stack.stepFunctions.describeExecution(executions[0]!.executionArn);
  }

  async function settled(id: string): Promise<ExecutionDescription> {
    await ws.stack.stepFunctions.idle();
    return terminationExecution(id);
  }

  const outputOf = (execution: ExecutionDescription) => JSON.parse(execution.output ?? '{}');

  // --- the end date ----------------------------------------------------------------------------------

  describe('the end of the notice period', () => {
    it('is still in its notice period at 23:59 Oslo time on terminatesOn and TERMINATED at 00:01 the next day', async () => {
      const id = await agreementInForce(3);
      const terminatesOn = await giveNotice(id, 'processor');
      expect(terminatesOn).toBe(plusMonths(today, 3));

      await advanceTo(ws, osloWallTime(terminatesOn, 23, 59));
      expect(await status(id)).toBe('NOTICE_PERIOD');
      expect(terminationExecution(id).status).toBe('RUNNING');
      expect(invocationsOf(ws, id, 'terminateAgreement')).toBe(0);

      await advanceTo(ws, justAfterTermination(terminatesOn));
      const agreement = (await ws.controller.get<TerminatedBody>(`/agreements/${id}`)).body;
      expect(agreement).toMatchObject({
        status: 'TERMINATED',
        terminatesOn,
        termination: { givenBy: 'processor', givenOn: today },
      });
      // Terminated at the midnight that ended terminatesOn in Oslo, not a moment earlier or later.
      expect(agreement.terminatedAt).toBe(osloWallTime(plusDays(terminatesOn, 1), 0).toISOString());
      expect(await history(ws, id)).toContainEqual(
        expect.objectContaining({ type: 'TERMINATED', fromStatus: 'NOTICE_PERIOD', toStatus: 'TERMINATED' }),
      );
      const told = await notificationsOfType(id, 'agreement.terminated');
      expect([told.controller.length, told.processor.length]).toEqual([1, 1]);
      expect(terminationExecution(id).status).toBe('RUNNING');
    });

    it('reminds both parties once 30 and once 7 days ahead, even when the daily run runs twice', async () => {
      const id = await agreementInForce(3);
      const terminatesOn = await giveNotice(id);

      // Two runs at once before the scheduled one (a retried and a doubled run), then the scheduled run.
      await advanceTo(ws, osloWallTime(plusDays(terminatesOn, -30), 6));
      const runs = await Promise.all([runDailyReminders(), runDailyReminders()]);
      expect(runs.every((run) => run.due >= 1)).toBe(true);
      await advanceTo(ws, osloWallTime(plusDays(terminatesOn, -30), 8));
      await runDailyReminders();
      const ahead30 = await notificationsOfType(id, 'reminder.termination-ahead-30');
      expect([ahead30.controller.length, ahead30.processor.length]).toEqual([1, 1]);
      expect(ahead30.controller[0]!.details).toEqual({ terminatesOn, daysAhead: 30 });

      await advanceTo(ws, osloWallTime(plusDays(terminatesOn, -8), 8));
      expect((await notificationsOfType(id, 'reminder.termination-ahead-7')).controller).toHaveLength(0);
      await advanceTo(ws, osloWallTime(plusDays(terminatesOn, -7), 8));
      await runDailyReminders();
      const ahead7 = await notificationsOfType(id, 'reminder.termination-ahead-7');
      expect([ahead7.controller.length, ahead7.processor.length]).toEqual([1, 1]);

      await terminated(id, terminatesOn);
      const after30 = await notificationsOfType(id, 'reminder.termination-ahead-30');
      expect([after30.controller.length, after30.processor.length]).toEqual([1, 1]);
    });

    it('drops a reminder ahead that a missed run left behind, telling no one, once the agreement is TERMINATED', async () => {
      const id = await agreementInForce(3);
      const terminatesOn = await giveNotice(id);
      await terminated(id, terminatesOn);
      // What a run that never happened would leave: the reminder 7 days ahead, still due.
      await dynamoClient().send(
        new TransactWriteItemsCommand({
          TransactItems: reminderPuts(id, [
            { agreementId: id, kind: 'termination-ahead-7', dueOn: plusDays(terminatesOn, -7) },
          ]),
        }),
      );
      const dueFor = async (date: string) =>
        (await dueReminders(date)).filter((r) => r.agreementId === id).map((r) => r.kind);
      expect(await dueFor(plusDays(terminatesOn, 1))).toEqual(['termination-ahead-7']);

      await runDailyReminders();
      expect(await dueFor(plusDays(terminatesOn, 1))).toEqual([]);
      const ahead7 = await notificationsOfType(id, 'reminder.termination-ahead-7');
      expect([ahead7.controller.length, ahead7.processor.length]).toEqual([1, 1]);
    });
  });

  // --- the controller's choice -----------------------------------------------------------------------

  describe("the controller's choice and the processor's attestation", () => {
    it('continues at once after termination when the choice was made during the notice period, then closes', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      const chosen = await choose(id, 'DELETE');
      expect(chosen.status).toBe(200);
      expect(chosen.body).toMatchObject({ status: 'NOTICE_PERIOD', dataDisposition: { method: 'DELETE' } });

      await terminated(id, terminatesOn);
      await ws.stack.stepFunctions.idle();
      // The termination completed the wait for the choice itself: nothing was waited for.
      expect(invocationsOf(ws, id, 'terminateAgreement')).toBe(1);
      expect(invocationsOf(ws, id, 'awaitDisposition')).toBe(0);
      expect(invocationsOf(ws, id, 'awaitAttestation')).toBe(1);
      expect(terminationExecution(id).status).toBe('RUNNING');

      today = plusDays(terminatesOn, 1);
      const attested = await attest(id, 'DELETE');
      expect(attested.status).toBe(201);
      expect(attested.body).toMatchObject({ status: 'CLOSED', attestation: { method: 'DELETE' } });
      const execution = await settled(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({
        disposition: { method: 'DELETE' },
        attested: { status: 'CLOSED' },
      });
      expect(invocationsOf(ws, id, 'escalateDisposition')).toBe(0);
      expect((await notificationsOfType(id, 'reminder.disposition-missing')).controller).toHaveLength(0);
      const closed = await notificationsOfType(id, 'agreement.closed');
      expect([closed.controller.length, closed.processor.length]).toEqual([1, 1]);
    });

    it('waits after termination for a choice, refuses attestations by the wrong party or of the wrong method, and closes', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      await terminated(id, terminatesOn);
      await advanceTo(ws, osloWallTime(plusDays(terminatesOn, 4), 10));
      today = plusDays(terminatesOn, 4);
      expect(terminationExecution(id).status).toBe('RUNNING');
      expect(invocationsOf(ws, id, 'awaitAttestation')).toBe(0);

      const early = await attest(id, 'RETURN');
      expect(early.status).toBe(409);
      expect(early.body.currentStatus).toBe('TERMINATED');
      expect((await choose(id, 'RETURN')).status).toBe(200);
      await ws.stack.stepFunctions.idle();
      expect(invocationsOf(ws, id, 'awaitAttestation')).toBe(1);

      const valid = {
        method: 'RETURN',
        completedOn: today,
        statement: 'Data levert',
        signatory: { name: 'Kari Testesen', title: 'Rådmann' },
      };
      const path = `/agreements/${id}/data-disposition/attestation`;
      expect((await ws.controller.post<Problem>(path, valid)).status).toBe(403);
      expect((await ws.outsider.post<Problem>(path, valid)).status).toBe(404);
      const wrongMethod = await attest(id, 'DELETE');
      expect(wrongMethod.status).toBe(409);
      expect(wrongMethod.body.currentStatus).toBe('TERMINATED');
      expect(await status(id)).toBe('TERMINATED');

      const attested = await attest(id, 'RETURN');
      expect(attested.status).toBe(201);
      expect(attested.body.status).toBe('CLOSED');
      const execution = await settled(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({
        disposition: { method: 'RETURN' },
        attested: { status: 'CLOSED' },
      });
      expect((await notificationsOfType(id, 'escalation.disposition-overdue')).controller).toHaveLength(0);
    });

    it('ends in RETAINED_UNDER_LAW, reminds the processor on the review date, and closes with the final deletion', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      expect((await choose(id, 'DELETE')).status).toBe(200);
      await terminated(id, terminatesOn);
      today = plusDays(terminatesOn, 1);
      const reviewOn = plusDays(today, 40);

      const retained = await attest(id, 'DELETE', {
        retainedUnderLaw: {
          legalBasis: 'Bokføringsloven § 13 (oppbevaring av regnskapsmateriale)',
          reviewOn,
        },
      });
      expect(retained.status).toBe(201);
      expect(retained.body).toMatchObject({
        status: 'RETAINED_UNDER_LAW',
        attestation: { method: 'DELETE', retainedUnderLaw: { reviewOn } },
      });
      const execution = await settled(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({ attested: { status: 'RETAINED_UNDER_LAW' } });

      await advanceTo(ws, osloWallTime(reviewOn, 8));
      const review = await notificationsOfType(id, 'reminder.retention-review');
      expect([review.controller.length, review.processor.length]).toEqual([0, 1]);
      today = reviewOn;

      const returnInstead = await attest(id, 'RETURN');
      expect(returnInstead.status).toBe(409);
      expect(returnInstead.body.currentStatus).toBe('RETAINED_UNDER_LAW');
      const final = await attest(id, 'DELETE');
      expect(final.status).toBe(201);
      expect(final.body).toMatchObject({
        status: 'CLOSED',
        attestation: { method: 'DELETE', completedOn: reviewOn },
      });
      expect(final.body.attestation?.retainedUnderLaw).toBeUndefined();
      const attestations = (await history(ws, id)).filter((e) => e.type === 'DATA_DISPOSITION_ATTESTED');
      expect(attestations.map((e) => Boolean(e.details?.retainedUnderLaw))).toEqual([true, false]);
      expect(await history(ws, id)).toContainEqual(
        expect.objectContaining({ fromStatus: 'RETAINED_UNDER_LAW', toStatus: 'CLOSED' }),
      );
    });
  });

  // --- escalation --------------------------------------------------------------------------------------

  describe('escalation when a human step is overdue', () => {
    it('escalates to both parties 14 days after termination without a choice, then continues when it comes', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      await terminated(id, terminatesOn);
      const terminatedAt = osloWallTime(plusDays(terminatesOn, 1), 0).getTime();

      await advanceTo(ws, new Date(terminatedAt + FOURTEEN_DAYS_MS - 60_000));
      expect((await notificationsOfType(id, 'escalation.disposition-overdue')).controller).toHaveLength(0);
      await advanceTo(ws, new Date(terminatedAt + FOURTEEN_DAYS_MS + 3_600_000));
      const escalated = await notificationsOfType(id, 'escalation.disposition-overdue');
      expect([escalated.controller.length, escalated.processor.length]).toEqual([1, 1]);
      expect(escalated.controller[0]!.details).toMatchObject({ step: 'disposition', round: 1, lastRound: 6 });
      expect(terminationExecution(id).status).toBe('RUNNING');
      // The weekly reminder went to the controller only, a week and two weeks after terminatesOn.
      const reminders = await notificationsOfType(id, 'reminder.disposition-missing');
      expect([reminders.controller.length, reminders.processor.length]).toEqual([2, 0]);

      today = plusDays(terminatesOn, 15);
      await advanceTo(ws, osloWallTime(today, 10));
      expect((await notificationsOfType(id, 'reminder.disposition-missing')).controller).toHaveLength(2);
      expect((await choose(id, 'DELETE')).status).toBe(200);
      expect((await attest(id, 'DELETE')).body.status).toBe('CLOSED');
      const execution = await settled(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({ attested: { status: 'CLOSED' } });
      // The first round was awaited by the termination, the second after the escalation.
      expect(invocationsOf(ws, id, 'terminateAgreement')).toBe(1);
      expect(invocationsOf(ws, id, 'awaitDisposition')).toBe(1);
    });

    it('escalates an overdue attestation, then closes when it comes', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      expect((await choose(id, 'RETURN')).status).toBe(200);
      await terminated(id, terminatesOn);

      today = plusDays(terminatesOn, 16);
      await advanceTo(ws, osloWallTime(today, 10));
      const escalated = await notificationsOfType(id, 'escalation.attestation-overdue');
      expect([escalated.controller.length, escalated.processor.length]).toEqual([1, 1]);
      // Weekly to the processor from a week after terminatesOn: days 7 and 14.
      const reminders = await notificationsOfType(id, 'reminder.attestation-missing');
      expect([reminders.controller.length, reminders.processor.length]).toEqual([0, 2]);

      expect((await attest(id, 'RETURN')).body.status).toBe('CLOSED');
      const execution = await settled(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({ attested: { status: 'CLOSED' }, escalation: { round: 1 } });
    });

    it('hands over to the daily reminders after six rounds without a choice; the choice and attestation still close it', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      await terminated(id, terminatesOn);

      // 6 rounds of 14 days = day 84 after termination.
      today = plusDays(terminatesOn, 86);
      await advanceTo(ws, osloWallTime(today, 10));
      const execution = terminationExecution(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({
        escalation: { round: 6, handedOver: true, pending: true },
      });
      expect(await status(id)).toBe('TERMINATED');
      const escalated = await notificationsOfType(id, 'escalation.disposition-overdue');
      expect([escalated.controller.length, escalated.processor.length]).toEqual([6, 6]);
      expect((await history(ws, id)).filter((e) => e.type === 'HANDED_TO_DAILY_REMINDERS')).toHaveLength(1);

      // Weekly reminders carry on after the handover: days 7, 14, ..., 84 after terminatesOn, then 91.
      expect((await notificationsOfType(id, 'reminder.disposition-missing')).controller).toHaveLength(12);
      today = plusDays(terminatesOn, 92);
      await advanceTo(ws, osloWallTime(today, 10));
      expect((await notificationsOfType(id, 'reminder.disposition-missing')).controller).toHaveLength(13);

      expect((await choose(id, 'RETURN')).status).toBe(200);
      const closed = await attest(id, 'RETURN');
      expect(closed.status).toBe(201);
      expect(closed.body.status).toBe('CLOSED');
      await ws.stack.stepFunctions.idle();
      expect(terminationExecution(id).status).toBe('SUCCEEDED');
      expect((await history(ws, id)).filter((e) => e.type === 'WORKFLOW_FAILED')).toHaveLength(0);
    });

    it('hands over to the daily reminders after six rounds without an attestation', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      expect((await choose(id, 'DELETE')).status).toBe(200);
      await terminated(id, terminatesOn);

      today = plusDays(terminatesOn, 86);
      await advanceTo(ws, osloWallTime(today, 10));
      const execution = terminationExecution(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({
        disposition: { method: 'DELETE' },
        escalation: { round: 6, handedOver: true },
      });
      const escalated = await notificationsOfType(id, 'escalation.attestation-overdue');
      expect([escalated.controller.length, escalated.processor.length]).toEqual([6, 6]);
      expect((await notificationsOfType(id, 'reminder.attestation-missing')).processor).toHaveLength(12);

      expect((await attest(id, 'DELETE')).body.status).toBe('CLOSED');
    });
  });

  // --- failures ------------------------------------------------------------------------------------------

  describe('failing tasks', () => {
    it('retries a task that fails with a Lambda service error and terminates on time', async () => {
      const id = await agreementInForce();
      let failures = 0;
      ws.faults.set(id, async (taskId, _payload, invoke) => {
        if (taskId === 'terminateAgreement' && failures === 0) {
          failures += 1;
          throw lambdaError('Lambda.ServiceException');
        }
        return invoke();
      });
      const terminatesOn = await giveNotice(id);

      await terminated(id, terminatesOn);

      expect(failures).toBe(1);
      expect(invocationsOf(ws, id, 'terminateAgreement')).toBe(2);
      expect(terminationExecution(id).status).toBe('RUNNING');
      expect((await history(ws, id)).filter((e) => e.type === 'TERMINATED')).toHaveLength(1);
    });

    it('records a task that keeps failing in the history and leaves the agreement as it was', async () => {
      const id = await agreementInForce();
      ws.faults.set(id, async (taskId, _payload, invoke) => {
        if (taskId === 'prepareTermination')
          throw lambdaError('TableUnavailable', 'the table is unreachable');
        return invoke();
      });
      await giveNotice(id);

      const execution = await settled(id);

      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('TerminationWorkflowFailed');
      expect(await status(id)).toBe('NOTICE_PERIOD');
      expect(await history(ws, id)).toContainEqual(
        expect.objectContaining({
          type: 'WORKFLOW_FAILED',
          details: expect.objectContaining({ workflow: 'termination', error: 'TableUnavailable' }),
        }),
      );
    });
  });

  // --- routing on the record ----------------------------------------------------------------------------

  describe('routing on what the record says', () => {
    it('waits again when the wait ended before terminatesOn had ended (the record is still in its notice period)', async () => {
      const id = await agreementInForce();
      let early = true;
      ws.faults.set(id, async (taskId, payload, invoke) => {
        if (taskId === 'terminateAgreement' && early) {
          // What the task says when it wakes before terminatesOn has ended by the clock.
          early = false;
          await completeTask(payload.taskToken!, { status: 'NOTICE_PERIOD' });
          return { waiting: false };
        }
        return invoke();
      });
      const terminatesOn = await giveNotice(id);

      await terminated(id, terminatesOn);

      expect(invocationsOf(ws, id, 'prepareTermination')).toBe(2);
      expect(invocationsOf(ws, id, 'terminateAgreement')).toBe(2);
      expect(terminationExecution(id).status).toBe('RUNNING');
    });

    it('records a failure, never a silent end, when the agreement is in a state the workflow does not expect', async () => {
      const id = await agreementInForce();
      // As if the notice had been rolled back after the workflow had in fact started.
      ws.faults.set(id, async (taskId, _payload, invoke) =>
        taskId === 'prepareTermination'
          ? { status: 'IN_FORCE', terminatesAt: '2030-01-01T00:00:00Z' }
          : invoke(),
      );
      await giveNotice(id);

      const execution = await settled(id);

      expect(execution.status).toBe('FAILED');
      expect(await history(ws, id)).toContainEqual(
        expect.objectContaining({
          type: 'WORKFLOW_FAILED',
          details: expect.objectContaining({ workflow: 'termination', error: 'UnexpectedStatus' }),
        }),
      );
    });
  });

  // --- a restart ----------------------------------------------------------------------------------------

  describe('a restart of the local stack', () => {
    it('during the notice period resumes the execution from the record, which still terminates at the end of terminatesOn', async () => {
      const id = await agreementInForce(2);
      const terminatesOn = await giveNotice(id);
      await advanceTo(ws, osloWallTime(plusDays(terminatesOn, -20), 12));

      ws = await restartWorkflowStack(ws);
      await ws.stack.stepFunctions.idle();
      expect(terminationExecution(id).status).toBe('RUNNING');
      expect(invocationsOf(ws, id, 'prepareTermination')).toBe(1);

      await advanceTo(ws, osloWallTime(terminatesOn, 23, 59));
      expect(await status(id)).toBe('NOTICE_PERIOD');
      await advanceTo(ws, justAfterTermination(terminatesOn));
      expect(await status(id)).toBe('TERMINATED');
      const ahead7 = await notificationsOfType(id, 'reminder.termination-ahead-7');
      expect([ahead7.controller.length, ahead7.processor.length]).toEqual([1, 1]);
    });

    it('resumes a workflow waiting for the choice after termination, which then continues to CLOSED', async () => {
      const id = await agreementInForce();
      const terminatesOn = await giveNotice(id);
      await terminated(id, terminatesOn);

      ws = await restartWorkflowStack(ws);
      await ws.stack.stepFunctions.idle();
      expect(terminationExecution(id).status).toBe('RUNNING');
      // Found TERMINATED, the termination task only registers the wait for the choice again.
      expect(invocationsOf(ws, id, 'terminateAgreement')).toBe(1);
      expect(invocationsOf(ws, id, 'awaitDisposition')).toBe(0);
      expect((await history(ws, id)).filter((e) => e.type === 'TERMINATED')).toHaveLength(1);

      today = plusDays(terminatesOn, 1);
      expect((await choose(id, 'DELETE')).status).toBe(200);
      expect((await attest(id, 'DELETE')).body.status).toBe('CLOSED');
      const execution = await settled(id);
      expect(execution.status).toBe('SUCCEEDED');
      expect(outputOf(execution)).toMatchObject({
        schedule: { status: 'TERMINATED' },
        disposition: { method: 'DELETE' },
        attested: { status: 'CLOSED' },
      });
      expect((await history(ws, id)).filter((e) => e.type === 'TERMINATED')).toHaveLength(1);
    });
  });
});
