import {
  ApiClient,
  agreementRequest,
  breachReport,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { osloDateOf, osloMidday, plusDays } from '../support/in-process-stack.ts';

/**
 * Real agreements in the states a hostile caller can meet, made over HTTP the way the parties make
 * them: a draft, one awaiting the controller's signature, one in force with a pending and an approved
 * sub-processor and a breach report, one in its notice period, one terminated with deletion chosen,
 * and one cancelled. The clock is parked at midday in Oslo so nothing scheduled runs while the table
 * is compared.
 */

export type Role = 'controller' | 'processor';
/** Whose token a request carries: the parties, a third organisation, or a party with `dpa:read` only. */
export type Who = Role | 'outsider' | 'controllerReadOnly' | 'processorReadOnly';
export type FixtureName = 'draft' | 'awaiting' | 'inForce' | 'notice' | 'terminated' | 'cancelled';

export interface Fixture {
  name: FixtureName;
  id: string;
  status: string;
  /** The agreement's `version` (its ETag), as read when the world was built. */
  version: number;
  /** Its content hash (rule 12), what a signature of it names. */
  contentHash: string;
  createdBy: Role;
}

export interface World {
  url: string;
  tokens: Record<Who, string>;
  orgNumbers: Record<Role | 'outsider', string>;
  fixtures: Record<FixtureName, Fixture>;
  /** On the agreement in force. */
  requestedSubId: string;
  approvedSubId: string;
  breachId: string;
  /** An oversight audit (rule 16) on the agreement in force, with an open finding (number 1) the processor closes. */
  auditId: string;
  /** On the agreement in force: an instruction awaiting acknowledgement, and one objected to (rule 16). */
  instructionIds: { awaiting: string; objected: string };
  /** A data subject's request forwarded on the agreement in force, with one open task (number 1). */
  forwardedRequestId: string;
  /** An amendment awaiting signatures on the agreement in its notice period, proposed by the controller. */
  amendmentId: string;
  amendmentContentHash: string;
  /** Today in Oslo on the stack's clock. */
  today: string;
  /** The agreement in force entered into force on this date. */
  effectiveFrom: string;
  /** Real cursors, for handing to the listings they do not belong to. */
  cursors: { history: string; auditLog: string; notifications: string; agreements: string };
  /** The controller's calendar feed (rule 15): its id, and `<token>.ics`, its secret address's last segment. */
  calendarFeed: { id: string; file: string };
  /** The id of the controller's webhook endpoint (rule 15). */
  webhookId: string;
}

/**
 * A webhook address every deployment accepts without DNS (a public address written as such). The
 * webhooks made with it subscribe to an event the tests never cause, so nothing is ever sent there.
 */
export const UNREACHED_WEBHOOK = { url: 'https://93.184.216.34/dpa', events: ['webhook.disabled'] };

export const REQUESTED_SUB_PROCESSOR = {
  name: 'Driftshuset AS',
  orgNumber: OUTSIDER_ORG,
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og sikkerhetskopiering av fagsystemet',
  personalDataTypes: ['Navn'],
};

const APPROVED_SUB_PROCESSOR = {
  name: 'Skyhuset AB',
  address: 'Drottninggatan 1, 111 51 Stockholm',
  processingLocation: { city: 'Stockholm', countryCode: 'SE' },
  activities: 'Lagring i datasenter',
  personalDataTypes: ['Adresse'],
};

interface Body {
  id: string;
  status: string;
  version: number;
  contentHash: string;
  effectiveFrom?: string;
  terminatesOn?: string;
  nextCursor?: string;
}

function expectStatus(response: { status: number; body: unknown }, status: number, what: string) {
  if (response.status !== status) {
    throw new Error(
      `Building the fuzz world: ${what} answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
}

export async function tokenFor(url: string, orgNumber: string, scopes?: string[]): Promise<string> {
  const response = await fetch(`${url}/local/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orgNumber, ...(scopes ? { scopes } : {}) }),
  });
  expectStatus({ status: response.status, body: '' }, 200, 'POST /local/tokens');
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function setClock(url: string, instant: string): Promise<void> {
  const response = await fetch(`${url}/local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ set: instant }),
  });
  expectStatus({ status: response.status, body: await response.text() }, 200, 'POST /local/clock');
}

export async function clockNow(url: string): Promise<Date> {
  const response = await fetch(`${url}/local/clock`);
  return new Date(((await response.json()) as { now: string }).now);
}

/** `settle` waits until every workflow the requests started has reached its next wait. */
export async function buildWorld(url: string, settle: () => Promise<void>): Promise<World> {
  const tokens: Record<Who, string> = {
    controller: await tokenFor(url, CONTROLLER_ORG),
    processor: await tokenFor(url, PROCESSOR_ORG),
    outsider: await tokenFor(url, OUTSIDER_ORG),
    controllerReadOnly: await tokenFor(url, CONTROLLER_ORG, ['dpa:read']),
    processorReadOnly: await tokenFor(url, PROCESSOR_ORG, ['dpa:read']),
  };
  const controller = new ApiClient(url, tokens.controller);
  const processor = new ApiClient(url, tokens.processor);
  const as = (role: Role) => (role === 'controller' ? controller : processor);

  const create = async (creator: Role, overrides: Record<string, unknown> = {}) => {
    const created = await as(creator).post<Body>('/agreements', agreementRequest(overrides));
    expectStatus(created, 201, 'POST /agreements');
    return created.body.id;
  };
  const submit = async (id: string) => {
    expectStatus(await controller.post(`/agreements/${id}/submit`), 200, 'submit');
  };
  const sign = async (id: string, role: Role) => {
    // Rule 12: a party signs the content it has read.
    const read = await as(role).get<Body>(`/agreements/${id}`);
    expectStatus(read, 200, 'GET /agreements/{id}');
    const signed = await as(role).post<Body>(
      `/agreements/${id}/signatures`,
      signature(role === 'controller' ? 'Kari Testesen' : 'Per Hansen', 'Oslo', read.body.contentHash),
    );
    expectStatus(signed, 201, `signature by the ${role}`);
    return signed.body;
  };
  const inForce = async (overrides: Record<string, unknown> = {}) => {
    const id = await create('controller', overrides);
    await submit(id);
    await sign(id, 'processor');
    const signed = await sign(id, 'controller');
    await settle();
    return { id, effectiveFrom: signed.effectiveFrom! };
  };
  const notice = async (id: string, by: Role) => {
    const noticed = await as(by).post<Body>(`/agreements/${id}/termination-notice`, {
      reason: 'Tjenesten flyttes til en ny leverandør',
    });
    expectStatus(noticed, 200, 'termination notice');
    await settle();
    return noticed.body.terminatesOn!;
  };

  // Away from the daily run's 07:00, and the terminated agreement first: the month it needs would
  // expire everything that waits for a deadline.
  await setClock(url, osloMidday(plusDays(osloDateOf(await clockNow(url)), 1)));
  const terminated = await inForce({ title: 'Avtale som er sagt opp', noticePeriodMonths: 1 });
  const terminatesOn = await notice(terminated.id, 'controller');
  const chosen = await controller.post(`/agreements/${terminated.id}/data-disposition`, { method: 'DELETE' });
  expectStatus(chosen, 200, 'data disposition');
  await settle();
  await setClock(url, osloMidday(plusDays(terminatesOn, 1)));
  await settle();

  const draft = await create('controller', { title: 'Utkast til databehandleravtale' });
  const awaiting = await create('controller', { title: 'Avtale til signering' });
  await submit(awaiting);
  await sign(awaiting, 'processor');
  const current = await inForce({ title: 'Avtale i kraft' });
  const requested = await processor.post<Body>(
    `/agreements/${current.id}/sub-processors`,
    REQUESTED_SUB_PROCESSOR,
  );
  expectStatus(requested, 202, 'sub-processor request');
  const approved = await processor.post<Body>(
    `/agreements/${current.id}/sub-processors`,
    APPROVED_SUB_PROCESSOR,
  );
  expectStatus(approved, 202, 'sub-processor request');
  await settle();
  const decided = await controller.post(
    `/agreements/${current.id}/sub-processors/${approved.body.id}/decision`,
    {
      decision: 'APPROVED',
      reason: 'Avtale med underleverandøren er inngått',
      signatory: { name: 'Kari Testesen', title: 'Rådmann' },
    },
  );
  expectStatus(decided, 200, 'sub-processor decision');
  const now = await clockNow(url);
  const breach = await processor.post<Body>(
    `/agreements/${current.id}/breaches`,
    breachReport(new Date(now.getTime() - 3_600_000).toISOString()),
  );
  expectStatus(breach, 201, 'breach report');
  // Rule 16: an unanswered question (number 1) on that report.
  const question = await controller.post<Body>(
    `/agreements/${current.id}/breaches/${breach.body.id}/questions`,
    {
      question: 'Hvor mange av de berørte er under 18 år?',
    },
  );
  expectStatus(question, 201, 'breach question');
  const today = osloDateOf(now);
  const audit = await controller.post<Body>(`/agreements/${current.id}/audits`, {
    type: 'DOCUMENT_REVIEW',
    scope: 'Tilgangsstyring og logging',
    dueOn: plusDays(today, 60),
    recurrence: { everyMonths: 12 },
  });
  expectStatus(audit, 201, 'oversight audit');
  const finding = await controller.post<Body>(`/agreements/${current.id}/audits/${audit.body.id}/findings`, {
    description: 'Tilganger fjernes for sent',
    deadline: plusDays(today, 30),
    responsible: 'processor',
  });
  expectStatus(finding, 201, 'oversight finding');
  // Rule 16: an instruction awaiting acknowledgement, and one the processor objected to.
  const instruction = (title: string) =>
    controller.post<Body>(`/agreements/${current.id}/instructions`, {
      topic: 'SECURITY',
      title,
      text: 'Tilgang til fagsystemet skal bare gis med tofaktorautentisering.',
    });
  const awaitingInstruction = await instruction('Tofaktorautentisering');
  expectStatus(awaitingInstruction, 201, 'instruction');
  const objectedInstruction = await instruction('Logging av oppslag');
  expectStatus(objectedInstruction, 201, 'instruction');
  expectStatus(
    await processor.post(`/agreements/${current.id}/instructions/${objectedInstruction.body.id}/objection`, {
      reason: 'Loggingen som kreves samler mer enn nødvendig',
    }),
    200,
    'instruction objection',
  );
  // Rule 16: a forwarded request with an open assistance task (number 1).
  const forwarded = await processor.post<Body>(`/agreements/${current.id}/requests`, {
    from: 'DATA_SUBJECT',
    kind: 'ACCESS',
    receivedAt: new Date(now.getTime() - 86_400_000).toISOString(),
    asked: 'Innsyn i opplysninger om seg selv',
  });
  expectStatus(forwarded, 201, 'forwarded request');
  const task = await controller.post<Body>(`/agreements/${current.id}/requests/${forwarded.body.id}/tasks`, {
    description: 'Hent ut registreringene',
    dueOn: osloDateOf(now),
  });
  expectStatus(task, 201, 'request task');
  const noticed = await inForce({ title: 'Avtale i oppsigelsestid' });
  await notice(noticed.id, 'processor');
  const amendment = await controller.post<Body>(`/agreements/${noticed.id}/amendments`, {
    changes: { securityMeasures: 'Felles sikkerhetsnormer, og tofaktorinnlogging for alle brukere' },
    reason: 'Sterkere autentisering etter ROS-analyse',
  });
  expectStatus(amendment, 201, 'amendment proposal');
  const cancelled = await create('processor', { title: 'Avtale som ble trukket' });
  const withdrawn = await processor.post(`/agreements/${cancelled}/cancel`, {
    reason: 'Opprettet ved en feil',
  });
  expectStatus(withdrawn, 200, 'cancel');
  await settle();

  const ids: Record<FixtureName, [string, Role]> = {
    draft: [draft, 'controller'],
    awaiting: [awaiting, 'controller'],
    inForce: [current.id, 'controller'],
    notice: [noticed.id, 'controller'],
    terminated: [terminated.id, 'controller'],
    cancelled: [cancelled, 'processor'],
  };
  const fixtures = {} as Record<FixtureName, Fixture>;
  for (const [name, [id, createdBy]] of Object.entries(ids) as [FixtureName, [string, Role]][]) {
    const read = await controller.get<Body>(`/agreements/${id}`);
    expectStatus(read, 200, `GET /agreements/${id}`);
    const { status, version, contentHash } = read.body;
    fixtures[name] = { name, id, status, version, contentHash, createdBy };
  }
  const expected: Record<FixtureName, string> = {
    draft: 'DRAFT',
    awaiting: 'AWAITING_SIGNATURES',
    inForce: 'IN_FORCE',
    notice: 'NOTICE_PERIOD',
    terminated: 'TERMINATED',
    cancelled: 'CANCELLED',
  };
  for (const fixture of Object.values(fixtures)) {
    if (fixture.status !== expected[fixture.name]) {
      throw new Error(`Building the fuzz world: ${fixture.name} is ${fixture.status}`);
    }
  }

  const cursorOf = async (client: ApiClient, path: string) => {
    const page = await client.get<Body>(path);
    expectStatus(page, 200, `GET ${path}`);
    if (!page.body.nextCursor) throw new Error(`Building the fuzz world: ${path} gave no next cursor`);
    return page.body.nextCursor;
  };
  const cursors = {
    history: await cursorOf(controller, `/agreements/${current.id}/history?limit=1`),
    auditLog: await cursorOf(controller, `/agreements/${current.id}/audit-log?limit=1`),
    notifications: await cursorOf(controller, '/notifications?limit=1'),
    agreements: await cursorOf(controller, '/agreements?limit=1'),
  };
  const feed = await controller.post<{ id: string; path: string }>('/calendar-feeds', { name: 'Fuzz' });
  expectStatus(feed, 201, 'POST /calendar-feeds');
  const webhook = await controller.post<{ id: string }>('/webhooks', UNREACHED_WEBHOOK);
  expectStatus(webhook, 201, 'POST /webhooks');
  await settle();

  return {
    url,
    tokens,
    orgNumbers: { controller: CONTROLLER_ORG, processor: PROCESSOR_ORG, outsider: OUTSIDER_ORG },
    fixtures,
    requestedSubId: requested.body.id,
    approvedSubId: approved.body.id,
    breachId: breach.body.id,
    auditId: audit.body.id,
    instructionIds: { awaiting: awaitingInstruction.body.id, objected: objectedInstruction.body.id },
    forwardedRequestId: forwarded.body.id,
    amendmentId: amendment.body.id,
    amendmentContentHash: amendment.body.contentHash,
    today: osloDateOf(await clockNow(url)),
    effectiveFrom: current.effectiveFrom,
    cursors,
    calendarFeed: { id: feed.body.id, file: feed.body.path.slice('/calendar/'.length) },
    webhookId: webhook.body.id,
  };
}
