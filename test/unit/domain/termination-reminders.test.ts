import { describe, expect, it } from 'vitest';
import { decideReminder } from '../../../functions/domain/reminders.ts';
import type { Agreement } from '../../../functions/domain/schemas.ts';
import {
  afterTerminationReminders,
  terminationAheadReminders,
} from '../../../functions/domain/termination-reminders.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG } from './agreement-fixture.ts';

const controllerActor = { orgNumber: CONTROLLER_ORG, clientId: 'kommune-system' };

function noticed(overrides: Partial<Agreement> = {}): Agreement {
  return draftAgreement({
    status: 'NOTICE_PERIOD',
    version: 5,
    effectiveFrom: '2026-10-01',
    termination: { givenBy: 'processor', givenOn: '2026-11-30', reason: 'Avvikles' },
    terminatesOn: '2027-02-28',
    ...overrides,
  });
}

const terminated = (overrides: Partial<Agreement> = {}) => noticed({ status: 'TERMINATED', ...overrides });
const chosen = (method: 'RETURN' | 'DELETE') => ({
  method,
  chosenOn: '2027-03-09',
  chosenAt: '2027-03-09T09:00:00.000Z',
  chosenBy: controllerActor,
});

/** The daily run's time: 07:00 in Oslo in winter. */
const runOn = (date: string) => new Date(`${date}T06:00:00Z`);
const reminder = (kind: string, dueOn: string) => ({ kind, dueOn });
const recipients = (decision: ReturnType<typeof decideReminder>) =>
  decision.notifications.map((n) => n.recipientOrgNumber);

describe('reminders put with the notice', () => {
  it('are due 30 and 7 days before terminatesOn', () => {
    expect(terminationAheadReminders(AGREEMENT_ID, '2027-02-28', '2026-11-30')).toEqual([
      { agreementId: AGREEMENT_ID, kind: 'termination-ahead-30', dueOn: '2027-01-29' },
      { agreementId: AGREEMENT_ID, kind: 'termination-ahead-7', dueOn: '2027-02-21' },
    ]);
  });

  it('leave out a reminder whose day has passed (a notice dated back), keeping one due today', () => {
    expect(terminationAheadReminders(AGREEMENT_ID, '2027-02-28', '2027-02-21')).toEqual([
      { agreementId: AGREEMENT_ID, kind: 'termination-ahead-7', dueOn: '2027-02-21' },
    ]);
    expect(terminationAheadReminders(AGREEMENT_ID, '2027-02-28', '2027-02-22')).toEqual([]);
  });
});

describe('termination ahead (30 and 7 days)', () => {
  it('reminds both parties once, with the end date, and is not due again', () => {
    const decision = decideReminder(
      reminder('termination-ahead-30', '2027-01-29'),
      noticed(),
      runOn('2027-01-29'),
    );
    expect(recipients(decision)).toEqual([CONTROLLER_ORG, PROCESSOR_ORG]);
    expect(decision.notifications[0]).toMatchObject({
      id: `reminder.termination-ahead-30:${AGREEMENT_ID}:2027-01-29`,
      type: 'reminder.termination-ahead-30',
      details: { terminatesOn: '2027-02-28', daysAhead: 30 },
    });
    expect(decision.notifications[0]!.subject).toContain('2027-02-28');
    expect(decision.nextDueOn).toBeUndefined();
  });

  it('gives the same notification ids on a second run of the day (the outbox sends each id once)', () => {
    const first = decideReminder(
      reminder('termination-ahead-7', '2027-02-21'),
      noticed(),
      runOn('2027-02-21'),
    );
    const again = decideReminder(
      reminder('termination-ahead-7', '2027-02-21'),
      noticed(),
      new Date('2027-02-21T10:00:00Z'),
    );
    expect(again.notifications.map((n) => n.id)).toEqual(first.notifications.map((n) => n.id));
  });

  it('is dropped unsent once the agreement is no longer in its notice period', () => {
    expect(
      decideReminder(reminder('termination-ahead-7', '2027-02-21'), terminated(), runOn('2027-02-21'))
        .notifications,
    ).toEqual([]);
  });
});

