import { randomUUID } from 'node:crypto';
import { httpFunctions } from '../../functions/catalogue.ts';
import {
  ApiClient,
  type ApiResponse,
  agreementRequest,
  breachReport,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from './api-client.ts';
import { osloDateOf, osloMidday, plusDays } from './in-process-stack.ts';

/**
 * Every route of the catalogue called once or more over HTTP on a local stack, in a realistic state:
 * an agreement in force with an approved sub-processor, a pending request whose workflow waits with its
 * token, a breach report, one awaiting its second signature, one in its notice period, and a new
 * agreement taken from draft through signing, termination and the attestation that closes it; a
 * calendar feed of all their deadlines; and a webhook endpoint.
 *
 * One scenario for the two places that count what a request costs in DynamoDB round trips (issue 8):
 * the e2e test (test/e2e/round-trips.e2e.test.ts, on the handlers' client) and the bench
 * (test/bench/round-trips.ts, on the wire, with the lifecycle's state transitions). Each supplies a
 * driver that counts; the scenario says what is requested, in which state, and what must answer.
 */

/** One measured request, as the catalogue names it. */
export interface MeasuredRequest {
  /** The catalogue's function id, e.g. `signAgreement`. */
  route: string;
  method: string;
  /** The catalogue's path template, e.g. `/agreements/{id}/signatures`. */
  path: string;
  /** What state the request met, when a route is measured in more than one (e.g. the second signature). */
  variant: string;
  /** Whether the request carries an `Idempotency-Key`. */
  idempotencyKey: boolean;
}

export interface RouteScenarioDriver {
  url: string;
  /** Resolves once what the requests so far started (workflow executions and their tasks) is done. */
  settle(): Promise<void>;
  /** Sends one request (`send`) and counts what it costs; returns its response. */
  measure<T>(request: MeasuredRequest, send: () => Promise<ApiResponse<T>>): Promise<ApiResponse<T>>;
}

interface Body {
  id: string;
  status: string;
  contentHash: string;
  terminatesOn?: string;
}

const SUB_PROCESSOR_ORG = '953264382'; // a public body, party to nothing here
const subProcessorRequest = (name: string) => ({
  name,
  orgNumber: SUB_PROCESSOR_ORG,
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og sikkerhetskopi av fagsystemet',
  personalDataTypes: ['Navn'],
});
const approval = { decision: 'APPROVED', reason: 'Godkjent', signatory: { name: 'Kari', title: 'Rådmann' } };
const attestation = (completedOn: string) => ({
  method: 'DELETE',
  completedOn,
  statement: 'Alle personopplysninger og kopier er slettet',
  signatory: { name: 'Per Hansen', title: 'Personvernombud' },
});

/**
 * Runs the scenario once. With `idempotencyKey`, every POST carries a fresh `Idempotency-Key`. Every
 * request, measured or not, must answer as the scenario expects, or this throws. Returns the agreement
 * that went through the whole lifecycle (draft to CLOSED).
 */
export async function runRouteScenario(
  driver: RouteScenarioDriver,
  options: { idempotencyKey: boolean },
): Promise<{ lifecycleId: string }> {
  const controller = await ApiClient.forOrganisation(driver.url, CONTROLLER_ORG);
  const processor = await ApiClient.forOrganisation(driver.url, PROCESSOR_ORG);
  const expectStatus = <T>(what: string, response: ApiResponse<T>, status: number): ApiResponse<T> => {
    if (response.status !== status) {
      throw new Error(`${what}: ${response.status} (expected ${status}) ${JSON.stringify(response.body)}`);
    }
    return response;
  };
  const clockNow = async () => (await controller.get<{ now: string }>('/local/clock')).body.now;
  const setClock = async (instant: string) => {
    expectStatus('clock', await controller.post('/local/clock', { set: instant }), 200);
    await driver.settle();
  };

  /** One measured request, settled before and after. */
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
    await driver.settle();
    const response = await driver.measure(
      { route, method: fn.method, path: fn.path, variant, idempotencyKey: 'idempotency-key' in sent },
      () => client.request<T>(fn.method, path, body, sent),
    );
    await driver.settle();
    return expectStatus(`${route} (${variant})`, response, expected);
  }

  /** An unmeasured request of the set-up. */
  async function setUp<T = Body>(
    what: string,
    client: ApiClient,
    path: string,
    expected: number,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    const response = expectStatus(`set-up ${what}`, await client.post<T>(path, body), expected);
    await driver.settle();
    return response;
  }
  const create = async (overrides: Record<string, unknown>) =>
    (await setUp('create', controller, '/agreements', 201, agreementRequest(overrides))).body.id;
  const submitAndSign = async (id: string, signatories: readonly ('processor' | 'controller')[]) => {
    const { contentHash } = (await setUp('submit', controller, `/agreements/${id}/submit`, 200)).body;
    for (const party of signatories) {
      const [client, body] =
        party === 'processor'
          ? [processor, signature('Per Hansen', 'Oslo', contentHash)]
          : [controller, signature('Kari Nordmann', 'Radøy', contentHash)];
      await setUp(`signature (${party})`, client, `/agreements/${id}/signatures`, 201, body);
    }
  };

  // Set-up, not measured: a quiet hour (midday in Oslo, tomorrow; the daily run is at 07:00), then
  // the agreements the routes act on.
  await setClock(osloMidday(plusDays(osloDateOf(new Date(await clockNow())), 1)));
  const inForce = await create({ subProcessors: [subProcessorRequest('Utkast Drift AS')] });
  await submitAndSign(inForce, ['processor', 'controller']);
  const pending = (
    await setUp(
      'sub-processor',
      processor,
      `/agreements/${inForce}/sub-processors`,
      202,
      subProcessorRequest('Ventende Drift AS'),
    )
  ).body.id;
  const earlierBreach = (
    await setUp(
      'breach',
      processor,
      `/agreements/${inForce}/breaches`,
      201,
      breachReport(new Date(await clockNow()).toISOString()),
    )
  ).body.id;
  const awaiting = await create({ title: 'Avtale som trekkes' });
  await submitAndSign(awaiting, ['processor']);
  const noticed = await create({ title: 'Avtale som sies opp' });
  await submitAndSign(noticed, ['processor', 'controller']);
  await setUp('notice', processor, `/agreements/${noticed}/termination-notice`, 200, {
    reason: 'Fagsystemet erstattes',
  });

  // A new agreement from draft into force, and one withdrawn while it awaits a signature.
  const lifecycleId = (
    await call('createAgreement', 'new draft', controller, '/agreements', 201, agreementRequest())
  ).body.id;
  await call('listAgreements', 'first page', controller, '/agreements?limit=20', 200);
  // DynamoDB applies Limit before a filter: rows of other statuses must not cost a round trip each.
  await call(
    'listAgreements',
    'by status (no match yet)',
    controller,
    '/agreements?status=CANCELLED&limit=2',
    200,
  );
  const inForceVersion = (
    await call<{ version: number }>('getAgreement', 'in force', processor, `/agreements/${inForce}`, 200)
  ).body.version;
  await call(
    'putContact',
    'in force',
    processor,
    `/agreements/${inForce}/contacts/processor`,
    200,
    { name: 'Åse Kontakt', email: 'ase@example.no', phone: '+4797777777' },
    { 'if-match': `"${inForceVersion}"` },
  );
  // Rule 13: an amendment proposed, read, signed by both (in force at once), the versions read; a
  // second one proposed and withdrawn.
  const amendment = (
    await call<{ id: string; contentHash: string }>(
      'proposeAmendment',
      'in force',
      controller,
      `/agreements/${inForce}/amendments`,
      201,
      { changes: { breachNotificationHours: 24 }, reason: 'Kortere varslingsfrist' },
    )
  ).body;
  await call('listAmendments', 'one', processor, `/agreements/${inForce}/amendments`, 200);
  await call('getAmendment', 'open', processor, `/agreements/${inForce}/amendments/${amendment.id}`, 200);
  await call(
    'signAmendment',
    'first signature',
    processor,
    `/agreements/${inForce}/amendments/${amendment.id}/signatures`,
    201,
    signature('Per Hansen', 'Oslo', amendment.contentHash),
  );
  await call(
    'signAmendment',
    'second signature (in force at once)',
    controller,
    `/agreements/${inForce}/amendments/${amendment.id}/signatures`,
    201,
    signature('Kari Nordmann', 'Radøy', amendment.contentHash),
  );
  await call('listVersions', 'two', controller, `/agreements/${inForce}/versions`, 200);
  await call('getVersion', 'the first', processor, `/agreements/${inForce}/versions/1`, 200);
  await call(
    'getAgreement',
    'as of a day',
    controller,
    `/agreements/${inForce}?on=${osloDateOf(new Date(await clockNow()))}`,
    200,
  );
  const second = (
    await call<{ id: string }>(
      'proposeAmendment',
      'in force, after the first',
      processor,
      `/agreements/${inForce}/amendments`,
      201,
      { changes: { title: 'Databehandleravtale, endret' }, reason: 'Ny tittel' },
    )
  ).body;
  await call(
    'withdrawAmendment',
    'by the proposer',
    processor,
    `/agreements/${inForce}/amendments/${second.id}/withdraw`,
    200,
    { reason: 'Ikke nødvendig' },
  );
  await call('getAgreementDocument', 'in force', controller, `/agreements/${inForce}/document`, 200);
  await call('getEvidence', 'in force', processor, `/agreements/${inForce}/evidence`, 200);
  await call(
    'patchAgreement',
    'draft',
    controller,
    `/agreements/${lifecycleId}`,
    200,
    { breachNotificationHours: 24 },
    { 'if-match': '"1"' },
  );
  const { contentHash } = (
    await call('submitAgreement', 'draft', controller, `/agreements/${lifecycleId}/submit`, 200)
  ).body;
  await call(
    'signAgreement',
    'first signature (wait registered)',
    processor,
    `/agreements/${lifecycleId}/signatures`,
    201,
    signature('Per Hansen', 'Oslo', contentHash),
  );
  await call(
    'signAgreement',
    'second signature (enters into force)',
    controller,
    `/agreements/${lifecycleId}/signatures`,
    201,
    signature('Kari Nordmann', 'Radøy', contentHash),
  );
  await call(
    'cancelAgreement',
    'awaiting signatures (wait registered)',
    controller,
    `/agreements/${awaiting}/cancel`,
    200,
    { reason: 'Feil motpart' },
  );

  // Logs, breaches and notifications of the agreement in force.
  await call('getHistory', 'first page', processor, `/agreements/${inForce}/history?limit=20`, 200);
  await call('getAuditLog', 'first page', controller, `/agreements/${inForce}/audit-log?limit=20`, 200);
  const breach = await call(
    'reportBreach',
    'in force, second report',
    processor,
    `/agreements/${inForce}/breaches`,
    201,
    breachReport(new Date(await clockNow()).toISOString()),
  );
  await call(
    'addBreachUpdate',
    'first supplement',
    processor,
    `/agreements/${inForce}/breaches/${breach.body.id}/updates`,
    201,
    { facts: 'Ett brev til ble sendt feil', corrections: { approximateDataSubjects: 2 } },
  );
  await call(
    'askBreachQuestion',
    'first question',
    controller,
    `/agreements/${inForce}/breaches/${breach.body.id}/questions`,
    201,
    { question: 'Er de berørte varslet?' },
  );
  await call(
    'answerBreachQuestion',
    'first answer',
    processor,
    `/agreements/${inForce}/breaches/${breach.body.id}/questions/1/answer`,
    200,
    { answer: 'Ja, per brev' },
  );
  await call(
    'decideBreach',
    'within the 72 hours',
    controller,
    `/agreements/${inForce}/breaches/${breach.body.id}/decision`,
    201,
    {
      datatilsynet: {
        notified: true,
        notifiedAt: new Date(await clockNow()).toISOString(),
        reference: '26/01234',
      },
      dataSubjects: { informed: false, reason: 'Lav risiko for de registrerte' },
    },
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
  const auditDue = plusDays(osloDateOf(new Date(await clockNow())), 60);
  const oversight = await call<{ id: string }>(
    'planAudit',
    'recurring plan',
    controller,
    `/agreements/${inForce}/audits`,
    201,
    { type: 'DOCUMENT_REVIEW', scope: 'Tilgangsstyring', dueOn: auditDue, recurrence: { everyMonths: 12 } },
  );
  const auditPath = `/agreements/${inForce}/audits/${oversight.body.id}`;
  await call('submitAuditMaterial', 'documents', processor, `${auditPath}/material`, 201, {
    documents: [
      {
        name: 'Rutine.txt',
        sha256: 'f0e4c2f76c58916ec258f246851bea091d14d4247a2fc3e18694461b1816e13b',
        size: 4,
        mediaType: 'text/plain',
        content: 'YXNkZg==',
      },
    ],
  });
  await call('recordAuditFinding', 'first finding', controller, `${auditPath}/findings`, 201, {
    description: 'Tilganger fjernes for sent',
    deadline: plusDays(auditDue, -10),
    responsible: 'processor',
  });
  await call('closeAuditFinding', 'by the processor', processor, `${auditPath}/findings/1/closure`, 201, {
    howClosed: 'Automatisk fjerning på sluttdato',
  });
  await call('listAudits', 'one audit', controller, `/agreements/${inForce}/audits`, 200);
  await call('getAudit', 'with material and findings', processor, auditPath, 200);
  await call('closeAudit', 'the next planned', controller, `${auditPath}/close`, 200, {
    conclusion: 'I samsvar med avtalen',
  });
  // Rule 16: instructions given, acknowledged, objected to and confirmed, objected to and withdrawn.
  const instructions = `/agreements/${inForce}/instructions`;
  const giveInstruction = (variant: string, title: string) =>
    call<{ id: string }>('giveInstruction', variant, controller, instructions, 201, {
      topic: 'THIRD_COUNTRY_TRANSFER',
      title,
      text: 'Personopplysningene skal ikke overføres til land utenfor EØS.',
    });
  const acknowledgedInstruction = (await giveInstruction('the first', 'Ingen overføring')).body.id;
  const confirmedInstruction = (await giveInstruction('numbered after one', 'Lagring i USA')).body.id;
  const withdrawnInstruction = (await giveInstruction('numbered after two', 'Kopi til test')).body.id;
  await call('listInstructions', 'three', processor, instructions, 200);
  await call(
    'listInstructions',
    'by status',
    controller,
    `${instructions}?status=AWAITING_ACKNOWLEDGEMENT`,
    200,
  );
  await call('getInstruction', 'existing', processor, `${instructions}/${acknowledgedInstruction}`, 200);
  await call(
    'acknowledgeInstruction',
    'awaiting',
    processor,
    `${instructions}/${acknowledgedInstruction}/acknowledgement`,
    200,
    { comment: 'Mottatt' },
  );
  for (const id of [confirmedInstruction, withdrawnInstruction]) {
    await call('objectToInstruction', 'awaiting', processor, `${instructions}/${id}/objection`, 200, {
      reason: 'Mangler overføringsgrunnlag',
      legalReference: 'GDPR art. 44',
    });
  }
  await call(
    'confirmInstruction',
    'objected',
    controller,
    `${instructions}/${confirmedInstruction}/confirmation`,
    200,
    {
      reasons: 'Adekvansbeslutning',
    },
  );
  await call(
    'withdrawInstruction',
    'objected',
    controller,
    `${instructions}/${withdrawnInstruction}/withdrawal`,
    200,
    {
      reason: 'Enig i innsigelsen',
    },
  );
  await call(
    'acknowledgeInstruction',
    'withdrawn',
    processor,
    `${instructions}/${withdrawnInstruction}/acknowledgement`,
    409,
    {},
  );
  await call('listNotifications', 'first page', controller, '/notifications?limit=20', 200);
  // Rule 16: a request forwarded to the controller, extended, assisted and answered.
  const forwarded = await call(
    'forwardRequest',
    "a data subject's request",
    processor,
    `/agreements/${inForce}/requests`,
    201,
    {
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      receivedAt: new Date(await clockNow()).toISOString(),
      asked: 'Innsyn i opplysninger om seg selv',
    },
  );
  const requestPath = `/agreements/${inForce}/requests/${forwarded.body.id}`;
  await call('extendRequestDeadline', 'by two months', controller, `${requestPath}/extension`, 200, {
    months: 2,
    reason: 'Opplysningene ligger i flere fagsystemer',
  });
  await call('addRequestTask', 'first task', controller, `${requestPath}/tasks`, 201, {
    description: 'Hent ut registreringene',
    dueOn: plusDays(osloDateOf(new Date(await clockNow())), 7),
  });
  await call('completeRequestTask', 'first task done', processor, `${requestPath}/tasks/1/done`, 200, {
    note: 'Uttrekket er levert',
  });
  await call('recordRequestOutcome', 'answered', controller, `${requestPath}/outcome`, 200, {
    outcome: 'ANSWERED',
    answeredOn: osloDateOf(new Date(await clockNow())),
    summary: 'Innsyn gitt per brev',
  });
  await call('listForwardedRequests', 'one request', controller, `/agreements/${inForce}/requests`, 200);
  await call('getForwardedRequest', 'with its task', processor, requestPath, 200);
  await call('getOpenApi', 'document', controller, '/openapi.json', 200);
  await call('getJwks', 'keys', controller, '/.well-known/jwks.json', 200);

  // Rule 15: a calendar feed created, listed, fetched at its secret address (no token) while the
  // agreements above have deadlines of every kind, and revoked.
  const calendarFeed = (
    await call<{ id: string; path: string }>(
      'createCalendarFeed',
      'new',
      controller,
      '/calendar-feeds',
      201,
      { name: 'Personvernombudet' },
    )
  ).body;
  await call('listCalendarFeeds', 'one', controller, '/calendar-feeds', 200);
  await call(
    'getCalendarFeed',
    'deadlines of several agreements',
    controller.withToken(undefined),
    calendarFeed.path,
    200,
  );
  await call('deleteCalendarFeed', 'own feed', controller, `/calendar-feeds/${calendarFeed.id}`, 204);

  // Rule 15: a webhook endpoint registered, listed, read, changed, its secret rotated, and removed. Its
  // address is a public one written as such (no DNS), and it subscribes to an event nothing here causes.
  const webhook = (
    await call<{ id: string }>('createWebhook', 'new', controller, '/webhooks', 201, {
      url: 'https://93.184.216.34/dpa',
      events: ['webhook.disabled'],
      description: 'Sak/arkiv',
    })
  ).body;
  await call('listWebhooks', 'one', controller, '/webhooks', 200);
  await call('listWebhookDeliveries', 'none yet', controller, `/webhooks/${webhook.id}/deliveries`, 200);
  // The scenario's stack delivers nothing, so no delivery exists to send again: the read, and its 404.
  await call(
    'redeliverWebhookDelivery',
    'unknown delivery',
    controller,
    `/webhooks/${webhook.id}/deliveries/20261202T100000000Z-0000000000000000/redeliver`,
    404,
  );
  await call('getWebhook', 'own', controller, `/webhooks/${webhook.id}`, 200);
  await call('updateWebhook', 'disable', controller, `/webhooks/${webhook.id}`, 200, { enabled: false });
  await call('rotateWebhookSecret', 'own', controller, `/webhooks/${webhook.id}/rotate-secret`, 200);
  await call('deleteWebhook', 'own', controller, `/webhooks/${webhook.id}`, 204);

  // Sub-processors: a new request, decided, checked at the gate and withdrawn; the pending one withdrawn.
  const requested = (
    await call(
      'requestSubProcessor',
      'in force',
      processor,
      `/agreements/${inForce}/sub-processors`,
      202,
      subProcessorRequest('Ny Drift AS'),
    )
  ).body.id;
  await call('listSubProcessors', 'all', controller, `/agreements/${inForce}/sub-processors`, 200);
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
    `/agreements/${inForce}/sub-processors/${requested}`,
    200,
  );
  await call(
    'decideSubProcessor',
    'approve (wait registered)',
    controller,
    `/agreements/${inForce}/sub-processors/${requested}/decision`,
    200,
    approval,
  );
  await call(
    'getProcessingAuthorization',
    'approved',
    processor,
    `/agreements/${inForce}/processing-authorization?subProcessorId=${requested}`,
    200,
  );
  await call(
    'withdrawSubProcessor',
    'approved (leaves Vedlegg 3)',
    processor,
    `/agreements/${inForce}/sub-processors/${requested}/withdraw`,
    200,
    { reason: 'Ikke lenger i bruk' },
  );
  await call(
    'withdrawSubProcessor',
    'requested (wait registered)',
    processor,
    `/agreements/${inForce}/sub-processors/${pending}/withdraw`,
    200,
    { reason: 'Trukket' },
  );

  // Termination: the choice during a notice period; the new agreement given notice, terminated (the
  // day after terminatesOn), its choice completing the termination's wait, and the attestation.
  await call(
    'chooseDataDisposition',
    'notice period',
    controller,
    `/agreements/${noticed}/data-disposition`,
    200,
    { method: 'DELETE' },
  );
  const notice = await call(
    'terminationNotice',
    'in force',
    processor,
    `/agreements/${lifecycleId}/termination-notice`,
    200,
    { reason: 'Fagsystemet erstattes' },
  );
  const terminatesOn = notice.body.terminatesOn;
  if (!terminatesOn) throw new Error('The termination notice answered no terminatesOn');
  await setClock(osloMidday(plusDays(terminatesOn, 1)));
  await call(
    'chooseDataDisposition',
    'terminated (wait registered)',
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
    attestation(plusDays(terminatesOn, 1)),
  );
  return { lifecycleId };
}
