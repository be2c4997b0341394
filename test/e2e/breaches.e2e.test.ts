import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * Rule 9 as the parties meet it: the local stack started with `npm start`'s command, an agreement put in
 * force over HTTP, the processor reporting a breach, and the controller reading what it was told; the
 * controller reporting one of its own (rule 16).
 * Invented breach content; the organisation numbers are public bodies' (valid test data).
 */

interface Breach {
  id: string;
  reporter: string;
  reportedAt: string;
  becameAwareAt: string;
  notificationDeadline: string;
  reportedLate: boolean;
  supervisoryAuthorityDeadline: string;
  nature: string;
}
interface Notification {
  id: string;
  type: string;
  agreementId: string;
  subject: string;
  details?: Record<string, unknown>;
}

const HOUR_MS = 3_600_000;
/** Oslo wall-clock time, computed here independently of functions/domain. */
const osloWallClock = (instant: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Oslo',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(instant));

/** `2026-11-22T09:30:00+01:00`: the instant as Oslo's wall clock shows it, with the offset then in use. */
function inOsloTime(instant: Date): string {
  const offset = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Oslo', timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')!
    .value.replace('GMT', '');
  const [sign, hours, minutes] = [
    offset[0] === '-' ? -1 : 1,
    Number(offset.slice(1, 3)),
    Number(offset.slice(4, 6)),
  ];
  const wall = new Date(instant.getTime() + sign * (hours * 60 + minutes) * 60_000);
  return `${wall.toISOString().slice(0, 19)}${offset}`;
}

const breachReport = (becameAwareAt: string) => ({
  becameAwareAt,
  severity: 'HIGH',
  nature: 'Brev med vedtak sendt til feil adresse',
  dataSubjectCategories: ['Deltakere i KVP'],
  approximateDataSubjects: 1,
  personalDataCategories: ['Navn', 'Fødselsnummer', 'Helseopplysninger'],
  approximateRecords: 1,
  contactPoint: { name: 'Ola Prøvesen', email: 'personvern@example.no', phone: '+4798888888' },
  likelyConsequences: 'Uvedkommende kan ha lest vedtaket',
  measuresTaken: 'Mottakeren har returnert brevet',
  measuresProposed: 'Adressevask før utsending',
});

