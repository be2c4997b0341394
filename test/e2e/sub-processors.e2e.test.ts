import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFunctions } from '../../functions/catalogue.ts';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';

/**
 * Sub-processors and the processing gate as a newcomer meets them: the local stack started with
 * `npm start`'s command, called over HTTP, the virtual clock moved, killed with kill -9 and started again.
 * Invented sub-processors throughout; the organisation numbers are public bodies' (valid test data).
 */

interface SubProcessor {
  id: string;
  name: string;
  status: string;
  decisionDeadline?: string;
}
interface Answer {
  authorized: boolean;
  reasons: string[];
}
interface Problem {
  status: number;
  detail: string;
  currentStatus?: string;
  errors?: { field: string; message: string }[];
}

const SUB_PROCESSOR_ORG = '953264382'; // a public body, party to nothing here

const norwegian = (name: string) => ({
  name,
  orgNumber: SUB_PROCESSOR_ORG,
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og backup av fagsystemet',
  personalDataTypes: ['Navn'],
});
const american = (name: string, transferMechanism?: 'SCC' | 'ADEQUACY') => ({
  name,
  address: '1 Harbor Way, Seattle, WA',
  processingLocation: { city: 'Seattle', countryCode: 'US' },
  activities: 'Drift av skytjeneste',
  personalDataTypes: ['Navn', 'Fødselsnummer'],
  ...(transferMechanism ? { transferMechanism } : {}),
});
const decision = (verdict: 'APPROVED' | 'REJECTED', reason: string) => ({
  decision: verdict,
  reason,
  signatory: { name: 'Kari Testesen', title: 'Rådmann' },
});

const osloDate = (instant: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', dateStyle: 'short' }).format(instant);
const plusDays = (date: string, days: number) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
};

const terminationServed = httpFunctions.some((fn) => fn.path === '/agreements/{id}/termination-notice');

