import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { osloDateOf, plusDays } from '../support/in-process-stack.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';
import { flatText } from '../support/pdf-text.ts';

type Amendment = { id: string; number: number; status: string; contentHash: string; effectiveFrom?: string };
type Agreement = {
  id: string;
  status: string;
  version: number;
  contentHash: string;
  contentVersion?: number;
  openAmendment?: { id: string; number: number };
  securityMeasures: string;
  scope: { personalDataTypes: string[] };
  contacts: { processor: { name: string } };
  noticePeriodMonths: number;
};

const STRONGER = 'Felles sikkerhetsnormer, og tofaktorinnlogging for alle brukere (endring 1)';

/** Rule 13 over HTTP on the local stack, as the parties would use it, across a restart. */
describe('amendments and contact persons on the local stack', () => {
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

  const today = async () =>
    osloDateOf(new Date((await controller.get<{ now: string }>('/local/clock')).body.now));
  const advance = async (duration: string) =>
    expect((await controller.post('/local/clock', { advanceBy: duration })).status).toBe(200);
  const agreement = async (id: string) => (await controller.get<Agreement>(`/agreements/${id}`)).body;
  const notificationTypes = async (client: ApiClient, id: string) =>
    (
      await client.get<{ items: { type: string; agreementId: string }[] }>('/notifications?limit=100')
    ).body.items
      .filter((n) => n.agreementId === id)
      .map((n) => n.type);

  async function agreementInForce(): Promise<Agreement> {
    const created = await controller.post<Agreement>('/agreements', agreementRequest());
    const { id, contentHash } = created.body;
    await controller.post(`/agreements/${id}/submit`);
    await processor.post(`/agreements/${id}/signatures`, signature('Per Hansen', 'Oslo', contentHash));
    const signed = await controller.post<Agreement>(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', contentHash),
    );
    expect(signed.body.status).toBe('IN_FORCE');
    return signed.body;
  }

  it('changes a contact, amends scope and security measures across a restart, and reads what was in force', async () => {
    const original = await agreementInForce();
    const { id } = original;
    const signedOn = await today();

    // The processor's new contact person: no signature, the content hash stays, the controller is told.
    const etag = (await processor.get(`/agreements/${id}`)).headers.get('etag')!;
    const recontacted = await processor.request<Agreement>(
      'PUT',
      `/agreements/${id}/contacts/processor`,
      { name: 'Åse Ny-Kontakt', email: 'ase@example.no', phone: '+4797777777' },
      { 'if-match': etag },
    );
    expect(recontacted.status).toBe(200);
    expect(recontacted.body.contacts.processor.name).toBe('Åse Ny-Kontakt');
    expect(recontacted.body.contentHash).toBe(original.contentHash);
    expect(
      (
        await controller.request(
          'PUT',
          `/agreements/${id}/contacts/processor`,
          recontacted.body.contacts.processor,
          {
            'if-match': recontacted.headers.get('etag')!,
          },
        )
      ).status,
    ).toBe(403);
    expect(await notificationTypes(controller, id)).toContain('contact.changed');

    await advance('P2D');
    const scope = {
      ...original.scope,
      personalDataTypes: [...original.scope.personalDataTypes, 'Telefonnummer'],
    };
    const proposed = await controller.post<Amendment>(`/agreements/${id}/amendments`, {
      changes: { scope, securityMeasures: STRONGER },
      reason: 'Ny datatype og sterkere autentisering etter ROS-analyse',
    });
    expect(proposed.status).toBe(201);
    expect(proposed.headers.get('location')).toBe(`/agreements/${id}/amendments/${proposed.body.id}`);
    expect(proposed.body).toMatchObject({
      number: 1,
      status: 'AWAITING_SIGNATURES',
      proposedBy: 'controller',
    });
    expect(proposed.body.contentHash).not.toBe(original.contentHash);
    expect((await agreement(id)).openAmendment).toEqual({ id: proposed.body.id, number: 1 });

    const second = await processor.post(`/agreements/${id}/amendments`, {
      changes: { title: 'Annen tittel' },
      reason: 'Ryddigere tittel',
    });
    expect(second.status).toBe(409);
    expect(String(second.body.detail)).toContain(proposed.body.id);
    expect((await outsider.get(`/agreements/${id}/amendments/${proposed.body.id}`)).status).toBe(404);

    // A signature of the content in force, not the amended one, is refused naming the amended hash.
    const signUrl = `/agreements/${id}/amendments/${proposed.body.id}/signatures`;
    const stale = await processor.post(signUrl, signature('Per Hansen', 'Oslo', original.contentHash));
    expect(stale.status).toBe(409);
    expect(stale.body.contentHash).toBe(proposed.body.contentHash);

    const first = await processor.post<Amendment>(
      signUrl,
      signature('Per Hansen', 'Oslo', proposed.body.contentHash),
    );
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('AWAITING_SIGNATURES');

    await stack.kill9();
    await stack.start();

    const last = await controller.post<Amendment>(
      signUrl,
      signature('Kari Testesen', 'Radøy', proposed.body.contentHash),
    );
    expect(last.status).toBe(201);
    expect(last.body).toMatchObject({
      status: 'IN_FORCE',
      effectiveFrom: await today(),
      resultingVersion: 2,
    });

    const amended = await agreement(id);
    expect(amended).toMatchObject({
      contentVersion: 2,
      contentHash: proposed.body.contentHash,
      securityMeasures: STRONGER,
    });
    expect(amended.scope.personalDataTypes).toContain('Telefonnummer');
    expect(amended.openAmendment).toBeUndefined();
    // Contacts are not amended content: the new contact person stays.
    expect(amended.contacts.processor.name).toBe('Åse Ny-Kontakt');

    const versions = await processor.get<{
      items: { number: number; contentHash: string; effectiveFrom: string }[];
    }>(`/agreements/${id}/versions`);
    expect(versions.body.items.map((v) => [v.number, v.contentHash, v.effectiveFrom])).toEqual([
      [1, original.contentHash, signedOn],
      [2, proposed.body.contentHash, await today()],
    ]);
    const first1 = await controller.get<{ content: { securityMeasures: string } }>(
      `/agreements/${id}/versions/1`,
    );
    expect(first1.body.content.securityMeasures).toBe(original.securityMeasures);
    expect((await controller.get(`/agreements/${id}/versions/3`)).status).toBe(404);

    const before = await controller.get<Agreement>(`/agreements/${id}?on=${plusDays(await today(), -1)}`);
    expect(before.body).toMatchObject({ contentVersion: 1, contentHash: original.contentHash });
    expect(before.body.securityMeasures).toBe(original.securityMeasures);
    const after = await controller.get<Agreement>(`/agreements/${id}?on=${await today()}`);
    expect(after.body).toMatchObject({ contentVersion: 2, securityMeasures: STRONGER });

    const document1 = await controller.getBytes(`/agreements/${id}/document?version=1`);
    const document2 = await controller.getBytes(`/agreements/${id}/document?version=2`);
    expect(flatText(document1.body)).toContain(original.contentHash);
    expect(flatText(document2.body)).toContain(proposed.body.contentHash);
    expect(flatText(document2.body)).toContain('tofaktorinnlogging');

    expect(await notificationTypes(processor, id)).toEqual(
      expect.arrayContaining(['amendment.proposed', 'amendment.signed', 'amendment.in-force']),
    );
  });

  it('puts an amendment agreed for a later date in force at the start of that day', async () => {
    const { id } = await agreementInForce();
    const effectiveFrom = plusDays(await today(), 5);
    const proposed = await processor.post<Amendment>(`/agreements/${id}/amendments`, {
      changes: { breachNotificationHours: 24 },
      reason: 'Kortere varslingsfrist',
      effectiveFrom,
    });
    expect(proposed.status).toBe(201);
    const signUrl = `/agreements/${id}/amendments/${proposed.body.id}/signatures`;
    await controller.post(signUrl, signature('Kari Testesen', 'Radøy', proposed.body.contentHash));
    const signed = await processor.post<Amendment>(
      signUrl,
      signature('Per Hansen', 'Oslo', proposed.body.contentHash),
    );
    expect(signed.body).toMatchObject({ status: 'SIGNED', effectiveFrom });
    expect((await agreement(id)).contentVersion).toBeUndefined();

    await advance('P4D');
    expect((await agreement(id)).contentVersion).toBeUndefined();
    await advance('P1D');
    const inForce = await agreement(id);
    expect(inForce).toMatchObject({ contentVersion: 2, contentHash: proposed.body.contentHash });
    const read = await controller.get<Amendment>(`/agreements/${id}/amendments/${proposed.body.id}`);
    expect(read.body.status).toBe('IN_FORCE');
  });

  it('reminds the party that has not signed weekly, expires at the deadline, and lets the proposer withdraw', async () => {
    const { id } = await agreementInForce();
    const proposed = await controller.post<Amendment>(`/agreements/${id}/amendments`, {
      changes: { securityMeasures: STRONGER },
      reason: 'Sterkere autentisering',
      signatureDeadlineDays: 10,
    });
    await controller.post(
      `/agreements/${id}/amendments/${proposed.body.id}/signatures`,
      signature('Kari Testesen', 'Radøy', proposed.body.contentHash),
    );
    await advance('P8D');
    expect(await notificationTypes(processor, id)).toContain('reminder.amendment-signature-missing');
    expect(await notificationTypes(controller, id)).not.toContain('reminder.amendment-signature-missing');
    await advance('P3D');
    const expired = await controller.get<Amendment>(`/agreements/${id}/amendments/${proposed.body.id}`);
    expect(expired.body).toMatchObject({ status: 'EXPIRED', expiredBecause: 'SIGNATURE_DEADLINE' });
    expect((await agreement(id)).openAmendment).toBeUndefined();

    const next = await processor.post<Amendment>(`/agreements/${id}/amendments`, {
      changes: { title: 'Databehandleravtale (endret tittel)' },
      reason: 'Ny tittel',
    });
    expect(next.body.number).toBe(2);
    const byOther = await controller.post(`/agreements/${id}/amendments/${next.body.id}/withdraw`, {});
    expect(byOther.status).toBe(403);
    const withdrawn = await processor.post<Amendment>(
      `/agreements/${id}/amendments/${next.body.id}/withdraw`,
      {
        reason: 'Ikke nødvendig likevel',
      },
    );
    expect(withdrawn.body.status).toBe('WITHDRAWN');
    const list = await controller.get<{ items: Amendment[] }>(`/agreements/${id}/amendments`);
    expect(list.body.items.map((a) => [a.number, a.status])).toEqual([
      [1, 'EXPIRED'],
      [2, 'WITHDRAWN'],
    ]);
  });
});
