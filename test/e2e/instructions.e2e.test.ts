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
 * Rule 16 (003 §4 and §9) as a municipality's privacy officer and a processor's security officer meet
 * it: the local stack started with `npm start`'s command, an agreement put in force over HTTP, the
 * controller giving documented instructions, the processor acknowledging or objecting, the controller
 * withdrawing or upholding what was objected to, and the weekly reminders seen as the virtual clock
 * crosses a week. Invented instructions; the organisation numbers are public bodies' (valid test data).
 */

interface Instruction {
  id: string;
  number: number;
  topic: string;
  title: string;
  text: string;
  effectiveFrom: string;
  status: string;
  givenAt: string;
  inEffectFrom?: string;
  objection?: { reason: string; legalReference?: string };
  confirmation?: { reasons: string };
}
interface Notification {
  type: string;
  agreementId: string;
  details?: Record<string, unknown>;
}

/** A date in Oslo, computed here independently of functions/domain. */
const osloDate = (instant: Date) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(instant);
const plusDays = (date: string, days: number) => {
  const day = new Date(`${date}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
};

describe('documented instructions on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;
  let id: string;
  let today: string;

  const instruction = (title: string, topic = 'THIRD_COUNTRY_TRANSFER', days = 30) => ({
    topic,
    title,
    text: 'Personopplysningene skal ikke overføres til eller gjøres tilgjengelige fra land utenfor EØS, heller ikke for fjernsupport.',
    effectiveFrom: plusDays(today, days),
  });
  const path = (instructionId = '', step = '') =>
    `/agreements/${id}/instructions${instructionId ? `/${instructionId}` : ''}${step}`;
  const inbox = async (client: ApiClient, type: string, instructionId: string) =>
    (await client.get<{ items: Notification[] }>(`/notifications?limit=100&type=${type}`)).body.items.filter(
      (n) => n.agreementId === id && n.details?.instructionId === instructionId,
    );
  const give = async (title: string, topic?: string) => {
    const given = await controller.post<Instruction>(path(), instruction(title, topic));
    expect(given.status).toBe(201);
    return given.body;
  };

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);

    const created = await controller.post('/agreements', agreementRequest());
    expect(created.status).toBe(201);
    id = created.body.id as string;
    const hash = created.body.contentHash as string;
    expect((await controller.post(`/agreements/${id}/submit`)).status).toBe(200);
    expect(
      (await processor.post(`/agreements/${id}/signatures`, signature('Per Testesen', 'Oslo', hash))).status,
    ).toBe(201);
    const second = await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', hash),
    );
    expect(second.body.status).toBe('IN_FORCE');
    today = osloDate(new Date((await controller.get<{ now: string }>('/local/clock')).body.now));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('given and acknowledged: numbered in order, a Location that resolves, in effect from its date', async () => {
    const given = await controller.post<Instruction>(path(), instruction('Ingen overføring til tredjeland'), {
      'idempotency-key': 'instruks-1',
    });
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({ number: 1, status: 'AWAITING_ACKNOWLEDGEMENT' });
    expect(given.headers.get('location')).toBe(path(given.body.id));
    // The same Idempotency-Key gets the same instruction, not a second one.
    const again = await controller.post<Instruction>(path(), instruction('Ingen overføring til tredjeland'), {
      'idempotency-key': 'instruks-1',
    });
    expect(again.body.id).toBe(given.body.id);
    expect((await processor.get<Instruction>(given.headers.get('location')!)).body).toEqual(given.body);
    expect(await inbox(processor, 'instruction.given', given.body.id)).toHaveLength(1);

    const acknowledged = await processor.post<Instruction>(path(given.body.id, '/acknowledgement'), {
      comment: 'Mottatt; fjernsupport fra utenfor EØS er stengt.',
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ status: 'ACKNOWLEDGED', inEffectFrom: plusDays(today, 30) });
    expect(await inbox(controller, 'instruction.acknowledged', given.body.id)).toHaveLength(1);
    // Answered once.
    const twice = await processor.post<{ currentStatus: string }>(
      path(given.body.id, '/acknowledgement'),
      {},
    );
    expect(twice.status).toBe(409);
    expect(twice.body.currentStatus).toBe('ACKNOWLEDGED');

    expect((await give('Sletting etter endt oppfølging', 'DELETION')).number).toBe(2);
    // Binding from its date, not before; the unanswered one binds on no day.
    const on = async (day: string) =>
      (await controller.get<{ items: Instruction[] }>(`${path()}?inEffectOn=${day}`)).body.items.map(
        (i) => i.number,
      );
    expect(await on(plusDays(today, 29))).toEqual([]);
    expect(await on(plusDays(today, 30))).toEqual([1]);
    const history = await controller.get<{ items: { type: string }[] }>(
      `/agreements/${id}/history?limit=100`,
    );
    expect(history.body.items.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['INSTRUCTION_GIVEN', 'INSTRUCTION_ACKNOWLEDGED']),
    );
  });

  it('given, objected to and confirmed: held until the controller upholds it with its reasons', async () => {
    const given = await give('Lagring hos amerikansk skyleverandør');
    const objected = await processor.post<Instruction>(path(given.id, '/objection'), {
      reason: 'Instruksen krever overføring til USA uten gyldig overføringsgrunnlag.',
      legalReference: 'GDPR art. 44',
    });
    expect(objected.status).toBe(200);
    expect(objected.body.status).toBe('OBJECTED');
    expect(objected.body.inEffectFrom).toBeUndefined();
    expect(await inbox(controller, 'instruction.objected', given.id)).toHaveLength(1);
    expect((await processor.post(path(given.id, '/acknowledgement'), {})).status).toBe(409);
    expect((await processor.post(path(given.id, '/confirmation'), { reasons: 'Selv' })).status).toBe(403);

    const confirmed = await controller.post<Instruction>(path(given.id, '/confirmation'), {
      reasons: 'Leverandøren er sertifisert under EU–US Data Privacy Framework (adekvansbeslutning).',
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'CONFIRMED',
      inEffectFrom: plusDays(today, 30),
      objection: { legalReference: 'GDPR art. 44' },
    });
    expect(await inbox(processor, 'instruction.confirmed', given.id)).toHaveLength(1);
    expect((await controller.post(path(given.id, '/withdrawal'), {})).status).toBe(409);
  });

  it('given, objected to and withdrawn: never in effect; the processor told', async () => {
    const given = await give('Utlevering til forskningsprosjekt', 'PROCESSING');
    expect(
      (await processor.post(path(given.id, '/objection'), { reason: 'Mangler behandlingsgrunnlag' })).status,
    ).toBe(200);
    const withdrawn = await controller.post<Instruction>(path(given.id, '/withdrawal'), {
      reason: 'Vi er enige og gir en ny instruks.',
    });
    expect(withdrawn.body.status).toBe('WITHDRAWN');
    expect(withdrawn.body.inEffectFrom).toBeUndefined();
    expect(await inbox(processor, 'instruction.withdrawn', given.id)).toHaveLength(1);

    const listed = await processor.get<{ items: Instruction[] }>(`${path()}?status=WITHDRAWN`);
    expect(listed.body.items.map((i) => i.id)).toEqual([given.id]);
    const all = await controller.get<{ items: Instruction[] }>(path());
    expect(all.body.items.map((i) => i.number)).toEqual([1, 2, 3, 4]);
  });

  it('keeps instructions from anyone but the parties, and from the processor’s pen', async () => {
    const [first] = (await controller.get<{ items: Instruction[] }>(path())).body.items;
    expect((await outsider.get(path())).status).toBe(404);
    expect((await outsider.get(path(first!.id))).status).toBe(404);
    expect((await outsider.post(path(), instruction('Fremmed'))).status).toBe(404);
    expect((await outsider.post(path(first!.id, '/acknowledgement'), {})).status).toBe(404);
    expect((await processor.post(path(), instruction('Egen instruks'))).status).toBe(403);
    const audit = await controller.get<{ items: { action: string }[] }>(
      `/agreements/${id}/audit-log?limit=100`,
    );
    expect(audit.body.items.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['instruction.give', 'instruction.read', 'instructions.read']),
    );
  });

  it('reminds the processor weekly while an instruction awaits it, and the controller while an objection does', async () => {
    const waiting = await give('Logging av all innsyn', 'SECURITY');
    const held = await give('Kopi til leverandørens testmiljø', 'OTHER');
    expect(
      (await processor.post(path(held.id, '/objection'), { reason: 'Testdata skal ikke være ekte data' }))
        .status,
    ).toBe(200);
    expect(await inbox(processor, 'reminder.instruction-acknowledgement', waiting.id)).toHaveLength(0);
    // The processor's calendar feed shows the day the unanswered one is to apply from.
    const feed = await processor.post<{ url: string }>('/calendar-feeds', { name: 'Sikkerhetsleder' });
    expect(feed.status).toBe(201);
    const ics = (await (await fetch(feed.body.url)).text()).replace(/\r\n[ \t]/g, '');
    expect(ics).toContain(`SUMMARY:Instruks ${waiting.number} venter på svar`);
    expect(ics).not.toContain(`SUMMARY:Instruks ${held.number} venter på svar`);

    expect((await controller.post('/local/clock', { advanceBy: 'P8D' })).status).toBe(200);
    expect(await inbox(processor, 'reminder.instruction-acknowledgement', waiting.id)).toHaveLength(1);
    expect(await inbox(controller, 'reminder.instruction-objection', held.id)).toHaveLength(1);

    // Answered: its reminder ends; the objection still unanswered is reminded again a week later.
    expect((await processor.post(path(waiting.id, '/acknowledgement'), {})).status).toBe(200);
    expect((await controller.post('/local/clock', { advanceBy: 'P7D' })).status).toBe(200);
    expect(await inbox(processor, 'reminder.instruction-acknowledgement', waiting.id)).toHaveLength(1);
    expect(await inbox(controller, 'reminder.instruction-objection', held.id)).toHaveLength(2);
  });
});
