import { describe, expect, it } from 'vitest';
import {
  decideReminder,
  firstSignatureReminder,
  SIGNATURE_REMINDER,
  SIGNING_REMINDERS,
  signatureDeadlineCheck,
} from '../../../functions/domain/reminders.ts';
import { decisionReminderKind } from '../../../functions/domain/sub-processor-reminders.ts';
import {
  NOTICE_PERIOD_REMINDERS,
  terminationAheadReminders,
  terminationDueCheck,
} from '../../../functions/domain/termination-reminders.ts';
import { AGREEMENT_ID, awaitingAgreement, CONTROLLER_ORG, PROCESSOR_ORG } from './agreement-fixture.ts';
import { inForceAgreement, pendingRecord, SUB_ID } from './sub-processor-fixture.ts';
import { chosen, noticed, retained, terminated } from './termination-fixture.ts';

/** The daily run: 07:00 in Oslo in winter. */
const runOn = (date: string) => new Date(`${date}T06:00:00Z`);
const recipients = (decision: ReturnType<typeof decideReminder>) =>
  decision.notifications.map((notification) => notification.recipientOrgNumber);

describe('"signature still missing", weekly until the signature deadline (rule 4)', () => {
  const signatureReminder = (dueOn: string) => ({ kind: SIGNATURE_REMINDER, dueOn });

  it('comes back on the deadline day when the next week falls on it', () => {
    // Deadline 2026-12-15: the reminder of 2026-12-08 is due again on the deadline day itself.
    const decision = decideReminder(
      signatureReminder('2026-12-08'),
      awaitingAgreement(),
      runOn('2026-12-08'),
    );

    expect(recipients(decision)).toEqual([CONTROLLER_ORG, PROCESSOR_ORG]);
    expect(decision.nextDueOn).toBe('2026-12-15');
  });

  it('is never sent for a date after the deadline, even when the run takes it up early', () => {
    const decision = decideReminder(
      signatureReminder('2026-12-16'),
      awaitingAgreement(),
      runOn('2026-12-14'),
    );

    expect(decision).toEqual({ notifications: [] });
  });

  it('is followed by the deadline check, the morning after the deadline day', () => {
    expect(signatureDeadlineCheck(AGREEMENT_ID, '2026-12-15')).toEqual({
      agreementId: AGREEMENT_ID,
      kind: 'signature-deadline',
      dueOn: '2026-12-16',
    });
  });

  it('ends with the signing, together with the deadline check: both are the reminders of signing', () => {
    const kinds = [
      firstSignatureReminder(AGREEMENT_ID, '2026-11-15').kind,
      signatureDeadlineCheck(AGREEMENT_ID, '2026-12-15').kind,
    ];

    expect([...SIGNING_REMINDERS].sort()).toEqual(kinds.sort());
  });
});

describe('"sub-processor request awaiting a decision", weekly until the decision deadline (rule 7)', () => {
  const kind = decisionReminderKind(SUB_ID);

  it('comes back on the deadline day when the next week falls on it', () => {
    // The request of 2026-11-20 must be decided by the end of 2026-12-20.
    const decision = decideReminder(
      { kind, dueOn: '2026-12-13' },
      inForceAgreement(),
      runOn('2026-12-13'),
      pendingRecord(),
    );

    expect(recipients(decision)).toEqual([CONTROLLER_ORG]);
    expect(decision.nextDueOn).toBe('2026-12-20');
  });

  it('is sent on the deadline day itself, and not again', () => {
    const decision = decideReminder(
      { kind, dueOn: '2026-12-20' },
      inForceAgreement(),
      runOn('2026-12-20'),
      pendingRecord(),
    );

    expect(recipients(decision)).toEqual([CONTROLLER_ORG]);
    expect(decision.nextDueOn).toBeUndefined();
  });

  it('is never sent for a date after the deadline, even when the run takes it up early', () => {
    const decision = decideReminder(
      { kind, dueOn: '2026-12-21' },
      inForceAgreement(),
      runOn('2026-12-19'),
      pendingRecord(),
    );

    expect(decision).toEqual({ notifications: [] });
  });
});

