import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';
import type { ExecutionDescription } from '../../functions/local/step-functions/engine.ts';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';

/**
 * The signing state machine as CDK synthesizes it, run by the local engine with the real task
 * handlers, driven over HTTP like a caller would. Faults are injected per agreement through the
 * stack's `interceptTask`, so scenarios sharing one stack do not disturb each other.
 */

export type Invoke = () => Promise<unknown>;
/** Stands between the engine and a real task handler of one agreement's workflow. */
export type TaskFault = (taskId: string, payload: TaskPayload, invoke: Invoke) => Promise<unknown>;

export interface TaskPayload {
  agreementId?: string;
  party?: string;
  /** `.waitForTaskToken` tasks: the token that completes the task. */
  taskToken?: string;
}

export interface WorkflowStack {
  stack: LocalStack;
  dataDir: string;
  tableName: string;
  signingArn: string;
  controller: ApiClient;
  processor: ApiClient;
  outsider: ApiClient;
  /** Every task invocation the engine made, in order (retries included). */
  invocations: { taskId: string; agreementId?: string }[];
  faults: Map<string, TaskFault>;
}

/**
 * Every stack of a test file listens on the same port. The handlers' SFN client is created once per
 * process (functions/shared/clients.ts) with the endpoint of the stack that first used it, so a second
 * stack on another port would send StartExecution and SendTask* to the first one's (closed) port.
 */
let processPort = 0;

export async function startWorkflowStack(
  options: { dataDir?: string; tableName?: string } = {},
): Promise<WorkflowStack> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'signing-workflow-')));
  const tableName = options.tableName ?? `wf-${randomUUID()}`;
  const invocations: WorkflowStack['invocations'] = [];
  const faults = new Map<string, TaskFault>();
  const stack = await startLocalStack({
    port: processPort,
    dataDir,
    dynamoEndpoint: inject('dynamoEndpoint'),
    dynamoInMemory: true,
    tableName,
    // Delivery has a workflow test of its own (notification-delivery-workflow.test.ts).
    deliverNotifications: false,
    interceptTask: (taskId, payload, invoke) => {
      const agreementId = (payload as TaskPayload | null)?.agreementId;
      invocations.push({ taskId, ...(agreementId ? { agreementId } : {}) });
      const fault = agreementId ? faults.get(agreementId) : undefined;
      return fault ? fault(taskId, payload as TaskPayload, invoke) : invoke();
    },
  });
  processPort = Number(new URL(stack.url).port);
  const signingArn = process.env.SIGNING_STATE_MACHINE_ARN;
  if (!signingArn) throw new Error('The local stack did not publish the signing state machine ARN');
  return {
    stack,
    dataDir,
    tableName,
    signingArn,
    controller: await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG),
    processor: await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG),
    outsider: await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG),
    invocations,
    faults,
  };
}

/** Stops the stack as a process would end: in-flight executions stay RUNNING in the journal. */
export async function restartWorkflowStack(previous: WorkflowStack): Promise<WorkflowStack> {
  await previous.stack.stop();
  return startWorkflowStack({ dataDir: previous.dataDir, tableName: previous.tableName });
}

export async function removeDataDir(ws: WorkflowStack | undefined): Promise<void> {
  if (ws) await rm(ws.dataDir, { recursive: true, force: true });
}

// --- the API as the parties use it -----------------------------------------------------------------

export interface AgreementBody {
  id: string;
  status: string;
  version: number;
  contentHash: string;
  signatureDeadline?: string;
  effectiveFrom?: string;
  signatures: { party: string; signedOn: string; signatory: { name: string } }[];
  contentVersion?: number;
  openAmendment?: { id: string; number: number };
}

export interface Problem {
  status: number;
  currentStatus?: string;
  detail?: string;
}

/** A draft created by the controller (the creator), not yet submitted, so faults can be armed first. */
export async function createDraft(ws: WorkflowStack, title = 'Databehandleravtale (arbeidsflyt)') {
  const created = await ws.controller.post<AgreementBody>('/agreements', agreementRequest({ title }));
  expect(created.status).toBe(201);
  return created.body.id;
}

export async function submit(ws: WorkflowStack, id: string): Promise<AgreementBody> {
  const submitted = await ws.controller.post<AgreementBody>(`/agreements/${id}/submit`);
  expect(submitted.status).toBe(200);
  expect(submitted.body.status).toBe('AWAITING_SIGNATURES');
  return submitted.body;
}

export async function createAndSubmit(ws: WorkflowStack, title?: string): Promise<AgreementBody> {
  const submitted = await submit(ws, await createDraft(ws, title));
  await ws.stack.stepFunctions.idle();
  return submitted;
}

/** Signs the content as it is now (rule 12: the hash the party has read). */
export async function signAsController(ws: WorkflowStack, id: string, signedOn?: string) {
  const { contentHash } = await readAgreement(ws, id);
  return ws.controller.post<AgreementBody & Problem>(
    `/agreements/${id}/signatures`,
    signature('Kari Testesen', 'Radøy', contentHash, signedOn),
  );
}

