import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { auditDocument } from '../support/audit-documents.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';

/**
 * Rule 16, oversight audits as the parties meet them over HTTP on the local stack: a recurring plan
 * every 6 months over two years on the virtual clock, with reminders before each due date, a finding
 * overdue and closed late, an audit closed after its due date, and each close planning the next one
 * (four audits). Dates are computed here, not with functions/domain.
 */

interface Audit {
  id: string;
  dueOn: string;
  status: string;
  recurrence?: { everyMonths: number; occurrence: number };
  previousAuditId?: string;
  nextAuditId?: string;
  closedLate?: boolean;
  recurrenceEnded?: string;
  material: { number: number; documents?: { name: string; contentStored: boolean; content?: string }[] }[];
  findings: { number: number; status: string; closedLate?: boolean }[];
}
interface Notification {
  type: string;
  agreementId: string;
  recipientOrgNumber: string;
  details?: Record<string, unknown>;
}

const DAY_MS = 86_400_000;
const osloDay = (instant: Date) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo', dateStyle: 'short' }).format(instant);
const osloHour = (instant: Date) =>
  Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', hourCycle: 'h23' }).format(
      instant,
    ),
  );
const plusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T12:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** The 15th of a month plus whole months (no end-of-month question on the 15th). */
const plusMonths = (date: string, months: number) => {
  const [year, month] = date.split('-').map(Number);
  const index = year! * 12 + (month! - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-15`;
};

describe('oversight audits on the local stack: a recurring plan over two years', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;
  let id: string;

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);
    const created = await controller.post('/agreements', agreementRequest());
    expect(created.status).toBe(201);
    id = created.body.id as string;
    expect((await controller.post(`/agreements/${id}/submit`)).status).toBe(200);
    const hash = created.body.contentHash as string;
    expect(
      (await processor.post(`/agreements/${id}/signatures`, signature('Per Testesen', 'Oslo', hash))).status,
    ).toBe(201);
    const second = await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', hash),
    );
    expect(second.body.status).toBe('IN_FORCE');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const clock = async () => new Date((await controller.get<{ now: string }>('/local/clock')).body.now);

  /** To the given Oslo day, past 07:00 there, so that day's reminder run has gone. */
  async function advanceTo(day: string): Promise<void> {
    const now = await clock();
    const days = Math.round(
      (Date.parse(`${day}T12:00:00Z`) - Date.parse(`${osloDay(now)}T12:00:00Z`)) / DAY_MS,
    );
    expect(days).toBeGreaterThanOrEqual(0);
    if (days > 0)
      expect((await controller.post('/local/clock', { advanceBy: `P${days}D` })).status).toBe(200);
    const hour = osloHour(await clock());
    if (hour < 8)
      expect((await controller.post('/local/clock', { advanceBy: `PT${8 - hour}H` })).status).toBe(200);
    expect(osloDay(await clock())).toBe(day);
  }

  async function notifications(client: ApiClient, types: string[]): Promise<Notification[]> {
    const all: Notification[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.get<{ items: Notification[]; nextCursor?: string }>(
        `/notifications?limit=100&type=${types.join(',')}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      all.push(...page.body.items.filter((n) => n.agreementId === id));
      cursor = page.body.nextCursor;
    } while (cursor);
    return all;
  }
  const about = async (client: ApiClient, type: string, auditId: string) =>
    (await notifications(client, [type])).filter((n) => n.details?.auditId === auditId);

  /**
   * Two years of daily runs on the virtual clock take about 50 s on an idle 2-core machine (every night's
   * seal run and every morning's reminder run), more beside other suites: more than the default 60 s.
   */
  const TWO_YEARS_ON_THE_CLOCK_MS = 180_000;

  it(
    'plans, reminds, takes material and findings, closes, and plans the next: four audits in two years',
    async () => {
      const today = osloDay(await clock());
      const firstDue = plusMonths(plusDays(today, 30), 1);
      const dues = [0, 6, 12, 18].map((months) => plusMonths(firstDue, months));

      const planned = await controller.post<Audit>(`/agreements/${id}/audits`, {
        type: 'DOCUMENT_REVIEW',
        scope: 'Tilgangsstyring og logging i fagsystemet',
        dueOn: firstDue,
        recurrence: { everyMonths: 6 },
      });
      expect(planned.status).toBe(201);
      expect(planned.headers.get('location')).toBe(`/agreements/${id}/audits/${planned.body.id}`);
      expect(planned.body).toMatchObject({
        status: 'PLANNED',
        dueOn: firstDue,
        recurrence: { everyMonths: 6, occurrence: 1 },
      });
      expect(
        (await processor.post(`/agreements/${id}/audits`, { type: 'ON_SITE', scope: 'x', dueOn: firstDue }))
          .status,
      ).toBe(403);
      expect((await outsider.get(`/agreements/${id}/audits/${planned.body.id}`)).status).toBe(404);
      expect(await about(processor, 'oversight.planned', planned.body.id)).toHaveLength(1);

      const content = Buffer.from('Rutine for tilgangsstyring, versjon 3\n');
      const document = auditDocument('Tilgangsrutine.txt', content, 'text/plain');

      let audit = planned.body;
      const ids: string[] = [];
      for (const [round, due] of dues.entries()) {
        ids.push(audit.id);
        expect(audit.dueOn).toBe(due);

        // Fourteen days before the due date both parties are reminded (the day before, not yet).
        await advanceTo(plusDays(due, -15));
        expect(await about(processor, 'reminder.oversight-due', audit.id)).toHaveLength(0);
        await advanceTo(plusDays(due, -14));
        expect((await about(processor, 'reminder.oversight-due', audit.id)).length).toBe(1);
        expect((await about(controller, 'reminder.oversight-due', audit.id)).length).toBe(1);

        const material = await processor.post(`/agreements/${id}/audits/${audit.id}/material`, {
          documents: [
            document,
            {
              ...document,
              name: 'Logg-oversikt.pdf',
              mediaType: 'application/pdf',
              content: undefined,
              size: 2_000_000,
            },
          ],
        });
        expect(material.status).toBe(201);
        expect(material.body.number).toBe(1);

        if (round === 0) {
          // A finding due in four days: reminded before, overdue after, closed late by the processor.
          const deadline = plusDays(due, -10);
          const finding = await controller.post(`/agreements/${id}/audits/${audit.id}/findings`, {
            description: 'Tilganger for sluttede medarbeidere fjernes ikke innen fastsatt tid',
            deadline,
            responsible: 'processor',
            severity: 'MEDIUM',
          });
          expect(finding.status).toBe(201);
          const blocked = await controller.post(`/agreements/${id}/audits/${audit.id}/close`, {
            conclusion: 'For tidlig',
          });
          expect(blocked.status).toBe(409);
          expect(blocked.body.detail).toContain('1 open finding');

          await advanceTo(plusDays(due, -13));
          expect(await about(processor, 'reminder.oversight-finding-due', audit.id)).toHaveLength(1);
          await advanceTo(plusDays(deadline, 1));
          expect(await about(controller, 'reminder.oversight-finding-overdue', audit.id)).toHaveLength(1);
          expect(await about(processor, 'reminder.oversight-finding-overdue', audit.id)).toHaveLength(1);
          expect(
            (
              await controller.post(`/agreements/${id}/audits/${audit.id}/findings/1/closure`, {
                howClosed: 'x',
              })
            ).status,
          ).toBe(403);
          const closed = await processor.post(`/agreements/${id}/audits/${audit.id}/findings/1/closure`, {
            howClosed: 'Tilgang fjernes nå automatisk på sluttdato; kontrollert for alle sluttede i år',
          });
          expect(closed.status).toBe(201);
          expect(closed.body).toMatchObject({ status: 'CLOSED', closedLate: true });
          // No more reminders of a closed finding (the next would have come a week after the first).
          await advanceTo(plusDays(deadline, 8));
          expect(await about(processor, 'reminder.oversight-finding-overdue', audit.id)).toHaveLength(1);
        }

        // The second audit is closed late: both parties are reminded the day after the due date.
        const closeOn = round === 1 ? plusDays(due, 1) : due;
        await advanceTo(closeOn);
        if (round === 1)
          expect(await about(controller, 'reminder.oversight-overdue', audit.id)).toHaveLength(1);

        const last = round === dues.length - 1;
        const close = await controller.post<{ audit: Audit; next?: Audit }>(
          `/agreements/${id}/audits/${audit.id}/close`,
          {
            conclusion: 'Tilgangsstyringen er i samsvar med avtalen',
            ...(last ? { endRecurrence: true } : {}),
          },
        );
        expect(close.status).toBe(200);
        expect(close.body.audit).toMatchObject({ status: 'CLOSED', closedLate: round === 1 });
        if (last) {
          expect(close.body.next).toBeUndefined();
          expect(close.body.audit.recurrenceEnded).toBe('by the controller');
        } else {
          expect(close.body.next).toMatchObject({
            status: 'PLANNED',
            dueOn: dues[round + 1],
            previousAuditId: audit.id,
            recurrence: { everyMonths: 6, occurrence: round + 2 },
          });
          expect(close.body.audit.nextAuditId).toBe(close.body.next!.id);
          expect(await about(processor, 'oversight.closed', audit.id)).toHaveLength(1);
          audit = { ...close.body.next!, material: [], findings: [] };
        }
      }

      const listed = await controller.get<{ items: Audit[] }>(`/agreements/${id}/audits`);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((item) => [item.id, item.dueOn, item.status])).toEqual(
        ids.map((auditId, index) => [auditId, dues[index], 'CLOSED']),
      );
      expect(listed.body.items[0]!.findings).toEqual([
        expect.objectContaining({ number: 1, status: 'CLOSED', closedLate: true }),
      ]);
      expect(listed.body.items[0]!.material[0]!.documents![0]).not.toHaveProperty('content');
      const one = await processor.get<Audit>(`/agreements/${id}/audits/${ids[0]}`);
      expect(one.body.material[0]!.documents!.map((d) => [d.name, d.contentStored, d.content])).toEqual([
        ['Tilgangsrutine.txt', true, document.content],
        ['Logg-oversikt.pdf', false, undefined],
      ]);
      // Only the audit closed late was reminded as overdue; closed audits' reminders were dropped.
      const overdue = await notifications(controller, ['reminder.oversight-overdue']);
      expect(overdue.map((n) => n.details?.auditId)).toEqual([ids[1]]);

      const history = await controller.get<{ items: { type: string }[] }>(
        `/agreements/${id}/history?limit=100`,
      );
      const types = history.body.items.map((entry) => entry.type);
      expect(types.filter((type) => type === 'OVERSIGHT_PLANNED')).toHaveLength(4);
      expect(types.filter((type) => type === 'OVERSIGHT_CLOSED')).toHaveLength(4);
      const log = await controller.get<{ items: { action: string }[] }>(
        `/agreements/${id}/audit-log?limit=100`,
      );
      expect(log.body.items.map((entry) => entry.action)).toEqual(
        expect.arrayContaining([
          'oversight.plan',
          'oversight.material',
          'oversight.finding',
          'oversight.close',
          'oversights.read',
        ]),
      );
    },
    TWO_YEARS_ON_THE_CLOCK_MS,
  );
});