describe('sub-processors and the processing gate on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function today(): Promise<string> {
    return osloDate(new Date((await controller.get<{ now: string }>('/local/clock')).body.now));
  }

  async function advance(duration: string): Promise<void> {
    expect((await controller.post('/local/clock', { advanceBy: duration })).status).toBe(200);
  }

  async function agreementInForce(overrides: Record<string, unknown> = {}): Promise<string> {
    const created = await controller.post('/agreements', agreementRequest(overrides));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await controller.post(`/agreements/${id}/submit`)).status).toBe(200);
    expect(
      (
        await processor.post(
          `/agreements/${id}/signatures`,
          signature('Per Testesen', 'Oslo', created.body.contentHash as string),
        )
      ).status,
    ).toBe(201);
    const second = await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', created.body.contentHash as string),
    );
    expect(second.body.status).toBe('IN_FORCE');
    return id;
  }

  async function request(id: string, body: unknown): Promise<SubProcessor> {
    const requested = await processor.post<SubProcessor>(`/agreements/${id}/sub-processors`, body);
    expect(requested.status).toBe(202);
    return requested.body;
  }

  async function decide(
    id: string,
    subId: string,
    verdict: 'APPROVED' | 'REJECTED',
    reason = 'Vurdert og funnet i orden',
  ) {
    const decided = await controller.post<SubProcessor>(
      `/agreements/${id}/sub-processors/${subId}/decision`,
      decision(verdict, reason),
    );
    expect(decided.status).toBe(200);
    return decided.body;
  }

  async function gate(id: string, subId: string, as = processor): Promise<Answer> {
    const answer = await as.get<Answer>(`/agreements/${id}/processing-authorization?subProcessorId=${subId}`);
    expect(answer.status).toBe(200);
    return answer.body;
  }

  async function vedlegg3On(id: string, date: string): Promise<string[]> {
    const listed = await controller.get<{ items: SubProcessor[] }>(
      `/agreements/${id}/sub-processors?status=APPROVED&on=${date}`,
    );
    expect(listed.status).toBe(200);
    return listed.body.items.map((item) => item.name);
  }

  it('takes requests from the processor only, and third countries only with a transfer mechanism', async () => {
    const id = await agreementInForce({ title: 'Avtale med underdatabehandlere' });

    const byController = await controller.post<Problem>(
      `/agreements/${id}/sub-processors`,
      norwegian('Drift AS'),
    );
    expect(byController.status).toBe(403);
    expect((await outsider.post(`/agreements/${id}/sub-processors`, norwegian('Drift AS'))).status).toBe(404);

    const withoutMechanism = await processor.post<Problem>(
      `/agreements/${id}/sub-processors`,
      american('Cloudy Inc'),
    );
    expect(withoutMechanism.status).toBe(400);
    expect(withoutMechanism.headers.get('content-type')).toContain('application/problem+json');
    expect(withoutMechanism.body.detail).toContain(
      'outside the EEA and needs a transfer mechanism: EU standard contractual clauses (SCC) or an adequacy decision (ADEQUACY)',
    );
    expect(withoutMechanism.body.errors?.map((error) => error.field)).toEqual(['transferMechanism']);
    const notCovered = await processor.post<Problem>(`/agreements/${id}/sub-processors`, {
      ...norwegian('Drift AS'),
      personalDataTypes: ['Kontonummer'],
    });
    expect(notCovered.status).toBe(400);
    expect(notCovered.body.errors?.map((error) => error.field)).toEqual(['personalDataTypes.0']);
    expect(
      (await controller.get<{ items: unknown[] }>(`/agreements/${id}/sub-processors`)).body.items,
    ).toEqual([]);

    const withScc = await request(id, american('Cloudy Inc', 'SCC'));
    expect(withScc).toMatchObject({ status: 'REQUESTED', decisionDeadline: plusDays(await today(), 30) });
    const toController = await controller.get<{ items: { type: string; agreementId: string }[] }>(
      '/notifications?limit=100',
    );
    expect(toController.body.items.filter((n) => n.agreementId === id).map((n) => n.type)).toContain(
      'sub-processor.requested',
    );

    const byProcessor = await processor.post<Problem>(
      `/agreements/${id}/sub-processors/${withScc.id}/decision`,
      decision('APPROVED', 'Selvgodkjent'),
    );
    expect(byProcessor.status).toBe(403);
    expect(
      (
        await outsider.post(
          `/agreements/${id}/sub-processors/${withScc.id}/decision`,
          decision('APPROVED', 'x'),
        )
      ).status,
    ).toBe(404);
    expect(
      (await outsider.get(`/agreements/${id}/processing-authorization?subProcessorId=${withScc.id}`)).status,
    ).toBe(404);
    expect((await gate(id, withScc.id)).authorized).toBe(false);
  });

  it('answers the gate before approval, after approval, after rejection and after expiry, and logs each question', async () => {
    const draft = await controller.post(
      '/agreements',
      agreementRequest({ subProcessors: [norwegian('Utkast Drift AS')] }),
    );
    const draftId = draft.body.id as string;
    expect(await gate(draftId, 'any')).toEqual(
      expect.objectContaining({
        authorized: false,
        reasons: ['The agreement is not in force (status DRAFT)', 'No such sub-processor on this agreement'],
      }),
    );

    const id = await agreementInForce();
    const approved = await request(id, norwegian('Godkjent Drift AS'));
    expect(await gate(id, approved.id)).toMatchObject({
      authorized: false,
      reasons: [expect.stringMatching(/^The sub-processor is not approved \(status REQUESTED\)/)],
    });
    await decide(id, approved.id, 'APPROVED');
    expect(await gate(id, approved.id)).toMatchObject({
      authorized: true,
      reasons: ['The agreement is in force', expect.stringContaining('Godkjent Drift AS is approved')],
    });
    expect((await gate(id, approved.id, controller)).authorized).toBe(true);

    const rejected = await request(id, american('Avvist Sky Inc', 'ADEQUACY'));
    await decide(id, rejected.id, 'REJECTED', 'Ikke nødvendig for oppdraget');
    expect(await gate(id, rejected.id)).toMatchObject({
      authorized: false,
      reasons: ['The sub-processor is not approved (status REJECTED)'],
    });

    const silent = await request(id, norwegian('Stille Backup AS'));
    await advance('P31D');
    expect(
      (await processor.get<SubProcessor>(`/agreements/${id}/sub-processors/${silent.id}`)).body.status,
    ).toBe('EXPIRED');
    expect(await gate(id, silent.id)).toMatchObject({
      authorized: false,
      reasons: ['The sub-processor is not approved (status EXPIRED)'],
    });
    const late = await controller.post<Problem>(
      `/agreements/${id}/sub-processors/${silent.id}/decision`,
      decision('APPROVED', 'For sent'),
    );
    expect(late.status).toBe(409);
    expect(late.body.currentStatus).toBe('EXPIRED');
    expect((await gate(id, 'no-such-sub-processor')).reasons).toEqual([
      'No such sub-processor on this agreement',
    ]);

    const audit = await controller.get<{
      items: { action: string; details?: { subProcessorId?: string } }[];
    }>(`/agreements/${id}/audit-log?limit=100`);
    const questions = audit.body.items.filter((entry) => entry.action === 'processing-authorization.read');
    expect(questions.map((entry) => entry.details?.subProcessorId)).toEqual([
      approved.id,
      approved.id,
      approved.id,
      rejected.id,
      silent.id,
      'no-such-sub-processor',
    ]);
  });

  it('gives Vedlegg 3 as it stood on two different dates, every change a new version', async () => {
    const signedOn = await today();
    const id = await agreementInForce({ subProcessors: [norwegian('Alfa Drift AS')] });
    const initial = await controller.get<{ items: SubProcessor[] }>(`/agreements/${id}/sub-processors`);
    expect(initial.body.items.map((item) => [item.name, item.status])).toEqual([
      ['Alfa Drift AS', 'APPROVED'],
    ]);
    const alfa = initial.body.items[0]!;
    expect((await gate(id, alfa.id)).authorized).toBe(true);
    const beta = await request(id, {
      ...norwegian('Beta Sky AS'),
      processingLocation: { city: 'Stockholm', countryCode: 'SE' },
    });
    await decide(id, beta.id, 'APPROVED');

    await advance('P2D');
    const later = await today();
    const gamma = await request(id, american('Gamma Cloud Inc', 'SCC'));
    await decide(id, gamma.id, 'APPROVED');
    const withdrawn = await processor.post<SubProcessor>(
      `/agreements/${id}/sub-processors/${alfa.id}/withdraw`,
      {
        reason: 'Driftsavtalen med Alfa Drift AS er avsluttet',
      },
    );
    expect(withdrawn.body.status).toBe('WITHDRAWN');

    expect(await vedlegg3On(id, plusDays(signedOn, -1))).toEqual([]);
    expect(await vedlegg3On(id, signedOn)).toEqual(['Alfa Drift AS', 'Beta Sky AS']);
    expect(await vedlegg3On(id, later)).toEqual(['Beta Sky AS', 'Gamma Cloud Inc']);
    expect((await gate(id, alfa.id)).reasons).toEqual([
      'The sub-processor is not approved (status WITHDRAWN)',
    ]);
    const future = await controller.get<Problem>(
      `/agreements/${id}/sub-processors?status=APPROVED&on=${plusDays(later, 1)}`,
    );
    expect(future.status).toBe(400);

    const history = await processor.get<{ items: { type: string; details?: { version?: number } }[] }>(
      `/agreements/${id}/history?limit=100`,
    );
    const versions = history.body.items.filter((entry) => entry.type === 'APPENDIX_3_VERSION');
    expect(versions.map((entry) => entry.details?.version)).toEqual([1, 2, 3, 4]);
  });

  it.runIf(terminationServed)('authorises during the notice period and not after termination', async () => {
    const id = await agreementInForce({ noticePeriodMonths: 1 });
    const sub = await request(id, norwegian('Oppsigelse Drift AS'));
    await decide(id, sub.id, 'APPROVED');

    const notice = await controller.post(`/agreements/${id}/termination-notice`, {
      reason: 'Tjenesten avvikles',
    });
    expect(notice.status).toBe(200);
    expect(notice.body.status).toBe('NOTICE_PERIOD');
    const terminatesOn = notice.body.terminatesOn as string;
    expect(await gate(id, sub.id)).toMatchObject({
      authorized: true,
      reasons: [
        `The agreement is in force, in its notice period until the end of ${terminatesOn}`,
        expect.any(String),
      ],
    });
    const duringNotice = await request(id, norwegian('Sen Drift AS'));
    expect(duringNotice.status).toBe('REQUESTED');

    await advance('P32D');
    expect((await controller.get(`/agreements/${id}`)).body.status).toBe('TERMINATED');
    expect(await gate(id, sub.id)).toMatchObject({
      authorized: false,
      reasons: ['The agreement is not in force (status TERMINATED)'],
    });
    const afterEnd = await processor.post<Problem>(
      `/agreements/${id}/sub-processors`,
      norwegian('For Sen AS'),
    );
    expect(afterEnd.status).toBe(409);
    expect(afterEnd.body.currentStatus).toBe('TERMINATED');
    expect(await vedlegg3On(id, await today())).toEqual(['Oppsigelse Drift AS']);
  });

  it('keeps a pending request across kill -9: it still expires when its 30 days are out', async () => {
    const id = await agreementInForce();
    const pending = await request(id, norwegian('Omstart Drift AS'));
    await advance('P10D');

    await stack.kill9();
    await stack.start();

    expect((await gate(id, pending.id)).authorized).toBe(false);
    await advance('P21D');
    expect(
      (await processor.get<SubProcessor>(`/agreements/${id}/sub-processors/${pending.id}`)).body.status,
    ).toBe('EXPIRED');
    const toProcessor = await processor.get<{ items: { type: string; agreementId: string }[] }>(
      '/notifications?limit=100',
    );
    expect(
      toProcessor.body.items.filter((n) => n.agreementId === id && n.type === 'sub-processor.expired'),
    ).toHaveLength(1);
  });
});
