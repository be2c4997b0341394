import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startLocalStack } from '../../functions/local/local-stack.ts';
import type { ExecutionDescription } from '../../functions/local/step-functions/engine.ts';
import { taskFaultSettingsFromEnv } from '../../functions/local/task-faults.ts';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../support/api-client.ts';
import {
  type AgreementBody,
  advanceTo,
  clockNow,
  type HistoryItem,
  history,
  nextMorning,
  notificationsAbout,
  osloDate,
  osloWallTime,
  plusDays,
  readAgreement,
  removeDataDir,
  signAsController,
  signAsProcessor,
  submit,
  type WorkflowStack,
} from './harness.ts';

/**
 * Whole lifecycles on the local stack while 30% of the workflows' task invocations fail as Lambda
 * does under trouble (LOCAL_TASK_FAULT_RATE, functions/local/task-faults.ts): service errors,
 * throttling, and timeouts, some of them after the handler ran and its result was lost. Every
 * lifecycle must still end as it would without faults, each change recorded and told exactly once,
 * no workflow giving up. The lifecycles run one after another, so a seed reproduces its faults:
 * LOCAL_TASK_FAULT_SEED=7 npx vitest run test/workflows/faults.test.ts
 */

const settings = taskFaultSettingsFromEnv({
  LOCAL_TASK_FAULT_RATE: process.env.LOCAL_TASK_FAULT_RATE ?? '0.3',
  LOCAL_TASK_FAULT_SEED: process.env.LOCAL_TASK_FAULT_SEED,
});

const STATE_MACHINES = [
  'SIGNING_STATE_MACHINE_ARN',
  'TERMINATION_STATE_MACHINE_ARN',
  'SUB_PROCESSOR_APPROVAL_STATE_MACHINE_ARN',
] as const;

/** The history and the notifications of an agreement both parties signed. */
const SIGNED = ['AGREEMENT_CREATED', 'SUBMITTED_FOR_SIGNATURE', 'SIGNED', 'SIGNED', 'ENTERED_INTO_FORCE'];
const TOLD_SIGNED = [
  'agreement.awaiting-signatures',
  'agreement.signed',
  'agreement.signed',
  'agreement.in-force',
];

interface SubProcessorBody {
  id: string;
  status: string;
}