export async function signAsProcessor(ws: WorkflowStack, id: string, signedOn?: string) {
  const { contentHash } = await readAgreement(ws, id);
  return ws.processor.post<AgreementBody & Problem>(
    `/agreements/${id}/signatures`,
    signature('Per Hansen', 'Oslo', contentHash, signedOn),
  );
}

export async function readAgreement(ws: WorkflowStack, id: string): Promise<AgreementBody> {
  const read = await ws.controller.get<AgreementBody>(`/agreements/${id}`);
  expect(read.status).toBe(200);
  return read.body;
}

export interface HistoryItem {
  type: string;
  fromStatus?: string;
  toStatus?: string;
  details?: Record<string, unknown>;
}

export async function history(ws: WorkflowStack, id: string): Promise<HistoryItem[]> {
  const read = await ws.processor.get<{ items: HistoryItem[] }>(`/agreements/${id}/history`);
  expect(read.status).toBe(200);
  return read.body.items;
}

export interface NotificationItem {
  id: string;
  type: string;
  agreementId: string;
  recipientOrgNumber: string;
  details?: Record<string, unknown>;
}

/** The caller's notifications about one agreement, every page read (a shared stack has many). */
export async function notificationsAbout(client: ApiClient, id: string): Promise<NotificationItem[]> {
  const found: NotificationItem[] = [];
  let cursor: string | undefined;
  do {
    const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await client.get<{ items: NotificationItem[]; nextCursor?: string }>(
      `/notifications?${query}`,
    );
    expect(page.status).toBe(200);
    found.push(...page.body.items.filter((item) => item.agreementId === id));
    cursor = page.body.nextCursor;
  } while (cursor);
  return found;
}

export async function notificationTypes(client: ApiClient, id: string): Promise<string[]> {
  return (await notificationsAbout(client, id)).map((item) => item.type);
}

// --- the virtual clock -----------------------------------------------------------------------------

export async function clockNow(ws: WorkflowStack): Promise<Date> {
  const read = await ws.controller.get<{ now: string }>('/local/clock');
  return new Date(read.body.now);
}

/** Moves the clock; the response comes once every timer on the way has run and settled. */
export async function advanceBy(ws: WorkflowStack, duration: string): Promise<void> {
  const moved = await ws.controller.post('/local/clock', { advanceBy: duration });
  expect(moved.status).toBe(200);
  await ws.stack.stepFunctions.idle();
}

export async function advanceTo(ws: WorkflowStack, instant: Date): Promise<void> {
  const moved = await ws.controller.post('/local/clock', { set: instant.toISOString() });
  expect(moved.status).toBe(200);
  await ws.stack.stepFunctions.idle();
}

// --- Step Functions --------------------------------------------------------------------------------

/** The signing execution of an agreement (named `<agreementId>-v<submitted version>`). */
export function signingExecution(ws: WorkflowStack, id: string): ExecutionDescription {
  const executions = ws.stack.stepFunctions
    .listExecutions(ws.signingArn)
    .filter((execution) => execution.name.startsWith(`${id}-`));
  expect(executions).toHaveLength(1);
  return ws.stack.stepFunctions.describeExecution(executions[0]!.executionArn);
}

export async function settledExecution(ws: WorkflowStack, id: string): Promise<ExecutionDescription> {
  await ws.stack.stepFunctions.idle();
  return signingExecution(ws, id);
}

export function invocationsOf(ws: WorkflowStack, id: string, taskId: string): number {
  return ws.invocations.filter((call) => call.agreementId === id && call.taskId === taskId).length;
}

/** What Lambda reports when the service itself failed (errorType = the error's name). */
export function lambdaError(name: string, message = `injected ${name}`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

// --- Oslo calendar, computed independently of functions/domain/calendar.ts -------------------------

const osloDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const osloOffsetFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Oslo',
  timeZoneName: 'longOffset',
});

/** YYYY-MM-DD in Oslo at the instant. */
export function osloDate(instant: Date): string {
  return osloDateFormat.format(instant);
}

export function plusDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Oslo's offset from UTC in hours at the instant: 1 in winter (CET), 2 in summer (CEST). */
export function osloOffsetHours(instant: Date): number {
  const name = osloOffsetFormat.formatToParts(instant).find((part) => part.type === 'timeZoneName')!.value;
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!match) throw new Error(`Unexpected offset ${name}`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) + Number(match[3]) / 60);
}

/** The instant the wall clock in Oslo shows `hh:mm:ss` on `date` (not across a DST change). */
export function osloWallTime(date: string, hours: number, minutes = 0, seconds = 0): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  const offset = osloOffsetHours(new Date(asUtc - 2 * 3_600_000));
  return new Date(asUtc - offset * 3_600_000);
}

/** Moves the clock to 10:00 Oslo time on the next day, so a scenario's dates do not straddle a midnight. */
export async function nextMorning(ws: WorkflowStack): Promise<string> {
  const day = plusDays(osloDate(await clockNow(ws)), 1);
  await advanceTo(ws, osloWallTime(day, 10));
  return day;
}
