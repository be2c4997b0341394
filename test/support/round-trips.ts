import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpFunctions } from '../../functions/catalogue.ts';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';
import { dynamoClient } from '../../functions/shared/clients.ts';
import {
  ApiClient,
  type ApiResponse,
  agreementRequest,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from './api-client.ts';
import { osloDateOf, osloMidday, plusDays } from './in-process-stack.ts';

/**
 * DynamoDB round trips per HTTP request (issue 8): every route of the catalogue, called over HTTP on
 * the local stack in this process, in a realistic state (an agreement in force with an approved
 * sub-processor, a pending request whose workflow waits with its token, a breach, notices, ...).
 *
 * A round trip is one command sent by the handlers' DynamoDB client: a middleware on that client
 * counts them. The workflows' tasks run in the same process and use the same client while a request
 * is served (a submission starts a workflow whose first task reads the agreement at once); their
 * commands are told apart because every task invocation runs inside an AsyncLocalStorage context
 * (the local stack's `interceptTask`). The stack's clock is parked at midday in Oslo, so the daily
 * reminder run (07:00 Oslo) never fires during a measured request.
 */

export interface RouteRoundTrips {
  /** The catalogue's function id, e.g. `signAgreement`. */
  route: string;
  method: string;
  path: string;
  /** What state the request met, when a route is measured in more than one (e.g. the second signature). */
  variant: string;
  /** Whether the request carried an `Idempotency-Key`. */
  idempotencyKey: boolean;
  status: number;
  /** Round trips, i.e. DynamoDB commands sent while the handler served the request. */
  roundTrips: number;
  /** The commands in order, e.g. `['GetItem', 'TransactWriteItems']`. */
  commands: string[];
}

const inTask = new AsyncLocalStorage<string>();

/** Counts the DynamoDB commands sent outside any workflow task while `measure` runs. */
class RoundTripCounter {
  private recording: string[] | undefined;

  install(): void {
    dynamoClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (this.recording && inTask.getStore() === undefined) {
          this.recording.push(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
        }
        return next(args);
      },
      { step: 'initialize', name: 'roundTripCounter', override: true },
    );
  }

  async measure<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
    const commands: string[] = [];
    this.recording = commands;
    try {
      return { result: await run(), commands };
    } finally {
      this.recording = undefined;
    }
  }
}

/** The local stack in this process with a round-trip counter on the handlers' DynamoDB client. */
export interface CountingStack {
  stack: LocalStack;
  url: string;
  counter: RoundTripCounter;
  stop(): Promise<void>;
}

/**
 * Starts the local stack in this process on an existing DynamoDB (Local), in a table of its own. One
 * in-process stack at a time: the handlers' clients and TABLE_NAME are per process.
 */
