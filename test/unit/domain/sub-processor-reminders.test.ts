import { describe, expect, it } from 'vitest';
import { decideReminder } from '../../../functions/domain/reminders.ts';
import {
  decisionReminderKind,
  firstDecisionReminder,
} from '../../../functions/domain/sub-processor-reminders.ts';
import { AGREEMENT_ID, CONTROLLER_ORG } from './agreement-fixture.ts';
import { inForceAgreement, pendingRecord, SUB_ID } from './sub-processor-fixture.ts';

const kind = decisionReminderKind(SUB_ID);
const morning = (date: string) => new Date(`${date}T06:00:00.000Z`); // 07:00 in Oslo

describe('the "sub-processor request awaiting a decision" reminder', () => {
  it('is first due a week after the request, one per request', () => {
    expect(firstDecisionReminder(AGREEMENT_ID, SUB_ID, '2026-11-20')).toEqual({
      agreementId: AGREEMENT_ID,
      kind: `sub-processor-decision#${SUB_ID}`,
      dueOn: '2026-11-27',
    });
  });

  it('reminds the controller, once per due date, and comes back a week later', () => {
    const decision = decideReminder(
      { kind, dueOn: '2026-11-27' },
      inForceAgreement(),
      morning('2026-11-27'),
      pendingRecord(),
    );
    expect(decision.nextDueOn).toBe('2026-12-04');
    expect(decision.notifications).toEqual([
      expect.objectContaining({
        id: `reminder.sub-processor-decision:${AGREEMENT_ID}:${SUB_ID}:2026-11-27`,
        recipientOrgNumber: CONTROLLER_ORG,
        // Where it would process the data, for the controller deciding (rule 7).
        details: {
          subProcessorId: SUB_ID,
          name: 'Driftshuset AS',
          processingLocation: { city: 'Oslo', countryCode: 'NO' },
          decisionDeadline: '2026-12-20',
        },
      }),
    ]);
  });

  it('stops after the last week before the deadline', () => {
    const last = decideReminder(
      { kind, dueOn: '2026-12-18' },
      inForceAgreement(),
      morning('2026-12-18'),
      pendingRecord(),
    );
    expect(last.notifications).toHaveLength(1);
    expect(last.nextDueOn).toBeUndefined();
  });

  it.each([
    'APPROVED',
    'REJECTED',
    'WITHDRAWN',
    'EXPIRED',
  ] as const)('is dropped unsent once the request is %s', (status) => {
    expect(
      decideReminder(
        { kind, dueOn: '2026-12-04' },
        inForceAgreement(),
        morning('2026-12-04'),
        pendingRecord({ status }),
      ),
    ).toEqual({ notifications: [] });
  });

  it('is dropped when the request or the agreement is gone, or the agreement is terminated', () => {
    const due = { kind, dueOn: '2026-12-04' };
    expect(decideReminder(due, inForceAgreement(), morning('2026-12-04'), undefined)).toEqual({
      notifications: [],
    });
    expect(decideReminder(due, undefined, morning('2026-12-04'), pendingRecord())).toEqual({
      notifications: [],
    });
    expect(
      decideReminder(due, inForceAgreement({ status: 'TERMINATED' }), morning('2026-12-04'), pendingRecord()),
    ).toEqual({ notifications: [] });
  });
});