describe('breach reports on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;
  let id: string;
  let breach: Breach;
  let stated: string;

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);

    const created = await controller.post('/agreements', agreementRequest({ breachNotificationHours: 24 }));
    expect(created.status).toBe(201);
    id = created.body.id as string;
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

    // Aware five hours ago on the stack's clock, stated in Oslo time with its offset, as a person would.
    const now = new Date((await controller.get<{ now: string }>('/local/clock')).body.now);
    stated = inOsloTime(new Date(now.getTime() - 5 * HOUR_MS));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('takes the report from the processor: 201, the deadlines, and a Location that resolves', async () => {
    const reported = await processor.post<Breach>(`/agreements/${id}/breaches`, breachReport(stated));

    expect(reported.status).toBe(201);
    breach = reported.body;
    const aware = Date.parse(stated);
    expect(breach).toMatchObject({
      reporter: 'processor',
      becameAwareAt: new Date(aware).toISOString(),
      notificationDeadline: new Date(aware + 24 * HOUR_MS).toISOString(),
      reportedLate: false,
      // The scope covers Navn, Fødselsnummer and Adresse: nothing outside it.
      outsideScope: [],
      // The controller became aware when the report arrived: its 72 hours run from then.
      controllerAwareAt: breach.reportedAt,
      supervisoryAuthorityDeadline: new Date(Date.parse(breach.reportedAt) + 72 * HOUR_MS).toISOString(),
    });
    expect(reported.headers.get('location')).toBe(`/agreements/${id}/breaches/${breach.id}`);
    const read = await controller.get<Breach>(reported.headers.get('location')!);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(breach);
  });

  it("tells the controller, naming the 72-hour deadline towards Datatilsynet that is the controller's alone", async () => {
    const inbox = await controller.get<{ items: Notification[] }>('/notifications?limit=100');
    const told = inbox.body.items.filter((n) => n.agreementId === id && n.type === 'breach.reported');

    expect(told).toHaveLength(1);
    expect(told[0]!.subject).toContain(
      `Only you, the controller, notify Datatilsynet, by ${osloWallClock(breach.supervisoryAuthorityDeadline)} Oslo time`,
    );
    expect(told[0]!.details).toMatchObject({ breachId: breach.id, reportedLate: false });
    const receipts = await processor.get<{ items: Notification[] }>('/notifications?limit=100');
    expect(
      receipts.body.items.filter((n) => n.agreementId === id && n.type === 'breach.reported'),
    ).toHaveLength(1);
  });

  it('keeps the report in the history, the list both parties read, and the audit log', async () => {
    const history = await processor.get<{ items: { type: string; details?: Record<string, unknown> }[] }>(
      `/agreements/${id}/history`,
    );
    expect(history.body.items.filter((entry) => entry.type === 'BREACH_REPORTED')).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ breachId: breach.id, reportedLate: false }),
      }),
    ]);

    const listed = await controller.get<{ items: Breach[] }>(`/agreements/${id}/breaches`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([breach]);

    const audit = await controller.get<{ items: { action: string }[] }>(
      `/agreements/${id}/audit-log?limit=100`,
    );
    expect(audit.body.items.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['breach.report', 'breach.read', 'breaches.read']),
    );
  });

  it('takes the controller’s own report both ways (000 §14), flagging data outside the scope', async () => {
    const reported = await controller.post<Breach>(`/agreements/${id}/breaches`, {
      ...breachReport(stated),
      personalDataCategories: ['Navn', 'Kontonummer'],
    });

    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({
      reporter: 'controller',
      outsideScope: ['Kontonummer'],
      controllerAwareAt: new Date(Date.parse(stated)).toISOString(),
      supervisoryAuthorityDeadline: new Date(Date.parse(stated) + 72 * HOUR_MS).toISOString(),
    });
    expect(reported.body).not.toHaveProperty('notificationDeadline');
    const inbox = await processor.get<{ items: Notification[] }>('/notifications?limit=100');
    const told = inbox.body.items.find((n) => n.details?.breachId === reported.body.id);
    expect(told?.subject).toContain('reported by the controller');
    expect(told?.subject).toContain("outside the agreement's scope (Kontonummer)");
  });

  it('refuses a national identity number in the report, naming the field, and records nothing', async () => {
    const refused = await processor.post(`/agreements/${id}/breaches`, {
      ...breachReport(stated),
      affectedIdentities: 'Gjelder 13097248022',
    });

    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      errors: [expect.objectContaining({ field: 'affectedIdentities' })],
    });
    const listed = await processor.get<{ items: Breach[] }>(`/agreements/${id}/breaches`);
    expect(listed.body.items).toHaveLength(2);
  });

  it('keeps the processor’s supplements in order on the report, and tells the controller of each', async () => {
    const path = `/agreements/${id}/breaches/${breach.id}/updates`;
    const first = await processor.post<{ number: number }>(path, { facts: 'Ett brev til ble sendt feil' });
    const second = await processor.post<{ number: number }>(path, {
      measuresTaken: 'Adresseregisteret er rettet',
      corrections: { approximateDataSubjects: 2, personalDataCategories: ['Navn', 'Kontonummer'] },
    });

    expect([first.status, second.status]).toEqual([201, 201]);
    expect([first.body.number, second.body.number]).toEqual([1, 2]);
    expect((await controller.post(path, { facts: 'Kommunen legger til' })).status).toBe(403);
    const read = await controller.get<{ updates: { number: number; outsideScope?: string[] }[] }>(
      `/agreements/${id}/breaches/${breach.id}`,
    );
    expect(read.body.updates.map((update) => update.number)).toEqual([1, 2]);
    expect(read.body.updates[1]!.outsideScope).toEqual(['Kontonummer']);
    const inbox = await controller.get<{ items: Notification[] }>('/notifications?limit=100');
    expect(
      inbox.body.items.filter((n) => n.type === 'breach.updated' && n.details?.breachId === breach.id),
    ).toHaveLength(2);
  });

  it('keeps the controller’s questions and the processor’s answers in order; an answer is given once', async () => {
    const asked = await controller.post<{ number: number }>(
      `/agreements/${id}/breaches/${breach.id}/questions`,
      {
        question: 'Er de berørte varslet?',
      },
    );
    expect(asked.status).toBe(201);
    expect(
      (await processor.post(`/agreements/${id}/breaches/${breach.id}/questions`, { question: 'Nei' })).status,
    ).toBe(403);
    const answer = `/agreements/${id}/breaches/${breach.id}/questions/${asked.body.number}/answer`;
    expect((await controller.post(answer, { answer: 'Selv' })).status).toBe(403);
    expect((await processor.post(answer, { answer: 'Ja, per brev 2. desember' })).status).toBe(200);
    expect((await processor.post(answer, { answer: 'Igjen' })).status).toBe(409);
    expect(
      (await processor.post(`/agreements/${id}/breaches/${breach.id}/questions/99/answer`, { answer: 'x' }))
        .status,
    ).toBe(404);

    const read = await controller.get<{ questions: { number: number; answer?: string }[] }>(
      `/agreements/${id}/breaches/${breach.id}`,
    );
    expect(read.body.questions).toEqual([
      expect.objectContaining({
        number: 1,
        question: 'Er de berørte varslet?',
        answer: 'Ja, per brev 2. desember',
      }),
    ]);
    const inbox = await controller.get<{ items: Notification[] }>('/notifications?limit=100');
    expect(
      inbox.body.items.filter((n) => n.type === 'breach.answered' && n.details?.breachId === breach.id),
    ).toHaveLength(1);
  });

  it('records the controller’s decision once, in time; the processor is told and the breach carries it', async () => {
    const decision = {
      datatilsynet: { notified: true, notifiedAt: stated, reference: '26/01234' },
      dataSubjects: { informed: false, reason: 'Lav risiko: mottakeren har returnert brevet' },
    };
    const path = `/agreements/${id}/breaches/${breach.id}/decision`;

    expect((await processor.post(path, decision)).status).toBe(403);
    const decided = await controller.post<{ late: boolean }>(path, decision);
    expect(decided.status).toBe(201);
    expect(decided.body.late).toBe(false);
    expect((await controller.post(path, decision)).status).toBe(409);

    const read = await processor.get<Breach & { decision?: unknown }>(
      `/agreements/${id}/breaches/${breach.id}`,
    );
    expect(read.body.decision).toEqual(decided.body);
    const inbox = await processor.get<{ items: Notification[] }>('/notifications?limit=100');
    expect(
      inbox.body.items.filter((n) => n.type === 'breach.decided' && n.details?.breachId === breach.id),
    ).toHaveLength(1);
  });

  it('asks for the reasons for the delay once the 72 hours have passed (GDPR Art. 33(1))', async () => {
    const late = await processor.post<Breach>(`/agreements/${id}/breaches`, breachReport(stated));
    expect((await controller.post('/local/clock', { advanceBy: 'PT80H' })).status).toBe(200);
    const path = `/agreements/${id}/breaches/${late.body.id}/decision`;
    const decision = {
      datatilsynet: { notified: false, reason: 'Lav risiko for de registrerte' },
      dataSubjects: { informed: false, reason: 'Lav risiko for de registrerte' },
    };

    const refused = await controller.post(path, decision);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ errors: [expect.objectContaining({ field: 'delayReason' })] });
    const decided = await controller.post<{ late: boolean }>(path, {
      ...decision,
      delayReason: 'Meldingen ble liggende i en felles innboks over helgen',
    });
    expect(decided.status).toBe(201);
    expect(decided.body.late).toBe(true);
  });

  it('refuses an outsider (404), a read-only token (403) and no token (401)', async () => {
    const body = breachReport(stated);
    expect((await outsider.post(`/agreements/${id}/breaches`, body)).status).toBe(404);
    expect((await outsider.get(`/agreements/${id}/breaches`)).status).toBe(404);
    expect((await outsider.get(`/agreements/${id}/breaches/${breach.id}`)).status).toBe(404);
    const readOnly = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG, ['dpa:read']);
    expect((await readOnly.post(`/agreements/${id}/breaches`, body)).status).toBe(403);
    expect((await processor.withToken(undefined).post(`/agreements/${id}/breaches`, body)).status).toBe(401);

    const listed = await processor.get<{ items: Breach[] }>(`/agreements/${id}/breaches`);
    expect(listed.body.items).toHaveLength(3);
  });
});
