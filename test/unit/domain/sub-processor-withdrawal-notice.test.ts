import { describe, expect, it } from 'vitest';
import { outcomeNotifications, withdrawSubProcessor } from '../../../functions/domain/sub-processors.ts';
import { PROCESSOR_ORG } from './agreement-fixture.ts';
import { approvedRecord, inForceAgreement, pendingRecord } from './sub-processor-fixture.ts';

const processor = { orgNumber: PROCESSOR_ORG, clientId: 'test-client' };
const WITHDRAWAL_REASON = 'Avtalen med Driftshuset AS er avsluttet';

describe('the sub-processor.withdrawn notification (issue 7, defect 4)', () => {
  it("carries the withdrawal's reason, not the earlier approval's", () => {
    const withdrawn = withdrawSubProcessor({
      agreement: inForceAgreement(),
      role: 'processor',
      record: approvedRecord(),
      request: { reason: WITHDRAWAL_REASON },
      actor: processor,
      now: new Date('2026-11-25T10:00:00Z'),
    });

    const notifications = outcomeNotifications(
      inForceAgreement(),
      withdrawn,
      new Date('2026-11-25T10:00:00Z'),
    );

    expect(notifications.map((notification) => notification.details?.reason)).toEqual([
      WITHDRAWAL_REASON,
      WITHDRAWAL_REASON,
    ]);
  });

  it('carries no reason when a pending request is withdrawn without one', () => {
    const withdrawn = withdrawSubProcessor({
      agreement: inForceAgreement(),
      role: 'processor',
      record: pendingRecord(),
      request: {},
      actor: processor,
      now: new Date('2026-11-25T10:00:00Z'),
    });

    const [notification] = outcomeNotifications(
      inForceAgreement(),
      withdrawn,
      new Date('2026-11-25T10:00:00Z'),
    );

    expect(notification?.type).toBe('sub-processor.withdrawn');
    expect(notification?.details).not.toHaveProperty('reason');
  });

  it("keeps the decision's reason on an approval", () => {
    const [notification] = outcomeNotifications(inForceAgreement(), approvedRecord(), new Date());

    expect(notification?.details?.reason).toBe('Databehandleravtale med Driftshuset AS er inngått');
  });

  it('carries no reason on an expiry (silence has none)', () => {
    const expired = pendingRecord({ status: 'EXPIRED', expiredAt: '2026-12-20T23:00:00.000Z' });

    const [notification] = outcomeNotifications(inForceAgreement(), expired, new Date());

    expect(notification?.type).toBe('sub-processor.expired');
    expect(notification?.details).not.toHaveProperty('reason');
  });
});
