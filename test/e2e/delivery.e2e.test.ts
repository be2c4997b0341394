import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalMailMessage } from '../../functions/local/local-mail.ts';
import { ApiClient, agreementRequest, CONTROLLER_ORG, PROCESSOR_ORG } from '../support/api-client.ts';
import {
  type InProcessStack,
  osloDateOf,
  osloMidday,
  plusDays,
  startInProcessStack,
} from '../support/in-process-stack.ts';

/**
 * Rule 15 on the local stack: notifications reach the contact persons by e-mail through the SES
 * stand-in (the same SendEmail call as on AWS), fed by the table's stream; the delivery state shows on
 * each notification; a mail outage leaves the change in place and the delivery retried on the virtual
 * clock, delivered once the mail service is back, FAILED after 24 hours of trying.
 */

const KARI = 'kari@example.kommune.no';
const OLA = 'ola@example.no';

interface Delivery {
  channel: string;
  status: string;
  attempts: number;
  at: string;
  nextAttemptAt?: string;
}
interface ListedNotification {
  id: string;
  type: string;
  agreementId?: string;
  at: string;
  deliveries: Delivery[];
}
interface NotificationPage {
  items: ListedNotification[];
  nextCursor?: string;
  since?: string;
}

describe('notification delivery by e-mail (rule 15)', () => {
  let local: InProcessStack;
  let controller: ApiClient;
  let processor: ApiClient;

  beforeAll(async () => {
    local = await startInProcessStack({
      dynamoEndpoint: inject('dynamoEndpoint'),
      deliverNotifications: true,
    });
    controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(local.url, PROCESSOR_ORG);
    // Midday in Oslo, so that no daily run falls inside a scenario unless it moves the clock.
    const now = new Date(((await controller.get('/local/clock')).body as { now: string }).now);
    await controller.post('/local/clock', { set: osloMidday(plusDays(osloDateOf(now), 1)) });
  });

  afterAll(async () => {
    await local?.stop();
  });

  async function submitted(title: string): Promise<string> {
    const created = await controller.post<{ id: string }>('/agreements', agreementRequest({ title }));
    expect(created.status).toBe(201);
    const submit = await controller.post(`/agreements/${created.body.id}/submit`);
    expect(submit.status).toBe(200);
    return created.body.id;
  }

  async function mailTo(address: string): Promise<LocalMailMessage[]> {
    const answer = await fetch(`${local.url}/local/mail?to=${encodeURIComponent(address)}`);
    return ((await answer.json()) as { messages: LocalMailMessage[] }).messages;
  }

  /** Waits until the stream has been read to its end and what it fed has been handled. */
  const delivered = () => local.stack.deliveries.drain();

  async function notificationsOf(client: ApiClient, agreementId: string): Promise<ListedNotification[]> {
    const page = await client.get<NotificationPage>('/notifications?limit=100');
    return page.body.items.filter((n) => n.agreementId === agreementId);
  }

  it("e-mails each party's contact person in Norwegian, and shows the delivery on the notification", async () => {
    const id = await submitted('Avtale om e-postvarsler');
    await delivered();

    const toKari = (await mailTo(KARI)).filter((m) => m.subject.includes('Avtale om e-postvarsler'));
    const toOla = (await mailTo(OLA)).filter((m) => m.subject.includes('Avtale om e-postvarsler'));
    expect(toKari).toHaveLength(1);
    expect(toOla).toHaveLength(1);
    expect(toKari[0]!.from).toBe('varsel@dpa.localhost');
    expect(toKari[0]!.subject).toMatch(/venter på signatur/);
    expect(toKari[0]!.body.text).toContain(id);
    expect(toKari[0]!.body.text).toContain(`${local.url}/agreements/${id}/signatures`);
    expect(toKari[0]!.body.html).toContain('lang="nb"');

    const [awaiting] = await notificationsOf(controller, id);
    expect(awaiting?.type).toBe('agreement.awaiting-signatures');
    expect(awaiting?.deliveries).toEqual([
      expect.objectContaining({ channel: 'email', status: 'DELIVERED', attempts: 1 }),
    ]);
  });

  it('sends the next reminder to the contact person in force when it is sent', async () => {
    const id = await submitted('Avtale med ny kontaktperson');
    const read = await processor.get(`/agreements/${id}`);
    const changed = await processor.request(
      'PUT',
      `/agreements/${id}/contacts/processor`,
      { name: 'Nora Nyansatt', email: 'nora@example.no', phone: '+4791234567' },
      { 'if-match': read.headers.get('etag')! },
    );
    expect(changed.status).toBe(200);

    // The weekly signature reminder, a week after the submission (07:00 Oslo).
    await controller.post('/local/clock', { advanceBy: 'P8D' });
    await delivered();

    const reminders = (address: string) =>
      mailTo(address).then((mail) =>
        mail.filter(
          (m) => m.subject.includes('Avtale med ny kontaktperson') && /påminnelse/i.test(m.subject),
        ),
      );
    expect(await reminders('nora@example.no')).toHaveLength(1);
    expect(await reminders(OLA)).toHaveLength(0);
  });

  it('does not e-mail machine events: audit.sealed stays in the outbox (and on the bus)', async () => {
    const id = await submitted('Avtale med logg');
    const before = (await controller.get<{ now: string }>('/local/clock')).body.now;
    await controller.post('/local/clock', { advanceBy: 'P1D' }); // past 01:30: the seal run
    await delivered();

    // The run's notice is of no one agreement: one per organisation and run.
    const page = await controller.get<NotificationPage>('/notifications?limit=100');
    const sealed = page.body.items.filter((n) => n.type === 'audit.sealed' && n.at > before);
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.agreementId).toBeUndefined();
    expect(sealed[0]!.deliveries).toEqual([]);
    // One e-mail per notification of the agreement, and none for the seal run.
    const told = await notificationsOf(controller, id);
    const mail = (await mailTo(KARI)).filter((m) => m.body.text?.includes(id));
    expect(mail).toHaveLength(told.length);
  });

  it('keeps the change when the mail service is down, and retries until it is delivered once', async () => {
    await local.stack.mail.outage(true);
    let id: string;
    try {
      id = await submitted('Avtale under e-postbrudd');
      await delivered();
      const agreement = await controller.get<{ status: string }>(`/agreements/${id}`);
      expect(agreement.body.status).toBe('AWAITING_SIGNATURES');
      const [awaiting] = await notificationsOf(controller, id);
      expect(awaiting?.deliveries).toEqual([
        expect.objectContaining({ channel: 'email', status: 'RETRYING', attempts: 1 }),
      ]);
      // Still down at the next attempt (within 30 s): retried again, later.
      await controller.post('/local/clock', { advanceBy: 'PT1M' });
      const [second] = await notificationsOf(controller, id);
      expect(second?.deliveries[0]?.status).toBe('RETRYING');
      expect(second?.deliveries[0]?.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await local.stack.mail.outage(false);
    }
    await controller.post('/local/clock', { advanceBy: 'PT2H' });

    const [awaiting] = await notificationsOf(controller, id);
    expect(awaiting?.deliveries).toEqual([
      expect.objectContaining({ channel: 'email', status: 'DELIVERED' }),
    ]);
    expect(awaiting?.deliveries[0]?.attempts).toBeGreaterThanOrEqual(3);
    const mail = (await mailTo(KARI)).filter((m) => m.subject.includes('Avtale under e-postbrudd'));
    expect(mail).toHaveLength(1);
  });

  it('gives up after 24 hours of retries and marks the delivery FAILED', async () => {
    await local.stack.mail.outage(true);
    try {
      const id = await submitted('Avtale som aldri når fram');
      await delivered();
      for (let hour = 0; hour < 26; hour += 1) await controller.post('/local/clock', { advanceBy: 'PT1H' });

      const [awaiting] = await notificationsOf(controller, id);
      const email = awaiting?.deliveries[0];
      expect(email).toMatchObject({ channel: 'email', status: 'FAILED' });
      expect(email!.attempts).toBeGreaterThan(5);
      const first = new Date((email as Delivery & { firstAttemptAt: string }).firstAttemptAt).getTime();
      expect(new Date(email!.at).getTime() - first).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    } finally {
      await local.stack.mail.outage(false);
    }
  });

  it('lets a client poll incrementally with ?since= and keep one type with ?type=', async () => {
    const first = await controller.get<NotificationPage>('/notifications?limit=100');
    const since = first.body.since!;
    expect(since).toBeTruthy();

    const id = await submitted('Avtale for inkrementell henting');
    const next = await controller.get<NotificationPage>(`/notifications?since=${since}&limit=100`);
    expect(next.body.items.map((n) => n.agreementId)).toEqual([id]);

    const onlyAwaiting = await controller.get<NotificationPage>(
      '/notifications?type=agreement.awaiting-signatures&limit=100',
    );
    expect(onlyAwaiting.body.items.length).toBeGreaterThan(0);
    expect(new Set(onlyAwaiting.body.items.map((n) => n.type))).toEqual(
      new Set(['agreement.awaiting-signatures']),
    );

    const bad = await controller.get<{ errors: { field: string }[] }>('/notifications?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['since']);
  });
});
