import { describe, expect, it } from 'vitest';
import { historyEntry, nextVersion } from '../../../functions/domain/changes.ts';
import { BOTH_PARTIES, notificationsFor } from '../../../functions/domain/notifications.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG } from './agreement-fixture.ts';

const at = new Date('2026-11-22T10:00:00Z');

describe('nextVersion', () => {
  it('moves the version up by one and stamps the change time with the changes applied', () => {
    const next = nextVersion(draftAgreement({ version: 4 }), { title: 'Ny tittel' }, at);
    expect(next).toMatchObject({ version: 5, title: 'Ny tittel', updatedAt: '2026-11-22T10:00:00.000Z' });
  });

  it('leaves the original untouched', () => {
    const original = draftAgreement();
    nextVersion(original, { title: 'Ny tittel' }, at);
    expect(original.title).toBe(draftAgreement().title);
    expect(original.version).toBe(1);
  });
});

describe('historyEntry', () => {
  it('records who, when, the state change and details', () => {
    const actor = { orgNumber: CONTROLLER_ORG, clientId: 'test-client' };
    expect(
      historyEntry(actor, 'SUBMITTED', at, { from: 'DRAFT', to: 'AWAITING_SIGNATURES', details: { a: 1 } }),
    ).toEqual({
      at: '2026-11-22T10:00:00.000Z',
      type: 'SUBMITTED',
      actor,
      fromStatus: 'DRAFT',
      toStatus: 'AWAITING_SIGNATURES',
      details: { a: 1 },
    });
  });

  it('leaves out what is not given', () => {
    expect(historyEntry(undefined, 'EVENT', at)).toEqual({ at: '2026-11-22T10:00:00.000Z', type: 'EVENT' });
  });
});

describe('notificationsFor', () => {
  it('addresses one notification to each party organisation with the same deterministic id', () => {
    const notifications = notificationsFor(
      draftAgreement(),
      BOTH_PARTIES,
      { type: 'agreement.cancelled', key: 'cancelled', subject: 'Agreement withdrawn' },
      at,
    );
    expect(notifications.map((n) => [n.recipientOrgNumber, n.id])).toEqual([
      [CONTROLLER_ORG, `agreement.cancelled:${AGREEMENT_ID}:cancelled`],
      [PROCESSOR_ORG, `agreement.cancelled:${AGREEMENT_ID}:cancelled`],
    ]);
    expect(notifications[0]?.subject).toBe(`Agreement withdrawn: ${draftAgreement().title}`);
  });
});
