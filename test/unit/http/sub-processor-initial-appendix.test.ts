import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/sign-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../domain/agreement-fixture.ts';
import { requestBody } from '../domain/sub-processor-fixture.ts';
import { givenStored, NOW, putsWithSortKey, transaction, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import { appendixWrite } from './sub-processor-mocks.ts';

useAwsMocks();

const draftSubProcessors = [
  requestBody({ personalDataTypes: ['Navn'] }),
  requestBody({
    name: 'Cloudy Inc',
    orgNumber: undefined,
    processingLocation: { city: 'Seattle', countryCode: 'US' },
    transferMechanism: 'SCC',
  }),
];

/** Signs the content of the draft with these sub-processors (the hash the party read). */
const sign = (orgNumber: string) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/signatures', `/agreements/${AGREEMENT_ID}/signatures`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body: {
        signatory: { name: 'Kari Testesen', title: 'Rådmann' },
        place: 'Radøy',
        contentHash: awaitingAgreement({ subProcessors: draftSubProcessors }).contentHash,
      },
    }),
  );

describe('Vedlegg 3 of the draft, approved by the two signatures', () => {
  it('becomes APPROVED requests, version 1, in the transaction that puts the agreement in force', async () => {
    givenStored(
      awaitingAgreement({
        subProcessors: draftSubProcessors,
        signatures: [signature('processor', '2026-11-20')],
      }),
    );
    const response = await sign(CONTROLLER_ORG);

    expect(response.body.status).toBe('IN_FORCE');
    const items = transaction();
    const requests = putsWithSortKey(items, 'SUBPROCESSOR#');
    expect(requests.map((request) => [request.name, request.status, request.approvedFrom])).toEqual([
      ['Driftshuset AS', 'APPROVED', NOW],
      ['Cloudy Inc', 'APPROVED', NOW],
    ]);
    expect(requests[0]).toMatchObject({
      decision: {
        decision: 'APPROVED',
        reason: 'Approved by the signatures of both parties',
        signatory: { name: 'Kari Testesen', title: 'Rådmann' },
        decidedOn: '2026-11-22',
      },
    });
    const requestPuts = items.filter(
      (item) => item.Put && String(unmarshall(item.Put.Item!).sk).startsWith('SUBPROCESSOR#'),
    );
    for (const put of requestPuts) expect(put.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    const appendix = appendixWrite(items)!;
    expect(appendix.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(appendix.Item!)).toMatchObject({
      version: 1,
      approved: requests.map((request) => ({ id: request.id, name: request.name })),
    });
    expect(putsWithSortKey(items, 'HISTORY#').map((entry) => entry.type)).toEqual([
      'SIGNED',
      'ENTERED_INTO_FORCE',
      'APPENDIX_3_VERSION',
    ]);
  });

  it('does not exist before both have signed', async () => {
    givenStored(awaitingAgreement({ subProcessors: draftSubProcessors }));
    const response = await sign(PROCESSOR_ORG);

    expect(response.body.status).toBe('AWAITING_SIGNATURES');
    const items = transaction();
    expect(putsWithSortKey(items, 'SUBPROCESSOR#')).toEqual([]);
    expect(appendixWrite(items)).toBeUndefined();
  });
});
