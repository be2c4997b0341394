import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ApiClient,
  type ApiResponse,
  agreementRequest,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

/**
 * Conflicting commands fired at the same moment (issue 7): exactly one wins, the others are refused
 * with 409 or 412, and the history holds exactly one entry per accepted change. Every command here
 * goes over HTTP to the real handlers, so the conditional writes in DynamoDB Local decide the race.
 */

interface Agreement {
  id: string;
  status: string;
  version: number;
  contentHash: string;
  title: string;
  signatures: { party: string }[];
  termination?: { givenBy: string };
}
interface HistoryEntry {
  type: string;
  details?: Record<string, unknown>;
}
interface SubProcessor {
  id: string;
  status: string;
}

const SIGNATORY = { name: 'Kari Testesen', title: 'Rådmann' };
const TEN = Array.from({ length: 10 }, (_, index) => index);

const statusesOf = (responses: ApiResponse<unknown>[]) => responses.map((response) => response.status).sort();
const typesOf = (history: HistoryEntry[], ...types: string[]) =>
  history.filter((entry) => types.includes(entry.type)).map((entry) => entry.type);

describe('concurrent conflicting commands', () => {
  let local: InProcessStack;
  let controller: ApiClient;
  let processor: ApiClient;

  beforeAll(async () => {
    local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
    controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(local.url, PROCESSOR_ORG);
  });

  afterAll(async () => {
    await local?.stop();
  });

  const settle = () => local.stack.stepFunctions.idle();

  async function draft(title = 'Avtale i kappløp'): Promise<Agreement> {
    const created = await controller.post<Agreement>('/agreements', agreementRequest({ title }));
    expect(created.status).toBe(201);
    return created.body;
  }

  async function awaitingSignatures(): Promise<string> {
    const { id } = await draft();
    expect((await controller.post(`/agreements/${id}/submit`)).status).toBe(200);
    await settle();
    return id;
  }

  async function inForce(): Promise<string> {
    const id = await awaitingSignatures();
    const { contentHash } = await read(id);
    expect(
      (await processor.post(`/agreements/${id}/signatures`, signature('Per Hansen', 'Oslo', contentHash)))
        .status,
    ).toBe(201);
    const second = await controller.post<Agreement>(
      `/agreements/${id}/signatures`,
      signature('Kari', 'Radøy', contentHash),
    );
    expect(second.body.status).toBe('IN_FORCE');
    await settle();
    return id;
  }

  async function historyOf(id: string): Promise<HistoryEntry[]> {
    const page = await controller.get<{ items: HistoryEntry[] }>(`/agreements/${id}/history?limit=100`);
    expect(page.status).toBe(200);
    return page.body.items;
  }

  async function read(id: string): Promise<Agreement> {
    const response = await controller.get<Agreement>(`/agreements/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  it('ten edits with the same If-Match: one 200, nine 412, one DRAFT_UPDATED, the winner’s title stored', async () => {
    const { id, version } = await draft();

    const responses = await Promise.all(
      TEN.map((index) =>
        controller.request<Agreement>(
          'PATCH',
          `/agreements/${id}`,
          { title: `Tittel ${index}` },
          {
            'if-match': `"${version}"`,
          },
        ),
      ),
    );

    expect(statusesOf(responses)).toEqual([200, ...Array(9).fill(412)]);
    const winner = responses.find((response) => response.status === 200)!;
    const stored = await read(id);
    expect(stored.title).toBe(winner.body.title);
    expect(stored.version).toBe(version + 1);
    expect(typesOf(await historyOf(id), 'DRAFT_UPDATED')).toEqual(['DRAFT_UPDATED']);
  });

  it('the processor signing ten times at once: one 201, nine 409, one signature and one SIGNED', async () => {
    const id = await awaitingSignatures();
    const { contentHash } = await read(id);

    const responses = await Promise.all(
      TEN.map(() =>
        processor.post(`/agreements/${id}/signatures`, signature('Per Hansen', 'Oslo', contentHash)),
      ),
    );

    expect(statusesOf(responses)).toEqual([201, ...Array(9).fill(409)]);
    const stored = await read(id);
    expect(stored.signatures.map((s) => s.party)).toEqual(['processor']);
    expect(stored.status).toBe('AWAITING_SIGNATURES');
    expect(typesOf(await historyOf(id), 'SIGNED', 'ENTERED_INTO_FORCE')).toEqual(['SIGNED']);
  });

  it('both parties signing at once: both 201 (order does not matter), one entry into force', async () => {
    const id = await awaitingSignatures();
    const { contentHash } = await read(id);

    const responses = await Promise.all([
      processor.post(`/agreements/${id}/signatures`, signature('Per Hansen', 'Oslo', contentHash)),
      controller.post(`/agreements/${id}/signatures`, signature('Kari Testesen', 'Radøy', contentHash)),
    ]);

    expect(statusesOf(responses)).toEqual([201, 201]);
    await settle();
    const stored = await read(id);
    expect(stored.status).toBe('IN_FORCE');
    expect(stored.signatures.map((s) => s.party).sort()).toEqual(['controller', 'processor']);
    expect(typesOf(await historyOf(id), 'SIGNED', 'ENTERED_INTO_FORCE').sort()).toEqual([
      'ENTERED_INTO_FORCE',
      'SIGNED',
      'SIGNED',
    ]);
  });

  it('approval against rejection of one request: one 200, one 409, one decision in history', async () => {
    const id = await inForce();
    const requested = await processor.post<SubProcessor>(`/agreements/${id}/sub-processors`, {
      name: 'Driftshuset AS',
      address: 'Storgata 1, 0155 Oslo',
      processingLocation: { city: 'Oslo', countryCode: 'NO' },
      activities: 'Drift av fagsystemet',
      personalDataTypes: ['Navn'],
    });
    expect(requested.status).toBe(202);
    await settle();
    const decision = `/agreements/${id}/sub-processors/${requested.body.id}/decision`;

    const [approval, rejection] = await Promise.all([
      controller.post<SubProcessor>(decision, {
        decision: 'APPROVED',
        reason: 'Godkjent',
        signatory: SIGNATORY,
      }),
      controller.post<SubProcessor>(decision, {
        decision: 'REJECTED',
        reason: 'Avslått',
        signatory: SIGNATORY,
      }),
    ]);

    expect(statusesOf([approval, rejection])).toEqual([200, 409]);
    const winner = approval.status === 200 ? 'APPROVED' : 'REJECTED';
    const loser = approval.status === 200 ? rejection : approval;
    expect((loser.body as { currentStatus?: string }).currentStatus).toBe(winner);
    await settle();
    const stored = await controller.get<SubProcessor>(
      `/agreements/${id}/sub-processors/${requested.body.id}`,
    );
    expect(stored.body.status).toBe(winner);
    const history = await historyOf(id);
    expect(typesOf(history, 'SUB_PROCESSOR_APPROVED', 'SUB_PROCESSOR_REJECTED')).toEqual([
      `SUB_PROCESSOR_${winner}`,
    ]);
    // Vedlegg 3 got a new version only if the approval won.
    expect(typesOf(history, 'APPENDIX_3_VERSION')).toHaveLength(winner === 'APPROVED' ? 1 : 0);
  });

  const subProcessorRequest = (name: string) => ({
    name,
    address: 'Storgata 1, 0155 Oslo',
    processingLocation: { city: 'Oslo', countryCode: 'NO' },
    activities: 'Drift av fagsystemet',
    personalDataTypes: ['Navn'],
  });

  it('ten identical sub-processor requests at once: one 202, nine 409, one request for the controller', async () => {
    const id = await inForce();

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        processor.post<SubProcessor>(`/agreements/${id}/sub-processors`, subProcessorRequest('Samme AS')),
      ),
    );

    expect(statusesOf(answers)).toEqual([202, ...Array(9).fill(409)]);
    await settle();
    const requests = await controller.get<{ items: SubProcessor[] }>(`/agreements/${id}/sub-processors`);
    expect(requests.body.items).toHaveLength(1);
    const subId = requests.body.items[0]!.id;
    const asked: { type: string; details?: { subProcessorId?: string } }[] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await controller.get<{ items: typeof asked; nextCursor?: string }>(
        `/notifications?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      asked.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(
      asked.filter((n) => n.type === 'sub-processor.requested' && n.details?.subProcessorId === subId),
    ).toHaveLength(1);
  });

  it('ten decisions on ten requests at once: each 200 or 409, never a 500, one history entry and one Vedlegg 3 version per approval', async () => {
    const id = await inForce();
    const ids: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      const requested = await processor.post<SubProcessor>(
        `/agreements/${id}/sub-processors`,
        subProcessorRequest(`Underleverandør ${index} AS`),
      );
      ids.push(requested.body.id);
    }
    await settle();

    const answers = await Promise.all(
      ids.map((subId) =>
        controller.post(`/agreements/${id}/sub-processors/${subId}/decision`, {
          decision: 'APPROVED',
          reason: 'Godkjent',
          signatory: SIGNATORY,
        }),
      ),
    );

    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    const approved = answers.filter((answer) => answer.status === 200).length;
    await settle();
    const history = await historyOf(id);
    expect(typesOf(history, 'SUB_PROCESSOR_APPROVED')).toHaveLength(approved);
    expect(typesOf(history, 'APPENDIX_3_VERSION')).toHaveLength(approved);
    expect(approved).toBeGreaterThanOrEqual(5);
  });

  it('both parties giving notice at once: one 200, one 409, one notice in history', async () => {
    const id = await inForce();
    const notice = (client: ApiClient, reason: string) =>
      client.post<Agreement>(`/agreements/${id}/termination-notice`, { reason });

    const [byController, byProcessor] = await Promise.all([
      notice(controller, 'Kommunen bytter leverandør'),
      notice(processor, 'Tjenesten legges ned'),
    ]);

    expect(statusesOf([byController, byProcessor])).toEqual([200, 409]);
    await settle();
    const stored = await read(id);
    expect(stored.status).toBe('NOTICE_PERIOD');
    expect(stored.termination?.givenBy).toBe(byController.status === 200 ? 'controller' : 'processor');
    expect(
      typesOf(await historyOf(id), 'TERMINATION_NOTICE_GIVEN', 'TERMINATION_NOTICE_ROLLED_BACK'),
    ).toEqual(['TERMINATION_NOTICE_GIVEN']);
  });

  it.each(
    TEN.slice(0, 5),
  )('submission against cancellation (round %i): the outcome of one order or the other, one entry per accepted change', async () => {
    const { id } = await draft();

    const [submitted, cancelled] = await Promise.all([
      controller.post<Agreement>(`/agreements/${id}/submit`),
      controller.post<Agreement>(`/agreements/${id}/cancel`, { reason: 'Trukket' }),
    ]);
    await settle();

    const stored = await read(id);
    const history = typesOf(
      await historyOf(id),
      'SUBMITTED_FOR_SIGNATURE',
      'SUBMISSION_ROLLED_BACK',
      'CANCELLED',
    );
    const outcome = `submit ${submitted.status}, cancel ${cancelled.status}: ${stored.status}, ${history.join(' then ')}`;
    // Cancelling is allowed from DRAFT and from AWAITING_SIGNATURES, so a cancellation that lands
    // after the submission is a second accepted change, not a lost race.
    expect([
      'submit 200, cancel 409: AWAITING_SIGNATURES, SUBMITTED_FOR_SIGNATURE',
      'submit 409, cancel 200: CANCELLED, CANCELLED',
      'submit 200, cancel 200: CANCELLED, SUBMITTED_FOR_SIGNATURE then CANCELLED',
    ]).toContain(outcome);
  });
  describe('amendments (rule 13)', () => {
    interface Amendment {
      id: string;
      number: number;
      status: string;
      contentHash: string;
    }

    it('ten proposals at once: one 201, nine 409, one open amendment numbered 1', async () => {
      const id = await inForce();
      const responses = await Promise.all(
        TEN.map((index) =>
          (index % 2 ? controller : processor).post<Amendment>(`/agreements/${id}/amendments`, {
            changes: { title: `Databehandleravtale, endring ${index}` },
            reason: 'Ny tittel',
          }),
        ),
      );
      expect(statusesOf(responses)).toEqual([201, ...Array(9).fill(409)]);
      await settle();
      const list = await controller.get<{ items: Amendment[] }>(`/agreements/${id}/amendments`);
      expect(list.body.items.map((amendment) => [amendment.number, amendment.status])).toEqual([
        [1, 'AWAITING_SIGNATURES'],
      ]);
      expect(typesOf(await historyOf(id), 'AMENDMENT_PROPOSED')).toHaveLength(1);
    });

    it('both parties signing at once: both 201, in force once, one content version 2', async () => {
      const id = await inForce();
      const proposed = await controller.post<Amendment>(`/agreements/${id}/amendments`, {
        changes: { breachNotificationHours: 24 },
        reason: 'Kortere varslingsfrist',
      });
      await settle();
      const url = `/agreements/${id}/amendments/${proposed.body.id}/signatures`;
      const [byController, byProcessor] = await Promise.all([
        controller.post<Amendment>(url, signature('Kari', 'Radøy', proposed.body.contentHash)),
        processor.post<Amendment>(url, signature('Per Hansen', 'Oslo', proposed.body.contentHash)),
      ]);
      expect(statusesOf([byController, byProcessor])).toEqual([201, 201]);
      expect([byController.body.status, byProcessor.body.status].sort()).toEqual([
        'AWAITING_SIGNATURES',
        'IN_FORCE',
      ]);
      await settle();
      const history = await historyOf(id);
      expect(typesOf(history, 'AMENDMENT_SIGNED')).toHaveLength(2);
      expect(typesOf(history, 'CONTENT_AMENDED')).toHaveLength(1);
      const versions = await controller.get<{ items: { number: number }[] }>(`/agreements/${id}/versions`);
      expect(versions.body.items.map((version) => version.number)).toEqual([1, 2]);
    });

    it('a withdrawal racing the last signature: exactly one of them wins', async () => {
      const id = await inForce();
      const proposed = await controller.post<Amendment>(`/agreements/${id}/amendments`, {
        changes: { breachNotificationHours: 12 },
        reason: 'Kortere varslingsfrist',
      });
      await settle();
      const base = `/agreements/${id}/amendments/${proposed.body.id}`;
      expect(
        (await controller.post(`${base}/signatures`, signature('Kari', 'Radøy', proposed.body.contentHash)))
          .status,
      ).toBe(201);
      const [signed, withdrawn] = await Promise.all([
        processor.post<Amendment>(
          `${base}/signatures`,
          signature('Per Hansen', 'Oslo', proposed.body.contentHash),
        ),
        controller.post<Amendment>(`${base}/withdraw`, {}),
      ]);
      expect(statusesOf([signed, withdrawn])).toEqual(signed.status === 201 ? [201, 409] : [200, 409]);
      await settle();
      const final = await controller.get<Amendment>(base);
      expect(final.body.status).toBe(signed.status === 201 ? 'IN_FORCE' : 'WITHDRAWN');
    });
  });
});
