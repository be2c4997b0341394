import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * `npm run demo` (issue 12): a replayable walkthrough of the product for a newcomer. Two data
 * processing agreements between Radøy kommune (controller) and Arbeids- og velferdsetaten (processor)
 * go through their whole life against a local stack, over HTTP as any client would call it: created,
 * submitted, signed by both, a sub-processor requested, approved and checked at the processing gate,
 * a breach reported, notice given, data disposition chosen, the virtual clock moved past the end,
 * disposition attested, closed. Each step prints the call made and what came back.
 *
 * The target is `--api <url>`, else $DEMO_API, else http://127.0.0.1:3000; when nothing answers there,
 * the demo starts its own local stack in a temporary folder and removes it afterwards. Dates come from
 * the stack's virtual clock and every run creates new agreements, so it replays on a used stack.
 * `runDemo` is the walkthrough itself, for the test to call in-process.
 */

export type Print = (line: string) => void;

export interface DemoResult {
  agreements: { id: string; status: string }[];
  authorized: boolean;
  notifications: { controller: number; processor: number };
}

interface Party {
  /** As printed: who made the call. */
  label: string;
  orgNumber: string;
  name: string;
  token?: string;
}

type Body = Record<string, unknown>;

interface Call {
  as?: Party;
  method: 'GET' | 'POST';
  path: string;
  body?: Body;
  /** Printed beside the call, in the parentheses after the party. */
  about?: string;
  expect: number;
  /** What of the answer to print (ids named by then shown by name); the body's `status` by default. */
  show?: (answer: Answer) => string;
  /** A new id in the answer to show by name from now on, e.g. `sub`. */
  nameAs?: string;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Body;
}

class DemoFailure extends Error {}

const CONTROLLER_ORG = '954748634'; // Radøy kommune (public)
const PROCESSOR_ORG = '889640782'; // Arbeids- og velferdsetaten (public)
const SUB_PROCESSOR_ORG = '953264382'; // a public body, party to neither agreement