describe('after termination', () => {
  it('puts a weekly reminder for the choice and one for the attestation, a week after terminatesOn', () => {
    expect(afterTerminationReminders(terminated())).toEqual([
      { agreementId: AGREEMENT_ID, kind: 'disposition-missing', dueOn: '2027-03-07' },
      { agreementId: AGREEMENT_ID, kind: 'attestation-missing', dueOn: '2027-03-07' },
    ]);
    expect(afterTerminationReminders(terminated({ dataDisposition: chosen('RETURN') }))).toEqual([
      { agreementId: AGREEMENT_ID, kind: 'attestation-missing', dueOn: '2027-03-07' },
    ]);
  });

  it('reminds the controller weekly while no disposition is chosen', () => {
    const decision = decideReminder(
      reminder('disposition-missing', '2027-03-07'),
      terminated(),
      runOn('2027-03-07'),
    );
    expect(recipients(decision)).toEqual([CONTROLLER_ORG]);
    expect(decision.notifications[0]!.type).toBe('reminder.disposition-missing');
    expect(decision.nextDueOn).toBe('2027-03-14');
  });

  it('stops reminding the controller once it has chosen', () => {
    const decision = decideReminder(
      reminder('disposition-missing', '2027-03-14'),
      terminated({ dataDisposition: chosen('DELETE') }),
      runOn('2027-03-14'),
    );
    expect(decision).toEqual({ notifications: [] });
  });

  it('reminds the processor weekly to attest the chosen method', () => {
    const decision = decideReminder(
      reminder('attestation-missing', '2027-03-14'),
      terminated({ dataDisposition: chosen('RETURN') }),
      runOn('2027-03-14'),
    );
    expect(recipients(decision)).toEqual([PROCESSOR_ORG]);
    expect(decision.notifications[0]).toMatchObject({
      type: 'reminder.attestation-missing',
      details: { method: 'RETURN' },
    });
    expect(decision.nextDueOn).toBe('2027-03-21');
  });

  it('lets a week pass silently for the processor while the controller has not chosen, and keeps the reminder', () => {
    const decision = decideReminder(
      reminder('attestation-missing', '2027-03-07'),
      terminated(),
      runOn('2027-03-07'),
    );
    expect(decision).toEqual({ notifications: [], nextDueOn: '2027-03-14' });
  });

  it('does not send a backlog after missed runs: the next date is after today', () => {
    const decision = decideReminder(
      reminder('disposition-missing', '2027-03-07'),
      terminated(),
      runOn('2027-03-30'),
    );
    expect(decision.notifications).toHaveLength(1);
    expect(decision.nextDueOn).toBe('2027-04-04');
  });

  it.each(['CLOSED', 'RETAINED_UNDER_LAW'] as const)('drops both once the agreement is %s', (status) => {
    for (const kind of ['disposition-missing', 'attestation-missing']) {
      expect(
        decideReminder(reminder(kind, '2027-03-21'), terminated({ status }), runOn('2027-03-21')),
      ).toEqual({ notifications: [] });
    }
  });
});

describe('review of data kept under law', () => {
  const retained = terminated({
    status: 'RETAINED_UNDER_LAW',
    dataDisposition: chosen('DELETE'),
    attestation: {
      method: 'DELETE',
      completedOn: '2027-03-10',
      statement: 'Slettet, unntatt regnskapsmateriale',
      signatory: { name: 'Per Testesen', title: 'Personvernombud' },
      retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-01' },
      attestedAt: '2027-03-10T09:00:00.000Z',
      attestedBy: { orgNumber: PROCESSOR_ORG, clientId: 'nav-system' },
    },
  });

  it('reminds the processor on the review date, and yearly after while the data are kept', () => {
    const decision = decideReminder(
      reminder('retention-review', '2032-03-01'),
      retained,
      runOn('2032-03-01'),
    );
    expect(recipients(decision)).toEqual([PROCESSOR_ORG]);
    expect(decision.notifications[0]).toMatchObject({
      type: 'reminder.retention-review',
      details: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-01' },
    });
    expect(decision.nextDueOn).toBe('2033-03-01');
  });

  it('is dropped once the final deletion closed the agreement', () => {
    expect(
      decideReminder(
        reminder('retention-review', '2032-03-01'),
        { ...retained, status: 'CLOSED' },
        runOn('2032-03-01'),
      ),
    ).toEqual({ notifications: [] });
  });
});