export async function startCountingStack(options: { dynamoEndpoint: string }): Promise<CountingStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dpa-round-trips-'));
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    dynamoEndpoint: options.dynamoEndpoint,
    tableName: `t-${randomUUID()}`,
    interceptTask: (taskId, _payload, invoke) => inTask.run(taskId, invoke),
  });
  const counter = new RoundTripCounter();
  counter.install();
  return {
    stack,
    url: stack.url,
    counter,
    stop: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const SUB_PROCESSOR_ORG = '953264382'; // a public body, party to nothing here
const subProcessorRequest = (name: string) => ({
  name,
  orgNumber: SUB_PROCESSOR_ORG,
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og backup av fagsystemet',
  personalDataTypes: ['Navn'],
});
const breachReport = (becameAwareAt: string) => ({
  becameAwareAt,
  nature: 'Brev med vedtak sendt til feil adresse',
  dataSubjectCategories: ['Deltakere i KVP'],
  approximateDataSubjects: 1,
  personalDataCategories: ['Navn', 'Fødselsnummer'],
  approximateRecords: 1,
  contactPoint: { name: 'Ola Prøvesen', email: 'personvern@example.no', phone: '+4798888888' },
  likelyConsequences: 'Uvedkommende kan ha lest vedtaket',
  measuresTaken: 'Mottakeren har returnert brevet',
});
const decision = { decision: 'APPROVED', reason: 'Godkjent', signatory: { name: 'Kari', title: 'Rådmann' } };

interface Body {
  id: string;
  status: string;
  version: number;
  terminatesOn?: string;
}

/**
 * Runs the scenario once and returns the round trips of every request of it: every route of the
 * catalogue at least once. With `idempotencyKey`, every POST carries a fresh `Idempotency-Key`.
 * Each request must answer as the scenario expects (2xx), or this throws.
 */
export async function measureRoutes(
  local: CountingStack,
  options: { idempotencyKey: boolean },
): Promise<RouteRoundTrips[]> {
  const controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
  const processor = await ApiClient.forOrganisation(local.url, PROCESSOR_ORG);
  const settle = () => local.stack.stepFunctions.idle();
  const setClock = async (instant: string) => {
    const moved = await controller.post('/local/clock', { set: instant });
    if (moved.status !== 200) throw new Error(`clock: ${moved.status} ${JSON.stringify(moved.body)}`);
    await settle();
  };
  const clockNow = async () => (await controller.get<{ now: string }>('/local/clock')).body.now;
  const rows: RouteRoundTrips[] = [];
  const keyed = (headers: Record<string, string> = {}) =>
    options.idempotencyKey ? { ...headers, 'idempotency-key': randomUUID() } : headers;

  /** One measured request; anything but the expected status is an error in the scenario. */
  async function call<T = Body>(
    route: string,
    variant: string,
    client: ApiClient,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    expected: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    await settle();
    const fn = httpFunctions.find((candidate) => candidate.id === route);
    if (!fn) throw new Error(`No route ${route} in the catalogue`);
    const sent = method === 'POST' ? keyed(headers) : headers;
    const { result, commands } = await local.counter.measure(() =>
      client.request<T>(method, path, body, sent),
    );
    if (result.status !== expected) {
      throw new Error(`${route} ${variant}: ${result.status} ${JSON.stringify(result.body)}`);
    }
    rows.push({
      route,
      method: fn.method,
      path: fn.path,
      variant,
      idempotencyKey: 'idempotency-key' in sent,
      status: result.status,
      roundTrips: commands.length,
      commands,
    });
    await settle();
    return result;
  }

  // Unmeasured setup: a quiet hour (midday in Oslo, tomorrow), then the agreements the routes act on.
  await setClock(osloMidday(plusDays(osloDateOf(new Date(await clockNow())), 1)));
  const create = async (overrides: Record<string, unknown> = {}) => {
    const created = await controller.post<Body>('/agreements', agreementRequest(overrides));
    if (created.status !== 201)
      throw new Error(`setup create: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id;
  };
  const submitAndSign = async (id: string, both: boolean) => {
    for (const [client, status, body] of [
      [controller, 200, undefined, '/submit'],
      [processor, 201, signature('Per Hansen', 'Oslo'), '/signatures'],
      ...(both ? [[controller, 201, signature('Kari Nordmann', 'Radøy'), '/signatures']] : []),
    ] as const) {
      const path = body ? `/agreements/${id}/signatures` : `/agreements/${id}/submit`;
      const response = await (client as ApiClient).post(path, body);
      if (response.status !== status) throw new Error(`setup ${path}: ${response.status}`);
      await settle();
    }
  };
  const inForce = await create({ subProcessors: [subProcessorRequest('Utkast Drift AS')] });
  await submitAndSign(inForce, true);
  const pending = await processor.post<Body>(
    `/agreements/${inForce}/sub-processors`,
    subProcessorRequest('Ventende Drift AS'),
  );
  if (pending.status !== 202) throw new Error(`setup sub-processor: ${pending.status}`);
  const awaiting = await create({ title: 'Avtale som trekkes' });
  await submitAndSign(awaiting, false);
  const terminating = await create({ title: 'Avtale som sies opp' });
  await submitAndSign(terminating, true);
  await settle();

  // The lifecycle of a new agreement.
  const draft = (
    await call('createAgreement', 'new draft', controller, 'POST', '/agreements', 201, agreementRequest())
  ).body.id;
  await call('listAgreements', 'first page', controller, 'GET', '/agreements?limit=20', 200);
  // DynamoDB applies Limit before a filter: rows of other statuses must not cost a round trip each.
  await call(
    'listAgreements',
    'by status (no match yet)',
    controller,
    'GET',
    '/agreements?status=CANCELLED&limit=2',
    200,
  );
  await call('getAgreement', 'in force', controller, 'GET', `/agreements/${inForce}`, 200);
  await call(
    'patchAgreement',
    'draft',
    controller,
    'PATCH',
    `/agreements/${draft}`,
    200,
    {
      breachNotificationHours: 24,
    },
    { 'if-match': '"1"' },
  );
  await call('submitAgreement', 'draft', controller, 'POST', `/agreements/${draft}/submit`, 200, {});
  await call(
    'signAgreement',
    'first signature (wait registered)',
    processor,
    'POST',
    `/agreements/${draft}/signatures`,
    201,
    signature('Per Hansen', 'Oslo'),
  );
  await call(
    'signAgreement',
    'second signature (enters into force)',
    controller,
    'POST',
    `/agreements/${draft}/signatures`,
    201,
    signature('Kari Nordmann', 'Radøy'),
  );
  await call(
    'cancelAgreement',
    'awaiting signatures (wait registered)',
    controller,
    'POST',
    `/agreements/${awaiting}/cancel`,
    200,
    { reason: 'Feil motpart' },
  );

  // Logs and breaches of the agreement in force.
  await call('getHistory', 'first page', processor, 'GET', `/agreements/${inForce}/history?limit=20`, 200);
  await call(
    'getAuditLog',
    'first page',
    controller,
    'GET',
    `/agreements/${inForce}/audit-log?limit=20`,
    200,
  );
  const breach = await call<{ id: string }>(
    'reportBreach',
    'in force',
    processor,
    'POST',
    `/agreements/${inForce}/breaches`,
    201,
    breachReport(new Date(await clockNow()).toISOString()),
  );
  await call('listBreaches', 'one breach', controller, 'GET', `/agreements/${inForce}/breaches`, 200);
  await call(
    'getBreach',
    'existing',
    controller,
    'GET',
    `/agreements/${inForce}/breaches/${breach.body.id}`,
    200,
  );
  await call('listNotifications', 'first page', controller, 'GET', '/notifications?limit=20', 200);
  await call('getOpenApi', 'document', controller, 'GET', '/openapi.json', 200);

  // Sub-processors: a new request, decided, checked at the gate and withdrawn; the pending one withdrawn.
  const requested = await call<{ id: string }>(
    'requestSubProcessor',
    'in force',
    processor,
    'POST',
    `/agreements/${inForce}/sub-processors`,
    202,
    subProcessorRequest('Ny Drift AS'),
  );
  const sub = requested.body.id;
  await call('listSubProcessors', 'all', controller, 'GET', `/agreements/${inForce}/sub-processors`, 200);
  await call(
    'getSubProcessor',
    'requested',
    controller,
    'GET',
    `/agreements/${inForce}/sub-processors/${sub}`,
    200,
  );
  await call(
    'decideSubProcessor',
    'approve (wait registered)',
    controller,
    'POST',
    `/agreements/${inForce}/sub-processors/${sub}/decision`,
    200,
    decision,
  );
  await call(
    'getProcessingAuthorization',
    'approved',
    processor,
    'GET',
    `/agreements/${inForce}/processing-authorization?subProcessorId=${sub}`,
    200,
  );
  await call(
    'withdrawSubProcessor',
    'approved (leaves Vedlegg 3)',
    processor,
    'POST',
    `/agreements/${inForce}/sub-processors/${sub}/withdraw`,
    200,
    { reason: 'Ikke lenger i bruk' },
  );
  await call(
    'withdrawSubProcessor',
    'requested (wait registered)',
    processor,
    'POST',
    `/agreements/${inForce}/sub-processors/${pending.body.id}/withdraw`,
    200,
    { reason: 'Trukket' },
  );

  // Termination: notice, the controller's choice, and (after the last day) the attestation.
  const noticed = await call(
    'terminationNotice',
    'in force',
    processor,
    'POST',
    `/agreements/${terminating}/termination-notice`,
    200,
    { reason: 'Fagsystemet erstattes' },
  );
  await call(
    'chooseDataDisposition',
    'notice period',
    controller,
    'POST',
    `/agreements/${terminating}/data-disposition`,
    200,
    { method: 'DELETE' },
  );
  await setClock(osloMidday(plusDays(noticed.body.terminatesOn!, 1)));
  await call(
    'attestDataDisposition',
    'terminated (wait registered)',
    processor,
    'POST',
    `/agreements/${terminating}/data-disposition/attestation`,
    201,
    {
      method: 'DELETE',
      completedOn: plusDays(noticed.body.terminatesOn!, 1),
      statement: 'Alle personopplysninger og kopier er slettet',
      signatory: { name: 'Per Hansen', title: 'Personvernombud' },
    },
  );
  return rows;
}

/**
 * For `npm run bench`: starts a counting stack on the DynamoDB at `dynamoEndpoint` (no other
 * in-process local stack may run meanwhile), measures every route without and with an
 * `Idempotency-Key`, stops the stack and returns the rows.
 */
export async function measureRoundTrips(options: { dynamoEndpoint: string }): Promise<RouteRoundTrips[]> {
  const local = await startCountingStack(options);
  try {
    return [
      ...(await measureRoutes(local, { idempotencyKey: false })),
      ...(await measureRoutes(local, { idempotencyKey: true })),
    ];
  } finally {
    await local.stop();
  }
}

/** One line per measured request, e.g. `signAgreement  POST /agreements/{id}/signatures ... 2`. */
export function formatRoundTrips(rows: readonly RouteRoundTrips[]): string {
  return rows
    .map(
      (row) =>
        `${row.route.padEnd(28)} ${`${row.method} ${row.path}`.padEnd(62)} ${row.variant.padEnd(40)} ` +
        `${row.idempotencyKey ? 'key' : '   '} ${String(row.roundTrips).padStart(2)}  ${row.commands.join(', ')}`,
    )
    .join('\n');
}
