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
 * Issue 3 as a newcomer meets it: the local stack started with `npm start`'s command and driven over
 * HTTP from a draft to CLOSED across about four months of virtual time, killed with kill -9 during the
 * notice period and started again; every reminder and escalation counted per party and per day.
 */

// --- the Oslo calendar, computed here independently of functions/domain/calendar.ts ----------------

const osloDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const osloDate = (instant: Date | string) => osloDateFormat.format(new Date(instant));

function plusDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The instant Oslo's wall clock shows hh:mm on the date (CET or CEST, whichever applies then). */
function oslo(date: string, hours: number, minutes = 0): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  for (const offset of [1, 2]) {
    const candidate = new Date(Date.UTC(year, month - 1, day, hours - offset, minutes));
    const shown = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Oslo',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(candidate);
    if (
      osloDate(candidate) === date &&
      shown === `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`
    ) {
      return candidate.toISOString();
    }
  }
  throw new Error(`No ${hours}:${minutes} on ${date} in Oslo`);
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

interface Notification {
  id: string;
  at: string;
  type: string;
  agreementId: string;
  recipientOrgNumber: string;
}

describe('agreement from draft to CLOSED through notice, termination and data disposition', () => {
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

  async function setClock(instant: string): Promise<void> {
    const moved = await controller.post('/local/clock', { set: instant });
    expect(moved.status).toBe(200);
  }

  async function statusOf(id: string): Promise<string> {
    const read = await controller.get<{ status: string }>(`/agreements/${id}`);
    expect(read.status).toBe(200);
    return read.body.status;
  }

  async function notificationsOf(client: ApiClient, id: string): Promise<Notification[]> {
    const found: Notification[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.get<{ items: Notification[]; nextCursor?: string }>(
        `/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      found.push(...page.body.items.filter((n) => n.agreementId === id));
      cursor = page.body.nextCursor;
    } while (cursor);
    return found;
  }

  /** "type party date" for every notification of these types, in the order sent. */
  async function schedule(id: string, types: readonly string[]): Promise<string[]> {
    const all = [
      ...(await notificationsOf(controller, id)).map((n) => ({ ...n, party: 'controller' })),
      ...(await notificationsOf(processor, id)).map((n) => ({ ...n, party: 'processor' })),
    ];
    return all
      .filter((n) => types.includes(n.type))
      .sort((a, b) => a.at.localeCompare(b.at) || a.party.localeCompare(b.party))
      .map((n) => `${n.type} ${n.party} ${osloDate(n.at)}`);
  }

  it('gives notice on 30 November, terminates at the end of the last day of February across a kill -9, and closes after the attestation', async () => {
    // A fixed calendar a year ahead of the stack's clock: notice on 30 November, three months.
    const now = (await controller.get<{ now: string }>('/local/clock')).body.now;
    const year = Number(osloDate(now).slice(0, 4)) + 1;
    const noticeOn = `${year}-11-30`;
    const terminatesOn = `${year + 1}-02-${isLeap(year + 1) ? 29 : 28}`;
    const day = (offset: number) => plusDays(terminatesOn, offset);

    // Draft, submit and both signatures on 25 November.
    await setClock(oslo(`${year}-11-25`, 10));
    const created = await controller.post<{ id: string; contentHash: string }>(
      '/agreements',
      agreementRequest({ title: 'Databehandleravtale for fagsystem (avvikles)' }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await controller.post(`/agreements/${id}/submit`)).status).toBe(200);
    expect(
      (
        await processor.post(
          `/agreements/${id}/signatures`,
          signature('Per Testesen', 'Oslo', created.body.contentHash),
        )
      ).status,
    ).toBe(201);
    const inForce = await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', created.body.contentHash),
    );
    expect(inForce.body).toMatchObject({ status: 'IN_FORCE', effectiveFrom: `${year}-11-25` });

    // Nothing to choose or attest while the agreement is in force.
    const tooEarly = await controller.post(`/agreements/${id}/data-disposition`, { method: 'RETURN' });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.currentStatus).toBe('IN_FORCE');

    // The processor gives notice on 30 November: the agreement ends with the last day of February.
    await setClock(oslo(noticeOn, 10));
    const future = await processor.post(`/agreements/${id}/termination-notice`, {
      givenOn: plusDays(noticeOn, 1),
      reason: 'x',
    });
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body.errors)).toContain('givenOn');
    expect((await outsider.post(`/agreements/${id}/termination-notice`, { reason: 'x' })).status).toBe(404);
    const notice = await processor.post(`/agreements/${id}/termination-notice`, {
      reason: 'Fagsystemet erstattes av en ny løsning',
    });
    expect(notice.status).toBe(200);
    expect(notice.body).toMatchObject({
      status: 'NOTICE_PERIOD',
      termination: {
        givenBy: 'processor',
        givenOn: noticeOn,
        reason: 'Fagsystemet erstattes av en ny løsning',
      },
      terminatesOn,
    });
    const twice = await controller.post(`/agreements/${id}/termination-notice`, {
      reason: 'Også vi sier opp',
    });
    expect(twice.status).toBe(409);
    expect(twice.body.currentStatus).toBe('NOTICE_PERIOD');

    // 30 days ahead: both parties reminded.
    await setClock(oslo(day(-30), 8));
    expect(await schedule(id, ['reminder.termination-ahead-30'])).toEqual([
      `reminder.termination-ahead-30 controller ${day(-30)}`,
      `reminder.termination-ahead-30 processor ${day(-30)}`,
    ]);

    // kill -9 in the middle of the notice period, and start again on the same data.
    await setClock(oslo(day(-19), 12));
    await stack.kill9();
    await stack.start();
    expect(osloDate((await controller.get<{ now: string }>('/local/clock')).body.now)).toBe(day(-19));
    expect(await statusOf(id)).toBe('NOTICE_PERIOD');

    // Still in force at 23:59 on the last day; the processor cannot attest yet.
    await setClock(oslo(terminatesOn, 23, 59));
    expect(await statusOf(id)).toBe('NOTICE_PERIOD');
    const attestTooEarly = await processor.post(`/agreements/${id}/data-disposition/attestation`, {
      method: 'RETURN',
      completedOn: terminatesOn,
      statement: 'Levert',
      signatory: { name: 'Per Testesen', title: 'Personvernombud' },
    });
    expect(attestTooEarly.status).toBe(409);
    expect(attestTooEarly.body.currentStatus).toBe('NOTICE_PERIOD');

    // TERMINATED one minute after midnight.
    await setClock(oslo(day(1), 0, 1));
    const terminated = await controller.get(`/agreements/${id}`);
    expect(terminated.body).toMatchObject({ status: 'TERMINATED', terminatesOn });
    expect(osloDate(terminated.body.terminatedAt as string)).toBe(day(1));

    // Two weeks and a day later the controller chooses return; the processor may not choose.
    await setClock(oslo(day(15), 10));
    expect((await processor.post(`/agreements/${id}/data-disposition`, { method: 'DELETE' })).status).toBe(
      403,
    );
    const chosen = await controller.post(`/agreements/${id}/data-disposition`, {
      method: 'RETURN',
      instructions: 'Eksport av alle saker som CSV via SFTP til kommunens arkiv',
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body.dataDisposition).toMatchObject({ method: 'RETURN', chosenOn: day(15) });

    // A month after termination the processor attests; the controller may not, nor a wrong method.
    await setClock(oslo(day(30), 10));
    const attestation = {
      method: 'RETURN',
      completedOn: day(29),
      statement: 'Alle personopplysninger og kopier er tilbakelevert og slettet i våre systemer.',
      signatory: { name: 'Per Testesen', title: 'Personvernombud' },
    };
    expect(
      (await controller.post(`/agreements/${id}/data-disposition/attestation`, attestation)).status,
    ).toBe(403);
    const wrongMethod = await processor.post(`/agreements/${id}/data-disposition/attestation`, {
      ...attestation,
      method: 'DELETE',
    });
    expect(wrongMethod.status).toBe(409);
    expect(wrongMethod.body.currentStatus).toBe('TERMINATED');
    const closed = await processor.post(`/agreements/${id}/data-disposition/attestation`, attestation);
    expect(closed.status).toBe(201);
    expect(closed.body).toMatchObject({
      status: 'CLOSED',
      attestation: { method: 'RETURN', completedOn: day(29) },
    });

    // Ten quiet days later nothing more has been sent.
    await setClock(oslo(day(40), 10));
    expect(await statusOf(id)).toBe('CLOSED');

    // Every reminder and escalation, per party and per day, exactly once each.
    expect(
      await schedule(id, [
        'reminder.termination-ahead-30',
        'reminder.termination-ahead-7',
        'agreement.terminated',
        'reminder.disposition-missing',
        'escalation.disposition-overdue',
        'reminder.attestation-missing',
        'escalation.attestation-overdue',
        'agreement.closed',
      ]),
    ).toEqual([
      `reminder.termination-ahead-30 controller ${day(-30)}`,
      `reminder.termination-ahead-30 processor ${day(-30)}`,
      `reminder.termination-ahead-7 controller ${day(-7)}`,
      `reminder.termination-ahead-7 processor ${day(-7)}`,
      `agreement.terminated controller ${day(1)}`,
      `agreement.terminated processor ${day(1)}`,
      `reminder.disposition-missing controller ${day(7)}`,
      // The processor is not reminded to attest before the controller has chosen.
      `reminder.disposition-missing controller ${day(14)}`,
      // 14 days after termination (midnight) without a choice: both organisations are told.
      `escalation.disposition-overdue controller ${day(15)}`,
      `escalation.disposition-overdue processor ${day(15)}`,
      `reminder.attestation-missing processor ${day(21)}`,
      `reminder.attestation-missing processor ${day(28)}`,
      // 14 days after the choice without an attestation.
      `escalation.attestation-overdue controller ${day(29)}`,
      `escalation.attestation-overdue processor ${day(29)}`,
      `agreement.closed controller ${day(30)}`,
      `agreement.closed processor ${day(30)}`,
    ]);

    const history = await controller.get<{
      items: { type: string; fromStatus?: string; toStatus?: string }[];
    }>(`/agreements/${id}/history`);
    expect(
      history.body.items.filter((e) => e.toStatus).map((e) => `${e.fromStatus ?? ''}->${e.toStatus}`),
    ).toEqual([
      '->DRAFT',
      'DRAFT->AWAITING_SIGNATURES',
      'AWAITING_SIGNATURES->IN_FORCE',
      'IN_FORCE->NOTICE_PERIOD',
      'NOTICE_PERIOD->TERMINATED',
      'TERMINATED->CLOSED',
    ]);
    expect(history.body.items.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'TERMINATION_NOTICE_GIVEN',
        'DATA_DISPOSITION_CHOSEN',
        'DATA_DISPOSITION_ATTESTED',
      ]),
    );
    const audit = await controller.get<{ items: { action: string }[] }>(`/agreements/${id}/audit-log`);
    expect(audit.body.items.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'agreement.termination-notice',
        'agreement.terminate',
        'agreement.data-disposition',
        'agreement.data-disposition-attestation',
      ]),
    );
  }, 180_000); // a year and a quarter on the virtual clock, two restarts: about a minute on a busy machine
});
