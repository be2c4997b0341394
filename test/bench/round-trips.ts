import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { httpFunctions, reminderSchedule, taskFunctions } from '../../functions/catalogue.ts';
import { lambdaContext } from '../../functions/local/api-gateway.ts';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.ts';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';
import { fromRepoRoot } from '../../infra/paths.ts';
import {
  ApiClient,
  type ApiResponse,
  agreementRequest,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { osloDateOf, osloMidday, plusDays } from '../support/in-process-stack.ts';
import { countOperations, type DynamoProxy, type ProxiedCall, startDynamoProxy } from './dynamo-proxy.ts';

/**
 * DynamoDB round trips per API request, counted on the wire: the local stack runs in this process on
 * an in-memory DynamoDB Local, with a counting proxy (dynamo-proxy.ts) between them. Every route of
 * the catalogue is called once over HTTP in a realistic state (an agreement in force with an approved
 * sub-processor and a pending one, a breach report, notifications, an agreement awaiting signatures,
 * one terminated), first without and then with an `Idempotency-Key` on every POST.
 *
 * Attribution: what DynamoDB sees while a request is served belongs to that request, except what the
 * workflows' tasks send. The stack's `interceptTask` hook holds every task invocation back while a
 * request is measured (a gate) and lets it run once the response is in and the proxy is quiet; the
 * next request waits until the workflows are idle. The clock is parked at midday in Oslo, so the
 * daily run (07:00) never fires during a request.
 *
 * The same run gives three more figures: Scans anywhere (requests, workflow tasks, daily runs, set-up),
 * the daily reminder run's round trips when nothing is due, and the billed state transitions of a
 * whole lifecycle (signing to IN_FORCE, termination to CLOSED) on the local Step Functions engine.
 */

export interface RouteRoundTrip {
  route: string;
  method: string;
  path: string;
  variant: string;
  /** Pass 1 sends no Idempotency-Key; pass 2 repeats the scenario with one on every POST. */
  pass: 1 | 2;
  idempotencyKey: boolean;
  status: number;
  roundTrips: number;
  byOperation: Record<string, number>;
  sequence: string[];
}

export interface TransitionCount {
  stateMachine: string;
  /** `StateEntered` events: every state a Standard workflow bills as a transition. */
  entered: number;
  /** `StateRetried` events: AWS bills a retry as a transition too. */
  retried: number;
}

export interface RoundTripResults {
  routes: RouteRoundTrip[];
  /** Routes of the catalogue the scenario did not reach (should be none). */
  unmeasured: string[];
  /** Scans anywhere in the run (requests, tasks, daily runs, set-up). */
  scans: number;
  /** All SDK calls of the run by operation, and the commit barrier's read-backs (not round trips). */
  allCalls: Record<string, number>;
  barrierReadBacks: number;
  reminderRun: { roundTrips: number; byOperation: Record<string, number> };
  lifecycle: {
    agreementId: string;
    executions: TransitionCount[];
    transitions: number;
    finalStatus: string;
  };
}

/** Every execution the engine starts, with its state transitions (bench instrumentation). */
interface ObservedExecution extends TransitionCount {
  input: string;
}
const observed: ObservedExecution[] = [];
let instrumented = false;

/**
 * Counts the events of every execution run by aws-local-stepfunctions in this process: the engine
 * (functions/local/step-functions/engine.ts) reads each execution's `eventLogs` to the end, so a
 * generator that counts and passes them on changes nothing. Nested runs (Parallel branches, Map
 * iterations) forward their events to the execution's own log, so only top-level runs are counted.
 */
function instrumentStateMachines(): void {
  if (instrumented) return;
  instrumented = true;
  type Run = StateMachine['run'];
  const original: Run = StateMachine.prototype.run;
  StateMachine.prototype.run = function run(this: StateMachine, ...args: Parameters<Run>) {
    const execution = original.apply(this, args);
    const [input, options] = args;
    const nested = options !== undefined && '_rootAbortSignal' in options;
    if (nested) return execution;
    const record: ObservedExecution = {
      stateMachine: String(
        (options?.context as { StateMachine?: { Name?: string } } | undefined)?.StateMachine?.Name ??
          'unknown',
      ),
      input: JSON.stringify(input),
      entered: 0,
      retried: 0,
    };
    observed.push(record);
    const events = execution.eventLogs;
    execution.eventLogs = (async function* counted() {
      for await (const event of events) {
        if (event.type === 'StateEntered') record.entered++;
        else if (event.type === 'StateRetried') record.retried++;
        yield event;
      }
    })();
    return execution;
  } as Run;
}

/** Holds workflow task invocations back while a request is measured. */
class TaskGate {
  private closed = false;
  private waiting: (() => void)[] = [];
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.closed = false;
    for (const release of this.waiting.splice(0)) release();
  }
  async pass(): Promise<void> {
    if (this.closed) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}

const SUB_PROCESSOR_ORG = '953264382';
const subProcessorRequest = (name: string) => ({
  name,
  orgNumber: SUB_PROCESSOR_ORG,
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og sikkerhetskopi av fagsystemet',
  personalDataTypes: ['Navn'],
});
const breachReport = (becameAwareAt: string) => ({
  becameAwareAt,
  nature: 'Brev med vedtak sendt til feil adresse',
  dataSubjectCategories: ['Deltakere i KVP'],
  approximateDataSubjects: 1,
  personalDataCategories: ['Navn', 'Fødselsnummer'],
  approximateRecords: 1,
  contactPoint: { name: 'Ola Nordmann', email: 'personvern@example.no', phone: '+4798888888' },
  likelyConsequences: 'Uvedkommende kan ha lest vedtaket',
  measuresTaken: 'Mottakeren har returnert brevet',
});
const approval = { decision: 'APPROVED', reason: 'Godkjent', signatory: { name: 'Kari', title: 'Rådmann' } };

interface Body {
  id: string;
  status: string;
  terminatesOn?: string;
}

interface Bench {
  stack: LocalStack;
  proxy: DynamoProxy;
  gate: TaskGate;
}

async function settle(bench: Bench): Promise<void> {
  bench.gate.open();
  await bench.stack.stepFunctions.idle();
  await bench.proxy.quiet();
}

/** One pass over every route; returns its rows and the agreement that went through the whole lifecycle. */
async function measureRoutes(
  bench: Bench,
  options: { idempotencyKey: boolean },
): Promise<{ rows: RouteRoundTrip[]; lifecycleId: string }> {
  const { stack, proxy, gate } = bench;
  const controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
  const processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
  const rows: RouteRoundTrip[] = [];
  const clockNow = async () => (await controller.get<{ now: string }>('/local/clock')).body.now;
  const setClock = async (instant: string) => {
    const moved = await controller.post('/local/clock', { set: instant });
    if (moved.status !== 200) throw new Error(`clock: ${moved.status} ${JSON.stringify(moved.body)}`);
    await settle(bench);
  };
  const expect = <T>(what: string, response: ApiResponse<T>, status: number): ApiResponse<T> => {
    if (response.status !== status) {
      throw new Error(`${what}: ${response.status} (expected ${status}) ${JSON.stringify(response.body)}`);
    }
    return response;
  };

  async function call<T = Body>(
    route: string,
    variant: string,
    client: ApiClient,
    path: string,
    expected: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const fn = httpFunctions.find((candidate) => candidate.id === route);
    if (!fn) throw new Error(`No route ${route} in the catalogue`);
    const sent =
      options.idempotencyKey && fn.method === 'POST'
        ? { ...headers, 'idempotency-key': randomUUID() }
        : headers;
    await settle(bench);
    gate.close();
    const mark = proxy.mark();
    const response = await client.request<T>(fn.method, path, body, sent);
    await proxy.quiet();
    const counted = countOperations(proxy.calls.slice(mark));
    await settle(bench);
    expect(`${route} (${variant})`, response, expected);
    rows.push({
      route,
      method: fn.method,
      path: fn.path,
      variant,
      pass: options.idempotencyKey ? 2 : 1,
      idempotencyKey: 'idempotency-key' in sent,
      status: response.status,
      roundTrips: counted.total,
      byOperation: counted.byOperation,
      sequence: counted.sequence,
    });
    return response;
  }

  // Set-up, not measured: a quiet hour (midday in Oslo, the next day), an agreement in force with an
  // approved sub-processor, a pending request and a breach, and one awaiting the second signature.
  await setClock(osloMidday(plusDays(osloDateOf(new Date(await clockNow())), 1)));
  const create = async (title: string) => {
    const created = expect(
      'set-up create',
      await controller.post<Body>('/agreements', agreementRequest({ title })),
      201,
    );
    await settle(bench);
    return created.body.id;
  };
  const submit = async (id: string) => {
    expect('set-up submit', await controller.post(`/agreements/${id}/submit`), 200);
    await settle(bench);
  };
  const sign = async (id: string, by: 'controller' | 'processor') => {
    const client = by === 'controller' ? controller : processor;
    const body = by === 'controller' ? signature('Kari Nordmann', 'Radøy') : signature('Per Hansen', 'Oslo');
    expect('set-up signature', await client.post(`/agreements/${id}/signatures`, body), 201);
    await settle(bench);
  };
  const inForce = await create('Avtale i kraft');
  await submit(inForce);
  await sign(inForce, 'processor');
  await sign(inForce, 'controller');
  const approvedSub = expect(
    'set-up sub-processor',
    await processor.post<Body>(`/agreements/${inForce}/sub-processors`, subProcessorRequest('Drift AS')),
    202,
  ).body.id;
  await settle(bench);
  expect(
    'set-up decision',
    await controller.post(`/agreements/${inForce}/sub-processors/${approvedSub}/decision`, approval),
    200,
  );
  await settle(bench);
  const pendingSub = expect(
    'set-up pending sub-processor',
    await processor.post<Body>(`/agreements/${inForce}/sub-processors`, subProcessorRequest('Ventende AS')),
    202,
  ).body.id;
  await settle(bench);
  const earlierBreach = expect(
    'set-up breach',
    await processor.post<Body>(
      `/agreements/${inForce}/breaches`,
      breachReport(new Date(await clockNow()).toISOString()),
    ),
    201,
  ).body.id;
  await settle(bench);
  const awaiting = await create('Avtale som trekkes');
  await submit(awaiting);
  await sign(awaiting, 'processor');

  // The lifecycle agreement, measured at every step: create, edit, submit, both signatures.
  const lifecycleId = (
    await call('createAgreement', 'new draft', controller, '/agreements', 201, agreementRequest())
  ).body.id;
  await call(
    'patchAgreement',
    'draft',
    controller,
    `/agreements/${lifecycleId}`,
    200,
    { breachNotificationHours: 24 },
    { 'if-match': '"1"' },
  );
  await call('submitAgreement', 'draft', controller, `/agreements/${lifecycleId}/submit`, 200);
  await call(
    'signAgreement',
    'first signature',
    processor,
    `/agreements/${lifecycleId}/signatures`,
    201,
    signature('Per Hansen', 'Oslo'),
  );
  await call(
    'signAgreement',
    'second signature (in force)',
    controller,
    `/agreements/${lifecycleId}/signatures`,
    201,
    signature('Kari Nordmann', 'Radøy'),
  );
  await call('cancelAgreement', 'awaiting a signature', controller, `/agreements/${awaiting}/cancel`, 200, {
    reason: 'Feil motpart',
  });

  // Reads of the agreement in force.
  await call('listAgreements', 'IN_FORCE, first page', controller, '/agreements?status=IN_FORCE', 200);
  await call('getAgreement', 'in force', processor, `/agreements/${inForce}`, 200);
  await call('getHistory', 'first page', processor, `/agreements/${inForce}/history`, 200);
  await call('getAuditLog', 'first page', controller, `/agreements/${inForce}/audit-log`, 200);
  await call('listNotifications', 'first page', controller, '/notifications', 200);
  await call('getOpenApi', 'document', controller, '/openapi.json', 200);

  // Breaches and sub-processors of the agreement in force.
  const breach = await call(
    'reportBreach',
    'in force, second report',
    processor,
    `/agreements/${inForce}/breaches`,
    201,
    breachReport(new Date(await clockNow()).toISOString()),
  );
  await call('listBreaches', 'two reports', controller, `/agreements/${inForce}/breaches`, 200);
  await call('getBreach', 'existing', controller, `/agreements/${inForce}/breaches/${breach.body.id}`, 200);
  await call(
    'getBreach',
    'earlier report',
    processor,
    `/agreements/${inForce}/breaches/${earlierBreach}`,
    200,
  );
  const requested = await call(
    'requestSubProcessor',
    'in force',
    processor,
    `/agreements/${inForce}/sub-processors`,
    202,
    subProcessorRequest('Ny Drift AS'),
  );
  await call('listSubProcessors', 'three requests', controller, `/agreements/${inForce}/sub-processors`, 200);
  await call(
    'listSubProcessors',
    'Vedlegg 3 on a date',
    controller,
    `/agreements/${inForce}/sub-processors?status=APPROVED&on=${osloDateOf(new Date(await clockNow()))}`,
    200,
  );
  await call(
    'getSubProcessor',
    'requested',
    controller,
    `/agreements/${inForce}/sub-processors/${requested.body.id}`,
    200,
  );
  await call(
    'decideSubProcessor',
    'approve',
    controller,
    `/agreements/${inForce}/sub-processors/${requested.body.id}/decision`,
    200,
    approval,
  );
  await call(
    'getProcessingAuthorization',
    'approved sub-processor',
    processor,
    `/agreements/${inForce}/processing-authorization?subProcessorId=${approvedSub}`,
    200,
  );
  await call(
    'withdrawSubProcessor',
    'pending request',
    processor,
    `/agreements/${inForce}/sub-processors/${pendingSub}/withdraw`,
    200,
    { reason: 'Trukket' },
  );
  await call(
    'withdrawSubProcessor',
    'approved (leaves Vedlegg 3)',
    processor,
    `/agreements/${inForce}/sub-processors/${requested.body.id}/withdraw`,
    200,
    { reason: 'Ikke lenger i bruk' },
  );

  // Termination of the lifecycle agreement: notice, then (the day after terminatesOn) the controller's
  // choice and the processor's attestation, which closes it.
  const noticed = await call(
    'terminationNotice',
    'in force',
    processor,
    `/agreements/${lifecycleId}/termination-notice`,
    200,
    { reason: 'Fagsystemet erstattes' },
  );
  const terminatesOn = noticed.body.terminatesOn;
  if (!terminatesOn) throw new Error('The termination notice answered no terminatesOn');
  await setClock(osloMidday(plusDays(terminatesOn, 1)));
  await call(
    'chooseDataDisposition',
    'terminated',
    controller,
    `/agreements/${lifecycleId}/data-disposition`,
    200,
    { method: 'DELETE' },
  );
  await call(
    'attestDataDisposition',
    'terminated, disposition chosen (closes)',
    processor,
    `/agreements/${lifecycleId}/data-disposition/attestation`,
    201,
    {
      method: 'DELETE',
      completedOn: plusDays(terminatesOn, 1),
      statement: 'Alle personopplysninger og kopier er slettet',
      signatory: { name: 'Per Hansen', title: 'Personvernombud' },
    },
  );
  return { rows, lifecycleId };
}

export async function measureRoundTrips(): Promise<RoundTripResults> {
  instrumentStateMachines();
  const dynamo = await startDynamoDbLocal();
  const dataDir = await mkdtemp(join(tmpdir(), 'dpa-bench-round-trips-'));
  let proxy: DynamoProxy | undefined;
  let stack: LocalStack | undefined;
  try {
    proxy = await startDynamoProxy(dynamo.endpoint);
    const gate = new TaskGate();
    stack = await startLocalStack({
      port: 0,
      dataDir,
      dynamoEndpoint: proxy.endpoint,
      tableName: `bench-${randomUUID()}`,
      interceptTask: async (_taskId, _payload, invoke) => {
        await gate.pass();
        return invoke();
      },
    });
    const bench: Bench = { stack, proxy, gate };
    const firstExecution = observed.length;
    const unkeyed = await measureRoutes(bench, { idempotencyKey: false });
    const keyed = await measureRoutes(bench, { idempotencyKey: true });
    await settle(bench);

    // The daily run, called as EventBridge Scheduler calls it, at a moment when nothing is due: the
    // clock's own 07:00 run of today has sent everything due today.
    const reminderTask = taskFunctions.find((task) => task.id === reminderSchedule.taskId);
    if (!reminderTask) throw new Error(`No task ${reminderSchedule.taskId} in the catalogue`);
    const { handler } = (await import(fromRepoRoot(reminderTask.entry))) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const mark = proxy.mark();
    await handler({}, lambdaContext(reminderTask.id));
    await proxy.quiet();
    const reminderRun = countOperations(proxy.calls.slice(mark));

    const lifecycleExecutions = observed
      .slice(firstExecution)
      .filter(
        (execution) =>
          execution.input.includes(unkeyed.lifecycleId) &&
          ['signing', 'termination'].includes(execution.stateMachine),
      );
    const lifecycleState = await (await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG)).get<Body>(
      `/agreements/${unkeyed.lifecycleId}`,
    );
    const all = countOperations(proxy.calls);
    const routes = [...unkeyed.rows, ...keyed.rows];
    const measured = new Set(routes.map((row) => row.route));
    return {
      routes,
      unmeasured: httpFunctions.map((fn) => fn.id).filter((id) => !measured.has(id)),
      scans: proxy.calls.filter((call: ProxiedCall) => call.operation === 'Scan').length,
      allCalls: all.byOperation,
      barrierReadBacks: proxy.calls.filter((call) => !call.fromSdk).length,
      reminderRun: { roundTrips: reminderRun.total, byOperation: reminderRun.byOperation },
      lifecycle: {
        agreementId: unkeyed.lifecycleId,
        executions: lifecycleExecutions.map(({ stateMachine, entered, retried }) => ({
          stateMachine,
          entered,
          retried,
        })),
        transitions: lifecycleExecutions.reduce((sum, run) => sum + run.entered + run.retried, 0),
        finalStatus: lifecycleState.body.status,
      },
    };
  } finally {
    await stack?.stop();
    await proxy?.stop();
    await dynamo.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