describe(`whole lifecycles with ${settings.rate * 100}% of task invocations failing (LOCAL_TASK_FAULT_SEED=${settings.seed})`, () => {
  let ws: WorkflowStack;
  const faultLines: string[] = [];
  let today: string;

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'task-faults-'));
    const invocations: WorkflowStack['invocations'] = [];
    const stack = await startLocalStack({
      port: 0,
      dataDir,
      dynamoEndpoint: inject('dynamoEndpoint'),
      dynamoInMemory: true,
      tableName: `faults-${randomUUID()}`,
      taskFaults: { ...settings, log: (line) => faultLines.push(line) },
      deliverNotifications: false,
      interceptTask: (taskId, payload, invoke) => {
        const agreementId = (payload as { agreementId?: string } | null)?.agreementId;
        invocations.push({ taskId, ...(agreementId ? { agreementId } : {}) });
        return invoke();
      },
    });
    ws = {
      stack,
      dataDir,
      tableName: stack.tableName,
      signingArn: process.env.SIGNING_STATE_MACHINE_ARN!,
      controller: await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG),
      processor: await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG),
      outsider: await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG),
      invocations,
      faults: new Map(),
    };
  });

  afterAll(async () => {
    await ws?.stack.stop();
    await removeDataDir(ws);
  });

  beforeEach(async (context) => {
    today = await nextMorning(ws);
    const faultsBefore = faultLines.length;
    context.onTestFailed(() => {
      console.error(
        `Faults injected during "${context.task.name}" (reproduce with LOCAL_TASK_FAULT_SEED=${settings.seed}):\n` +
          faultLines.slice(faultsBefore).join('\n'),
      );
    });
  });

  // --- the lifecycle steps, as the parties take them -------------------------------------------------

  async function submitted(overrides: Record<string, unknown> = {}): Promise<AgreementBody> {
    const created = await ws.controller.post<AgreementBody>(
      '/agreements',
      agreementRequest({ title: 'Databehandleravtale (feilinjeksjon)', ...overrides }),
    );
    expect(created.status).toBe(201);
    const body = await submit(ws, created.body.id);
    await ws.stack.stepFunctions.idle();
    return body;
  }

  async function inForce(overrides: Record<string, unknown> = {}): Promise<string> {
    const { id } = await submitted(overrides);
    expect((await signAsController(ws, id)).status).toBe(201);
    expect((await signAsProcessor(ws, id)).body.status).toBe('IN_FORCE');
    await ws.stack.stepFunctions.idle();
    return id;
  }

  async function requestSubProcessor(id: string): Promise<string> {
    const requested = await ws.processor.post<SubProcessorBody>(`/agreements/${id}/sub-processors`, {
      name: 'Driftshuset AS',
      orgNumber: '974652358',
      address: 'Storgata 1, 0155 Oslo',
      processingLocation: { city: 'Oslo', countryCode: 'NO' },
      activities: 'Drift og backup av fagsystemet',
      personalDataTypes: ['Navn', 'Fødselsnummer'],
    });
    expect(requested.status).toBe(202);
    await ws.stack.stepFunctions.idle();
    return requested.body.id;
  }

  async function decide(id: string, subId: string, decision: 'APPROVED' | 'REJECTED'): Promise<void> {
    const decided = await ws.controller.post<SubProcessorBody>(
      `/agreements/${id}/sub-processors/${subId}/decision`,
      {
        decision,
        reason: 'Vurdert etter avtalens punkt 8',
        signatory: { name: 'Kari Testesen', title: 'Rådmann' },
      },
    );
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe(decision);
    await ws.stack.stepFunctions.idle();
  }

  async function subProcessorStatus(id: string, subId: string): Promise<string> {
    const read = await ws.processor.get<SubProcessorBody>(`/agreements/${id}/sub-processors/${subId}`);
    expect(read.status).toBe(200);
    return read.body.status;
  }

  // --- what every lifecycle must show --------------------------------------------------------------

  /** Every execution about the agreement, of every state machine, once nothing moves any more. */
  async function executionsOf(id: string): Promise<ExecutionDescription[]> {
    await ws.stack.stepFunctions.idle();
    return STATE_MACHINES.flatMap((variable) =>
      ws.stack.stepFunctions
        .listExecutions(process.env[variable]!)
        .filter((execution) => execution.name.startsWith(id))
        .map((execution) => ws.stack.stepFunctions.describeExecution(execution.executionArn)),
    );
  }

  async function expectWorkflowsSucceeded(id: string, count: number): Promise<void> {
    const executions = await executionsOf(id);
    expect(executions.map((execution) => [execution.name, execution.status, execution.error])).toEqual(
      executions.map((execution) => [execution.name, 'SUCCEEDED', undefined]),
    );
    expect(executions).toHaveLength(count);
  }

  /** The history holds exactly `types` in order, no entry twice, and no workflow failure. */
  async function expectHistory(id: string, types: string[]): Promise<HistoryItem[]> {
    const entries = await history(ws, id);
    expect(entries.map((entry) => entry.type)).not.toContain('WORKFLOW_FAILED');
    expect(entries.map((entry) => entry.type)).toEqual(types);
    const facts = entries.map(({ type, fromStatus, toStatus, details }) =>
      JSON.stringify({ type, fromStatus, toStatus, details }),
    );
    expect(new Set(facts).size).toBe(facts.length);
    return entries;
  }

  /**
   * Each party was told exactly `types` (in any order), each notification once (the nightly seal
   * runs' `audit.sealed` are of no one agreement, and counted apart if any slip in).
   */
  async function expectNotified(id: string, expected: { controller: string[]; processor: string[] }) {
    const told = {
      controller: await notificationsAbout(ws.controller, id),
      processor: await notificationsAbout(ws.processor, id),
    };
    for (const party of ['controller', 'processor'] as const) {
      const lifecycle = told[party].filter((n) => n.type !== 'audit.sealed');
      expect(lifecycle.map((n) => n.type).sort(), party).toEqual([...expected[party]].sort());
      expect(new Set(told[party].map((n) => n.id)).size, party).toBe(told[party].length);
    }
  }

  // --- the lifecycles --------------------------------------------------------------------------------

  it('signs to IN_FORCE', async () => {
    const id = await inForce();

    expect((await readAgreement(ws, id)).status).toBe('IN_FORCE');
    await expectWorkflowsSucceeded(id, 1);
    await expectHistory(id, SIGNED);
    await expectNotified(id, { controller: TOLD_SIGNED, processor: TOLD_SIGNED });
  });

  it('expires when the signature deadline passes with one signature missing', async () => {
    const { id, signatureDeadline } = await submitted({ signatureDeadlineDays: 1 });
    expect((await signAsProcessor(ws, id)).status).toBe(201);
    await ws.stack.stepFunctions.idle();

    await advanceTo(ws, osloWallTime(plusDays(signatureDeadline!, 1), 0, 1));

    expect((await readAgreement(ws, id)).status).toBe('EXPIRED');
    await expectWorkflowsSucceeded(id, 1);
    await expectHistory(id, ['AGREEMENT_CREATED', 'SUBMITTED_FOR_SIGNATURE', 'SIGNED', 'EXPIRED']);
    const toldExpired = ['agreement.awaiting-signatures', 'agreement.signed', 'agreement.expired'];
    await expectNotified(id, { controller: toldExpired, processor: toldExpired });
  });

  it('terminates through the notice period and closes after the choice and the attestation', async () => {
    const id = await inForce({ noticePeriodMonths: 1 });
    const notice = await ws.processor.post<AgreementBody & { terminatesOn: string }>(
      `/agreements/${id}/termination-notice`,
      { reason: 'Tjenesten legges ned' },
    );
    expect(notice.status).toBe(200);
    await ws.stack.stepFunctions.idle();

    await advanceTo(ws, osloWallTime(plusDays(notice.body.terminatesOn, 1), 9));
    expect((await readAgreement(ws, id)).status).toBe('TERMINATED');
    const chosen = await ws.controller.post(`/agreements/${id}/data-disposition`, { method: 'DELETE' });
    expect(chosen.status).toBe(200);
    await ws.stack.stepFunctions.idle();
    const attested = await ws.processor.post<AgreementBody>(
      `/agreements/${id}/data-disposition/attestation`,
      {
        method: 'DELETE',
        completedOn: osloDate(await clockNow(ws)),
        statement: 'Alle personopplysninger og kopier er slettet.',
        signatory: { name: 'Per Testesen', title: 'Personvernombud' },
      },
    );
    expect(attested.status).toBe(201);

    expect((await readAgreement(ws, id)).status).toBe('CLOSED');
    await expectWorkflowsSucceeded(id, 2);
    await expectHistory(id, [
      ...SIGNED,
      'TERMINATION_NOTICE_GIVEN',
      'REMINDER_SENT',
      'REMINDER_SENT',
      'TERMINATED',
      'DATA_DISPOSITION_CHOSEN',
      'DATA_DISPOSITION_ATTESTED',
      'CLOSED',
    ]);
    const toldClosed = [
      ...TOLD_SIGNED,
      'agreement.termination-notice',
      'reminder.termination-ahead-30',
      'reminder.termination-ahead-7',
      'agreement.terminated',
      'agreement.data-disposition-chosen',
      'agreement.data-disposition-attested',
      'agreement.closed',
    ];
    await expectNotified(id, { controller: toldClosed, processor: toldClosed });
  });

  it('approves a sub-processor', async () => {
    const id = await inForce();
    const subId = await requestSubProcessor(id);

    await decide(id, subId, 'APPROVED');

    expect(await subProcessorStatus(id, subId)).toBe('APPROVED');
    await expectWorkflowsSucceeded(id, 2);
    await expectHistory(id, [
      ...SIGNED,
      'SUB_PROCESSOR_REQUESTED',
      'SUB_PROCESSOR_APPROVED',
      'APPENDIX_3_VERSION',
    ]);
    await expectNotified(id, {
      controller: [...TOLD_SIGNED, 'sub-processor.requested', 'sub-processor.approved'],
      processor: [...TOLD_SIGNED, 'sub-processor.approved'],
    });
  });

  it('rejects a sub-processor', async () => {
    const id = await inForce();
    const subId = await requestSubProcessor(id);

    await decide(id, subId, 'REJECTED');

    expect(await subProcessorStatus(id, subId)).toBe('REJECTED');
    await expectWorkflowsSucceeded(id, 2);
    await expectHistory(id, [...SIGNED, 'SUB_PROCESSOR_REQUESTED', 'SUB_PROCESSOR_REJECTED']);
    await expectNotified(id, {
      controller: [...TOLD_SIGNED, 'sub-processor.requested', 'sub-processor.rejected'],
      processor: [...TOLD_SIGNED, 'sub-processor.rejected'],
    });
  });

  it('expires a sub-processor request nobody decided within 30 days', async () => {
    const id = await inForce();
    const subId = await requestSubProcessor(id);

    await advanceTo(ws, osloWallTime(plusDays(today, 31), 9));

    expect(await subProcessorStatus(id, subId)).toBe('EXPIRED');
    await expectWorkflowsSucceeded(id, 2);
    await expectHistory(id, [
      ...SIGNED,
      'SUB_PROCESSOR_REQUESTED',
      'REMINDER_SENT',
      'REMINDER_SENT',
      'REMINDER_SENT',
      'REMINDER_SENT',
      'SUB_PROCESSOR_EXPIRED',
    ]);
    const weeklyReminders = Array<string>(4).fill('reminder.sub-processor-decision');
    await expectNotified(id, {
      controller: [...TOLD_SIGNED, 'sub-processor.requested', ...weeklyReminders, 'sub-processor.expired'],
      processor: [...TOLD_SIGNED, 'sub-processor.expired'],
    });
  });

  it('met faults on the way, each logged on one line with its seed', () => {
    const kinds = new Map<string, number>();
    for (const line of faultLines) {
      const kind = /fault=(\S+)/.exec(line)?.[1] ?? '?';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const afterHandlerRan = faultLines.filter((line) => line.includes('after-handler-ran')).length;
    console.log(
      `task-fault summary: seed=${settings.seed} rate=${settings.rate} faults=${faultLines.length} ` +
        `invocations=${ws.invocations.length} ${[...kinds].map(([kind, n]) => `${kind}=${n}`).join(' ')} ` +
        `after-handler-ran=${afterHandlerRan}`,
    );
    if (settings.rate === 0) return;
    expect(faultLines.length).toBeGreaterThan(0);
    for (const line of faultLines) {
      expect(line).toMatch(
        new RegExp(
          `^task-fault seed=${settings.seed} task=\\w+ state=\\w+ attempt=\\d+ fault=(Lambda|States)\\.\\w+`,
        ),
      );
    }
  });
});
