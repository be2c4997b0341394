import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { useClock } from '../../../functions/shared/clock.ts';
import { handler } from '../../../functions/tasks/expire-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../domain/agreement-fixture.ts';
import {
  agreementItem,
  agreementKey,
  agreementUpdate,
  conditionFailed,
  ddb,
  decodeUpdate,
  givenStored,
  NOW,
  putsWithPartitionKey,
  putsWithSortKey,
  tableWrites,
  transaction,
  useAwsMocks,
} from '../http/aws-mocks.ts';

useAwsMocks();

const expire = () => handler({ agreementId: AGREEMENT_ID });

describe('expireAgreement task', () => {
  it('expires an agreement whose deadline day has ended, conditionally on the state read', async () => {
    givenStored(awaitingAgreement({ version: 3, signatureDeadline: '2026-11-21' }));

    const result = await expire();

    expect(result).toEqual({ status: 'EXPIRED' });
    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'AWAITING_SIGNATURES',
      ':expectedVersion': 3,
    });
    expect(decodeUpdate(update).set).toMatchObject({ status: 'EXPIRED', version: 4, expiredAt: NOW });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'EXPIRED',
        fromStatus: 'AWAITING_SIGNATURES',
        toStatus: 'EXPIRED',
        actor: { orgNumber: 'system', clientId: 'signing-workflow' },
        details: { signatureDeadline: '2026-11-21' },
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'agreement.expire' }),
    ]);
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!))).toEqual([
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-missing' },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-deadline' },
      // The signature deadline leaves both parties' calendar feeds (rule 15).
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${CONTROLLER_ORG}#agreement` },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${PROCESSOR_ORG}#agreement` },
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.recipientOrgNumber, n.type])).toEqual([
      [CONTROLLER_ORG, 'agreement.expired'],
      [PROCESSOR_ORG, 'agreement.expired'],
    ]);
  });

  it('does not expire on the deadline day itself and writes nothing (the wait resumes)', async () => {
    givenStored(awaitingAgreement({ signatureDeadline: '2026-11-22' }));
    const result = await expire();
    expect(result).toEqual({ status: 'AWAITING_SIGNATURES' });
    expect(tableWrites()).toEqual([]);
  });

  it('expires at the first instant after the deadline day in Oslo', async () => {
    useClock(() => new Date('2026-11-22T23:00:00Z')); // 00:00 on 23 November in Oslo
    givenStored(awaitingAgreement({ signatureDeadline: '2026-11-22' }));
    expect(await expire()).toEqual({ status: 'EXPIRED' });
  });

  it('leaves an agreement that is already IN_FORCE alone and reports IN_FORCE', async () => {
    givenStored(
      awaitingAgreement({
        status: 'IN_FORCE',
        signatureDeadline: '2026-11-21',
        signatures: [signature('controller', '2026-11-20'), signature('processor', '2026-11-21')],
        effectiveFrom: '2026-11-21',
      }),
    );
    const result = await expire();
    expect(result).toEqual({ status: 'IN_FORCE' });
    expect(tableWrites()).toEqual([]);
  });

  it('reports IN_FORCE when the last signature won the race between its read and its write', async () => {
    const inForce = awaitingAgreement({
      status: 'IN_FORCE',
      version: 4,
      signatureDeadline: '2026-11-21',
      signatures: [signature('controller', '2026-11-20'), signature('processor', '2026-11-21')],
      effectiveFrom: '2026-11-21',
    });
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolvesOnce({
        Item: agreementItem(awaitingAgreement({ version: 3, signatureDeadline: '2026-11-21' })),
      })
      .resolves({ Item: agreementItem(inForce) });
    ddb.on(TransactWriteItemsCommand).rejects(conditionFailed(inForce));

    await expect(expire()).resolves.toEqual({ status: 'IN_FORCE' });
  });

  it('fails with AgreementMissing for an agreement that does not exist', async () => {
    await expect(expire()).rejects.toMatchObject({ name: 'AgreementMissing' });
  });
});