const KARI = { name: 'Kari Testesen', title: 'Rådmann' };
const ASE = { name: 'Åse Prøvesen', title: 'Direktør' };
const STATUS_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Request bodies (the shapes of functions/domain/*schemas*.ts), with invented contact persons.

function agreementRequest(title: string, purpose: string): Body {
  return {
    title,
    controller: { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune' },
    processor: { orgNumber: PROCESSOR_ORG, name: 'Arbeids- og velferdsetaten' },
    cooperationAgreementRef: 'Samarbeidsavtale om Modia arbeidsrettet oppfølging',
    scope: {
      purpose,
      nature: 'Lagring og visning i digital aktivitetsplan',
      dataSubjectCategories: ['Deltakere i KVP', 'Veiledere'],
      personalDataTypes: ['Navn', 'Fødselsnummer', 'Adresse'],
      specialCategories: ['Helseopplysninger'],
    },
    securityMeasures: 'Felles sikkerhetsnormer for arbeids- og velferdsforvaltningen',
    contacts: {
      controller: { name: KARI.name, email: 'kari@example.kommune.no', phone: '+4799999999' },
      processor: { name: ASE.name, email: 'ase@example.no', phone: '+4798888888' },
    },
  };
}

const signatureRequest = (signatory: typeof KARI, place: string, contentHash: string): Body => ({
  signatory,
  place,
  contentHash,
});

const subProcessorRequest = (): Body => ({
  name: 'Drift AS',
  orgNumber: SUB_PROCESSOR_ORG,
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og backup av fagsystemet',
  personalDataTypes: ['Navn'],
});

const breachRequest = (becameAwareAt: string): Body => ({
  becameAwareAt,
  nature: 'Brev med vedtak sendt til feil adresse',
  severity: 'MEDIUM',
  dataSubjectCategories: ['Deltakere i KVP'],
  approximateDataSubjects: 1,
  affectedIdentities: 'Én deltaker i kvalifiseringsprogrammet',
  personalDataCategories: ['Navn', 'Fødselsnummer'],
  approximateRecords: 1,
  contactPoint: { name: ASE.name, email: 'personvern@example.no', phone: '+4798888888' },
  likelyConsequences: 'Uvedkommende kan ha lest vedtaket',
  measuresTaken: 'Mottakeren har returnert brevet',
});

// ---------------------------------------------------------------------------------------------
// Dates: the stack's virtual clock is the only source of "today".

const OSLO_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' });
const osloDateOf = (instant: string): string => OSLO_DATE.format(new Date(instant));
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);

// ---------------------------------------------------------------------------------------------
// The HTTP side: one call, one printed line; anything unexpected stops the walkthrough.

const shortHash = (hash: unknown): string => `${String(hash).slice(0, 15)}…`;

class Walkthrough {
  private step = 0;
  /** Ids shown by name ({A}, {B}, {sub}) in the printed paths, so the lines stay readable. */
  private readonly names = new Map<string, string>();

  constructor(
    readonly api: string,
    private readonly print: Print,
  ) {}

  name(id: string, as: string): void {
    this.names.set(id, as);
  }

  say(line: string): void {
    this.print(line);
  }

  async call(call: Call): Promise<Answer> {
    const answer = await this.send(call.method, call.path, call.body, call.as?.token);
    this.report(call, answer);
    return answer;
  }

  /** GET of an agreement until it has `status` (the signing workflow runs asynchronously); one line. */
  async waitForStatus(as: Party, id: string, status: string): Promise<Body> {
    const deadline = Date.now() + STATUS_TIMEOUT_MS;
    for (let polls = 1; ; polls++) {
      const answer = await this.send('GET', `/agreements/${id}`, undefined, as.token);
      const reached = answer.status === 200 && answer.body.status === status;
      if (reached || answer.status !== 200 || Date.now() > deadline) {
        const about = `waiting for ${status}, ${polls} ${polls === 1 ? 'read' : 'reads'}`;
        this.report({ as, method: 'GET', path: `/agreements/${id}`, about, expect: 200 }, answer);
        if (!reached) this.fail(`agreement ${this.display(id)} did not reach ${status}`, answer.body);
        return answer.body;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async send(method: string, path: string, body: Body | undefined, token?: string): Promise<Answer> {
    const response = await fetch(`${this.api}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Body;
    try {
      parsed = text ? (JSON.parse(text) as Body) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  private report(call: Call, answer: Answer): void {
    this.step += 1;
    const who = [call.as?.label, call.about].filter(Boolean).join(', ');
    const request = `[${this.step}] ${call.method} ${this.display(call.path)}${who ? ` (${who})` : ''}`;
    if (answer.status !== call.expect) {
      this.print(`${request}  -> ${answer.status}`);
      this.fail(`expected ${call.expect}, got ${answer.status}`, answer.body);
    }
    if (call.nameAs) this.name(String(answer.body.id), call.nameAs);
    const shown = this.display((call.show ?? (({ body }) => String(body.status ?? '')))(answer));
    this.print(`${request}  -> ${answer.status}${shown ? ` ${shown}` : ''}`);
  }

  private display(path: string): string {
    let shown = path;
    for (const [id, as] of this.names) shown = shown.split(id).join(`{${as}}`);
    return shown;
  }

  fail(reason: string, body: unknown): never {
    this.print(`    ${reason}:`);
    for (const line of JSON.stringify(body, null, 2).split('\n')) this.print(`    ${line}`);
    throw new DemoFailure(reason);
  }
}

// ---------------------------------------------------------------------------------------------
// The steps of an agreement's life.

interface Agreement {
  id: string;
  name: 'A' | 'B';
  disposition: 'RETURN' | 'DELETE';
  noticeBy: Party;
}

async function token(walk: Walkthrough, party: Party): Promise<void> {
  const answer = await walk.call({
    method: 'POST',
    path: '/local/tokens',
    body: { orgNumber: party.orgNumber, name: party.name },
    about: `${party.name} for ${party.orgNumber}`,
    expect: 200,
    show: ({ body }) => `access_token ${String(body.access_token).slice(0, 12)}…`,
  });
  party.token = answer.body.access_token as string;
}

async function today(walk: Walkthrough): Promise<string> {
  const answer = await walk.call({
    method: 'GET',
    path: '/local/clock',
    expect: 200,
    show: ({ body }) => `now ${body.now}`,
  });
  return answer.body.now as string;
}

async function create(walk: Walkthrough, controller: Party, title: string, purpose: string) {
  const answer = await walk.call({
    as: controller,
    method: 'POST',
    path: '/agreements',
    body: agreementRequest(title, purpose),
    about: `"${title}"`,
    expect: 201,
    show: ({ body }) => `${body.status} id ${body.id} contentHash ${shortHash(body.contentHash)}`,
  });
  return { id: answer.body.id as string, contentHash: answer.body.contentHash as string };
}

async function bringIntoForce(
  walk: Walkthrough,
  agreement: Agreement,
  contentHash: string,
  controller: Party,
  processor: Party,
): Promise<void> {
  const { id } = agreement;
  await walk.call({ as: controller, method: 'POST', path: `/agreements/${id}/submit`, expect: 200 });
  for (const [party, signatory, place] of [
    [processor, ASE, 'Oslo'],
    [controller, KARI, 'Radøy'],
  ] as const) {
    await walk.call({
      as: party,
      method: 'POST',
      path: `/agreements/${id}/signatures`,
      body: signatureRequest(signatory, place, contentHash),
      about: `${signatory.name} in ${place}`,
      expect: 201,
    });
  }
  await walk.waitForStatus(controller, id, 'IN_FORCE');
}

/** The processor asks for a sub-processor, the controller approves, the gate is asked. */
async function approveSubProcessor(
  walk: Walkthrough,
  agreement: Agreement,
  controller: Party,
  processor: Party,
): Promise<boolean> {
  const { id } = agreement;
  const requested = await walk.call({
    as: processor,
    method: 'POST',
    path: `/agreements/${id}/sub-processors`,
    body: subProcessorRequest(),
    about: 'Drift AS, Oslo',
    expect: 202,
    nameAs: 'sub',
    show: ({ body, headers }) =>
      `${body.status} decisionDeadline ${body.decisionDeadline} Location ${headers.get('location')}`,
  });
  const subId = requested.body.id as string;
  await walk.call({
    as: controller,
    method: 'POST',
    path: `/agreements/${id}/sub-processors/${subId}/decision`,
    body: { decision: 'APPROVED', reason: 'Vurdert og funnet i orden', signatory: KARI },
    about: `APPROVED by ${KARI.name}`,
    expect: 200,
  });
  const gate = await walk.call({
    as: processor,
    method: 'GET',
    path: `/agreements/${id}/processing-authorization?subProcessorId=${subId}`,
    expect: 200,
    show: ({ body }) => `authorized ${body.authorized}`,
  });
  return gate.body.authorized === true;
}

async function reportBreach(walk: Walkthrough, agreement: Agreement, processor: Party, now: string) {
  const becameAwareAt = new Date(Date.parse(now) - 2 * 3_600_000).toISOString();
  await walk.call({
    as: processor,
    method: 'POST',
    path: `/agreements/${agreement.id}/breaches`,
    body: breachRequest(becameAwareAt),
    about: 'letter sent to the wrong address, aware 2 h ago',
    expect: 201,
    show: ({ body }) => `notificationDeadline ${body.notificationDeadline} reportedLate ${body.reportedLate}`,
  });
}

/** Notice and the controller's choice of disposition; returns `terminatesOn`. */
async function giveNotice(walk: Walkthrough, agreement: Agreement, controller: Party): Promise<string> {
  const { id } = agreement;
  const noticed = await walk.call({
    as: agreement.noticeBy,
    method: 'POST',
    path: `/agreements/${id}/termination-notice`,
    body: { reason: 'Tjenesten flyttes til ny leverandør' },
    expect: 200,
    show: ({ body }) => `${body.status} terminatesOn ${terminatesOn(body)}`,
  });
  await walk.call({
    as: controller,
    method: 'POST',
    path: `/agreements/${id}/data-disposition`,
    body: {
      method: agreement.disposition,
      ...(agreement.disposition === 'RETURN' ? { instructions: 'Eksport som CSV via SFTP' } : {}),
    },
    about: agreement.disposition,
    expect: 200,
  });
  return terminatesOn(noticed.body);
}

function terminatesOn(agreement: Body): string {
  const termination = agreement.termination as { terminatesOn?: string } | undefined;
  return String(termination?.terminatesOn ?? agreement.terminatesOn);
}

async function moveClockPast(walk: Walkthrough, lastDay: string, now: string): Promise<string> {
  const days = daysBetween(osloDateOf(now), lastDay) + 1;
  const moved = await walk.call({
    method: 'POST',
    path: '/local/clock',
    body: { advanceBy: `P${days}D` },
    about: `past terminatesOn ${lastDay}`,
    expect: 200,
    show: ({ body }) => `now ${body.now}`,
  });
  return moved.body.now as string;
}

async function attest(walk: Walkthrough, agreement: Agreement, processor: Party, completedOn: string) {
  await walk.waitForStatus(processor, agreement.id, 'TERMINATED');
  const done = agreement.disposition === 'RETURN' ? 'tilbakelevert og slettet' : 'slettet';
  await walk.call({
    as: processor,
    method: 'POST',
    path: `/agreements/${agreement.id}/data-disposition/attestation`,
    body: {
      method: agreement.disposition,
      completedOn,
      statement: `Alle personopplysninger og kopier er ${done} hos oss.`,
      signatory: ASE,
    },
    about: `${agreement.disposition} completed ${completedOn}`,
    expect: 201,
  });
}

/** "type ×2, other" for a tally of notification types. */
const tallied = (types: Map<string, number>): string =>
  [...types].map(([type, count]) => `${type}${count > 1 ? ` ×${count}` : ''}`).join(', ');

/**
 * The notifications a party got since the run began: those about this run's agreements are counted
 * (and returned); the others (the daily log seals, other traffic on a shared stack) only named.
 */
async function countNotifications(walk: Walkthrough, party: Party, since: string, ids: string[]) {
  const ours = new Map<string, number>();
  const others = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ since, limit: '100', ...(cursor ? { cursor } : {}) });
    const answer = await walk.call({
      as: party,
      method: 'GET',
      path: `/notifications?${query}`,
      expect: 200,
      show: ({ body }) => `${(body.items as unknown[]).length} items${body.nextCursor ? ', nextCursor' : ''}`,
    });
    for (const item of answer.body.items as { type: string; agreementId?: string }[]) {
      const tally = item.agreementId && ids.includes(item.agreementId) ? ours : others;
      tally.set(item.type, (tally.get(item.type) ?? 0) + 1);
    }
    cursor = answer.body.nextCursor as string | undefined;
  } while (cursor);
  const total = [...ours.values()].reduce((sum, count) => sum + count, 0);
  walk.say(`    ${party.label} (${party.orgNumber}): ${total} notifications about A and B: ${tallied(ours)}`);
  if (others.size > 0) walk.say(`      and meanwhile: ${tallied(others)}`);
  return total;
}

// ---------------------------------------------------------------------------------------------
// The walkthrough.

export async function runDemo(apiUrl: string, print: Print = console.log): Promise<DemoResult> {
  const walk = new Walkthrough(apiUrl.replace(/\/+$/, ''), print);
  const controller: Party = { label: 'Radøy', orgNumber: CONTROLLER_ORG, name: KARI.name };
  const processor: Party = { label: 'NAV', orgNumber: PROCESSOR_ORG, name: ASE.name };

  print('-- Tokens for both parties, and today from the virtual clock');
  await token(walk, controller);
  await token(walk, processor);
  const startedAt = await today(walk);

  print('-- Two agreements: created by the controller, submitted, signed by both');
  const agreements: Agreement[] = [];
  const drafts = [
    ['A', 'Databehandleravtale for digital aktivitetsplan (KVP)', 'Arbeidsrettet oppfølging i KVP'],
    ['B', 'Databehandleravtale for økonomisk sosialhjelp', 'Saksbehandling av økonomisk sosialhjelp'],
  ] as const;
  for (const [name, title, purpose] of drafts) {
    const { id, contentHash } = await create(walk, controller, title, purpose);
    walk.name(id, name);
    const agreement: Agreement = {
      id,
      name,
      disposition: name === 'A' ? 'RETURN' : 'DELETE',
      noticeBy: name === 'A' ? controller : processor,
    };
    await bringIntoForce(walk, agreement, contentHash, controller, processor);
    agreements.push(agreement);
  }
  const [first, second] = agreements as [Agreement, Agreement];

  print('-- A: a sub-processor requested and approved; the processing gate; a breach reported');
  const authorized = await approveSubProcessor(walk, first, controller, processor);
  await reportBreach(walk, first, processor, startedAt);

  print('-- Both: notice (A by the controller, B by the processor), the controller chooses disposition');
  const endDays = [await giveNotice(walk, first, controller), await giveNotice(walk, second, controller)];
  const lastDay = endDays.sort().at(-1) as string;

  print('-- The virtual clock past the end of the notice period: TERMINATED, then attested: CLOSED');
  const now = await moveClockPast(walk, lastDay, await today(walk));
  for (const agreement of agreements) await attest(walk, agreement, processor, osloDateOf(now));

  print('-- Summary');
  const final: DemoResult['agreements'] = [];
  for (const { id, name } of agreements) {
    const body = await walk.waitForStatus(controller, id, 'CLOSED');
    final.push({ id, status: String(body.status) });
    print(`    ${name} ${id}: ${body.status}`);
  }
  print(`    processing gate for Drift AS on A: authorized ${authorized}`);
  const ids = agreements.map((agreement) => agreement.id);
  const notifications = {
    controller: await countNotifications(walk, controller, startedAt, ids),
    processor: await countNotifications(walk, processor, startedAt, ids),
  };
  return { agreements: final, authorized, notifications };
}

// ---------------------------------------------------------------------------------------------
// The command line: find or start the stack, run, stop what was started.

const DEFAULT_API = 'http://127.0.0.1:3000';

async function answers(apiUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/openapi.json`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** A local stack of its own (as `npm start` starts one) in a temporary folder, removed on stop. */
async function startOwnStack(): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dpa-demo-'));
  try {
    await mkdir(`${dataDir}/dynamodb`, { recursive: true });
    const { startDynamoDbLocal } = await import('./dynamodb-local.ts');
    const dynamo = startDynamoDbLocal({ dataDir: `${dataDir}/dynamodb` });
    dynamo.catch(() => undefined); // awaited by startLocalStack
    const { startLocalStack } = await import('./local-stack.ts');
    const stack = await startLocalStack({ port: 0, dataDir, dynamo });
    return {
      url: stack.url,
      stop: async () => {
        await stack.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { api: { type: 'string' } } });
  const requested = values.api ?? process.env.DEMO_API ?? DEFAULT_API;
  const started = Date.now();
  let own: Awaited<ReturnType<typeof startOwnStack>> | undefined;
  let apiUrl = requested;
  if (await answers(requested)) {
    console.log(`Using the stack at ${requested}`);
  } else {
    console.log(`Nothing answers at ${requested}; starting a local stack of its own in a temporary folder`);
    own = await startOwnStack();
    apiUrl = own.url;
    console.log(`Own local stack ready at ${apiUrl} after ${Date.now() - started} ms`);
  }
  try {
    await runDemo(apiUrl);
    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    if (!(error instanceof DemoFailure)) console.error(error);
    console.error(`Demo failed: ${(error as Error).message}`);
    return 1;
  } finally {
    if (own) {
      await own.stop();
      console.log('Own local stack stopped and its folder removed');
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
