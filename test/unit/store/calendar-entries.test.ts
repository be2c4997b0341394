import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Amendment } from '../../../functions/domain/amendments/schemas.ts';
import { newBreachReport } from '../../../functions/domain/breaches.ts';
import {
  agreementChangeCalendarWrites,
  amendmentCalendarWrites,
  breachCalendarWrites,
  subProcessorCalendarWrites,
} from '../../../functions/store/calendar-feeds-store.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import { breachBody } from '../domain/breach-fixture.ts';
import { approvedRecord, inForceAgreement, pendingRecord, SUB_ID } from '../domain/sub-processor-fixture.ts';

/**
 * Rule 15: the calendar entries a change writes in its own transaction, one per party, so the feed
 * never disagrees with the agreement.
 */
beforeEach(() => {
  process.env.TABLE_NAME = 'test-table';
});

const AMENDMENT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

type Described = { put: Record<string, unknown> } | { delete: { pk: string; sk: string } };

function described(writes: TransactWriteItem[]): Described[] {
  return writes.map(
    (write): Described =>
      write.Put
        ? { put: unmarshall(write.Put.Item!) }
        : { delete: unmarshall(write.Delete!.Key!) as { pk: string; sk: string } },
  );
}

const underNotice = () =>
  inForceAgreement({
    status: 'NOTICE_PERIOD',
    version: 5,
    termination: { givenBy: 'processor', givenOn: '2026-11-30', reason: 'Fagsystemet erstattes' },
    terminatesOn: '2027-02-28',
  });

describe('an agreement change (saveChange)', () => {
  it('puts the entry of each party in the DEADLINES index under its last day, when notice is given', () => {
    const writes = described(agreementChangeCalendarWrites(inForceAgreement(), underNotice(), []));

    expect(writes.map((write) => 'put' in write && write.put)).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        sk: `CALENDAR#${CONTROLLER_ORG}#agreement`,
        gsi2pk: `DEADLINES#${CONTROLLER_ORG}`,
        gsi2sk: `2027-02-28#${AGREEMENT_ID}#agreement`,
      }),
      expect.objectContaining({
        sk: `CALENDAR#${PROCESSOR_ORG}#agreement`,
        gsi2pk: `DEADLINES#${PROCESSOR_ORG}`,
      }),
    ]);
    const put = (writes[0] as { put: Record<string, unknown> }).put;
    expect((put.entry as { deadlines: unknown[] }).deadlines).toHaveLength(3);
    // Kept 90 days after the last deadline (the TTL), then DynamoDB removes it.
    expect(put.expiresAt).toBe(Date.parse('2027-05-29T22:00:00Z') / 1000);
  });

  it('deletes both entries when the deadline ends (both signatures in)', () => {
    const awaiting = awaitingAgreement();

    const writes = described(agreementChangeCalendarWrites(awaiting, inForceAgreement(), []));

    expect(writes).toEqual([
      { delete: { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${CONTROLLER_ORG}#agreement` } },
      { delete: { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${PROCESSOR_ORG}#agreement` } },
    ]);
  });

  it('writes nothing when the deadlines stay as they were (e.g. a contact person replaced)', () => {
    const before = underNotice();
    const after = { ...before, version: 6, contacts: { ...before.contacts } };

    expect(agreementChangeCalendarWrites(before, after, [])).toEqual([]);
  });

  it('rewrites the entries when the title changes with an amendment, so the feed names the agreement as it is', () => {
    const before = underNotice();

    const writes = described(agreementChangeCalendarWrites(before, { ...before, title: 'Ny tittel' }, []));

    expect(
      writes.map((write) => ('put' in write ? (write.put.entry as { title: string }).title : '')),
    ).toEqual(['Ny tittel', 'Ny tittel']);
  });

  it("deletes an amendment's entries once its signature reminder goes, or the agreement stops naming it", () => {
    const open = inForceAgreement({ openAmendment: { id: AMENDMENT_ID, number: 2 } });
    const amendmentKeys = [CONTROLLER_ORG, PROCESSOR_ORG].map((org) => ({
      delete: { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${org}#amendment-${AMENDMENT_ID}` },
    }));

    // Both signed, in force later: still open, but no longer awaiting signatures.
    expect(
      described(agreementChangeCalendarWrites(open, open, [`amendment-signature-missing#${AMENDMENT_ID}`])),
    ).toEqual(amendmentKeys);
    // Withdrawn, expired, applied or closed by the termination: no longer open.
    expect(described(agreementChangeCalendarWrites(open, inForceAgreement(), []))).toEqual(amendmentKeys);
    // Both at once: deleted once (a transaction may not name an item twice).
    expect(
      described(
        agreementChangeCalendarWrites(open, inForceAgreement(), [
          `amendment-signature-missing#${AMENDMENT_ID}`,
        ]),
      ),
    ).toEqual(amendmentKeys);
  });
});

describe('the subjects beside the agreement', () => {
  it('a sub-processor request: put while it awaits the decision, deleted when decided', () => {
    const agreement = inForceAgreement();

    const requested = described(subProcessorCalendarWrites(agreement, undefined, pendingRecord()));
    const decided = described(subProcessorCalendarWrites(agreement, pendingRecord(), approvedRecord()));

    expect(requested.map((write) => 'put' in write && write.put.gsi2sk)).toEqual([
      `2026-12-20#${AGREEMENT_ID}#sub-processor-${SUB_ID}`,
      `2026-12-20#${AGREEMENT_ID}#sub-processor-${SUB_ID}`,
    ]);
    expect(decided).toEqual(
      [CONTROLLER_ORG, PROCESSOR_ORG].map((org) => ({
        delete: { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${org}#sub-processor-${SUB_ID}` },
      })),
    );
  });

  it('an amendment proposed: its signature deadline for both parties', () => {
    const amendment = {
      id: AMENDMENT_ID,
      number: 2,
      status: 'AWAITING_SIGNATURES',
      signatureDeadline: '2027-01-05',
    } as Amendment;

    const writes = described(amendmentCalendarWrites(inForceAgreement(), amendment));

    expect(writes.map((write) => 'put' in write && write.put.sk)).toEqual([
      `CALENDAR#${CONTROLLER_ORG}#amendment-${AMENDMENT_ID}`,
      `CALENDAR#${PROCESSOR_ORG}#amendment-${AMENDMENT_ID}`,
    ]);
  });

  it("a breach report: both deadlines, under the later one's Oslo day", () => {
    const agreement = inForceAgreement({ breachNotificationHours: 24 });
    const record = newBreachReport({
      agreement,
      request: breachBody(),
      actor: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
      id: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
      now: new Date('2026-11-20T10:00:00Z'),
    });

    const writes = described(breachCalendarWrites(agreement, record));

    // Aware 09:30 Oslo on 20 November: 72 hours later is 09:30 on the 23rd.
    expect(writes.map((write) => 'put' in write && write.put.gsi2sk)).toEqual([
      `2026-11-23#${AGREEMENT_ID}#breach-${record.id}`,
      `2026-11-23#${AGREEMENT_ID}#breach-${record.id}`,
    ]);
  });
});