describe('"termination ahead", 30 and 7 days before terminatesOn (rule 5)', () => {
  it('is still sent when the run takes it up late, on terminatesOn itself', () => {
    const decision = decideReminder(
      { kind: 'termination-ahead-7', dueOn: '2027-02-21' },
      noticed(),
      runOn('2027-02-28'),
    );

    expect(recipients(decision)).toEqual([CONTROLLER_ORG, PROCESSOR_ORG]);
    expect(decision.notifications[0]!.details).toEqual({ terminatesOn: '2027-02-28', daysAhead: 7 });
  });

  it('is dropped once terminatesOn has passed, even before the workflow has recorded TERMINATED', () => {
    const decision = decideReminder(
      { kind: 'termination-ahead-7', dueOn: '2027-02-21' },
      noticed(),
      runOn('2027-03-01'),
    );

    expect(decision).toEqual({ notifications: [] });
  });

  it('ends with the notice period, together with the termination check', () => {
    const kinds = [
      ...terminationAheadReminders(AGREEMENT_ID, '2027-02-28', '2026-11-30').map((reminder) => reminder.kind),
      terminationDueCheck(AGREEMENT_ID, '2027-02-28').kind,
    ];

    expect([...NOTICE_PERIOD_REMINDERS].sort()).toEqual(kinds.sort());
  });
});

describe('reminders after termination (rule 6)', () => {
  it('tell the controller which agreement ended when, to choose return or deletion', () => {
    const decision = decideReminder(
      { kind: 'disposition-missing', dueOn: '2027-03-07' },
      terminated(),
      runOn('2027-03-07'),
    );

    expect(decision.notifications[0]!.details).toEqual({ terminatesOn: '2027-02-28' });
  });

  it('ask the processor to attest that the data were returned, when the controller chose RETURN', () => {
    const decision = decideReminder(
      { kind: 'attestation-missing', dueOn: '2027-03-14' },
      terminated({ dataDisposition: chosen('RETURN') }),
      runOn('2027-03-14'),
    );

    expect(decision.notifications[0]!.subject).toMatch(/^Attest that the data were returned:/);
  });

  it('ask the processor to attest that the data were deleted, when the controller chose DELETE', () => {
    const decision = decideReminder(
      { kind: 'attestation-missing', dueOn: '2027-03-14' },
      terminated({ dataDisposition: chosen('DELETE') }),
      runOn('2027-03-14'),
    );

    expect(decision.notifications[0]!.subject).toMatch(/^Attest that the data were deleted:/);
  });

  it('after a run missed for exactly a week, are next due the week after today, not today', () => {
    // Due 2027-03-07, taken up on 2027-03-14: the next reminder is 2027-03-21.
    const decision = decideReminder(
      { kind: 'disposition-missing', dueOn: '2027-03-07' },
      terminated(),
      runOn('2027-03-14'),
    );

    expect(decision.notifications).toHaveLength(1);
    expect(decision.nextDueOn).toBe('2027-03-21');
  });
});

describe('the yearly review of data kept under law (rule 6)', () => {
  it('after a review missed for exactly a year, is next due a year after today, not today', () => {
    const decision = decideReminder(
      { kind: 'retention-review', dueOn: '2032-03-01' },
      retained('2027-03-10'),
      runOn('2033-03-01'),
    );

    expect(recipients(decision)).toEqual([PROCESSOR_ORG]);
    expect(decision.nextDueOn).toBe('2034-03-01');
  });

  it('taken up late within the year, is next due on the anniversary of the review date', () => {
    const decision = decideReminder(
      { kind: 'retention-review', dueOn: '2032-03-01' },
      retained('2027-03-10'),
      runOn('2032-06-15'),
    );

    expect(decision.nextDueOn).toBe('2033-03-01');
  });
});
