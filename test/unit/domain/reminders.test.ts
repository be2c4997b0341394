import { describe, expect, it } from 'vitest';
import {
  decideReminder,
  firstSignatureReminder,
  SIGNATURE_REMINDER,
} from '../../../functions/domain/reminders.ts';
import type { AgreementStatus } from '../../../functions/domain/schemas.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from './agreement-fixture.ts';

const reminder = (dueOn: string) => ({ agreementId: AGREEMENT_ID, kind: SIGNATURE_REMINDER, dueOn });
const morningOf = (date: string) => new Date(`${date}T06:00:00Z`);

describe('firstSignatureReminder', () => {
  it('falls due a week after the submission', () => {
    expect(firstSignatureReminder(AGREEMENT_ID, '2026-11-15')).toEqual({
      agreementId: AGREEMENT_ID,
      kind: 'signature-missing',
      dueOn: '2026-11-22',
    });
  });

  it('crosses the end of the year', () => {
    expect(firstSignatureReminder(AGREEMENT_ID, '2026-12-28').dueOn).toBe('2027-01-04');
  });
});

describe('decideReminder (signature still missing)', () => {
  it('reminds only the party that has not signed, and is due again a week later', () => {
    const agreement = awaitingAgreement({ signatures: [signature('controller', '2026-11-16')] });
    const decision = decideReminder(reminder('2026-11-22'), agreement, morningOf('2026-11-22'));
    expect(decision.notifications.map((n) => n.recipientOrgNumber)).toEqual([PROCESSOR_ORG]);
    expect(decision.notifications[0]).toMatchObject({
      type: 'reminder.signature-missing',
      agreementId: AGREEMENT_ID,
      at: '2026-11-22T06:00:00.000Z',
      details: { signatureDeadline: '2026-12-15', missing: ['processor'] },
    });
    expect(decision.notifications[0]?.subject).toContain('2026-12-15');
    expect(decision.nextDueOn).toBe('2026-11-29');
  });

  it('reminds both parties while neither has signed', () => {
    const decision = decideReminder(reminder('2026-11-22'), awaitingAgreement(), morningOf('2026-11-22'));
    expect(decision.notifications.map((n) => n.recipientOrgNumber)).toEqual([CONTROLLER_ORG, PROCESSOR_ORG]);
  });

  it('sends the last reminder in the deadline week but schedules none after the deadline', () => {
    // deadline 2026-12-15; 2026-12-13 + 7 = 2026-12-20 would be after it
    const decision = decideReminder(reminder('2026-12-13'), awaitingAgreement(), morningOf('2026-12-13'));
    expect(decision.notifications).toHaveLength(2);
    expect(decision.nextDueOn).toBeUndefined();
  });

  it('still reminds on the deadline day itself', () => {
    const decision = decideReminder(reminder('2026-12-15'), awaitingAgreement(), morningOf('2026-12-15'));
    expect(decision.notifications.map((n) => n.recipientOrgNumber)).toEqual([CONTROLLER_ORG, PROCESSOR_ORG]);
    expect(decision.nextDueOn).toBeUndefined();
  });

  it('sends nothing for a reminder due after the deadline, and drops it', () => {
    const decision = decideReminder(reminder('2026-12-16'), awaitingAgreement(), morningOf('2026-12-16'));
    expect(decision).toEqual({ notifications: [] });
  });

  it('sends nothing once the deadline day has ended, even for a reminder that fell due earlier', () => {
    // The run of 2026-12-15 did not happen; on 2026-12-16 signing is no longer possible.
    const decision = decideReminder(reminder('2026-12-15'), awaitingAgreement(), morningOf('2026-12-16'));
    expect(decision).toEqual({ notifications: [] });
  });

  it.each([
    'DRAFT',
    'IN_FORCE',
    'CANCELLED',
    'EXPIRED',
  ] as AgreementStatus[])('sends nothing and drops the reminder when the agreement is %s', (status) => {
    const decision = decideReminder(
      reminder('2026-11-22'),
      awaitingAgreement({ status }),
      morningOf('2026-11-22'),
    );
    expect(decision).toEqual({ notifications: [] });
  });

  it('sends nothing for an agreement that no longer exists', () => {
    expect(decideReminder(reminder('2026-11-22'), undefined, morningOf('2026-11-22'))).toEqual({
      notifications: [],
    });
  });

  it('sends nothing for a reminder of another kind', () => {
    const decision = decideReminder(
      { kind: 'termination-ahead', dueOn: '2026-11-22' },
      awaitingAgreement(),
      morningOf('2026-11-22'),
    );
    expect(decision).toEqual({ notifications: [] });
  });

  it('gives deterministic ids: the same due date gives the same id whenever the run happens', () => {
    const first = decideReminder(reminder('2026-11-22'), awaitingAgreement(), morningOf('2026-11-22'));
    const retried = decideReminder(
      reminder('2026-11-22'),
      awaitingAgreement(),
      new Date('2026-11-22T09:13:00Z'),
    );
    expect(first.notifications.map((n) => n.id)).toEqual([
      `reminder.signature-missing:${AGREEMENT_ID}:2026-11-22`,
      `reminder.signature-missing:${AGREEMENT_ID}:2026-11-22`,
    ]);
    expect(retried.notifications.map((n) => n.id)).toEqual(first.notifications.map((n) => n.id));
  });

  it("gives next week's reminder a different id", () => {
    const thisWeek = decideReminder(reminder('2026-11-22'), awaitingAgreement(), morningOf('2026-11-22'));
    const nextWeek = decideReminder(reminder('2026-11-29'), awaitingAgreement(), morningOf('2026-11-29'));
    expect(nextWeek.notifications[0]?.id).not.toBe(thisWeek.notifications[0]?.id);
  });
});
