import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/withdraw-sub-processor.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  approvedRecord,
  inForceAgreement,
  OTHER_SUB_ID,
  pendingRecord,
  SUB_ID,
} from '../domain/sub-processor-fixture.ts';
import {
  decodeUpdate,
  givenStored,
  NOW,
  putsWithSortKey,
  sfn,
  tableWrites,
  transaction,
  useAwsMocks,
  workflowCalls,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import {
  agreementCheck,
  appendixWrite,
  givenAppendix,
  givenSubProcessor,
  requestWrite,
} from './sub-processor-mocks.ts';

useAwsMocks();

const withdraw = (orgNumber: string, body?: unknown) =>
  invoke(
    handler,
    httpEvent(
      'POST /agreements/{id}/sub-processors/{subId}/withdraw',
      `/agreements/${AGREEMENT_ID}/sub-processors/${SUB_ID}/withdraw`,
      {
        orgNumber,
        pathParameters: { id: AGREEMENT_ID, subId: SUB_ID },
        ...(body === undefined ? {} : { body }),
      },
    ),
  );

describe('POST /agreements/{id}/sub-processors/{subId}/withdraw', () => {
  it('withdraws a pending request (no body needed) and ends the workflow wait', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord(), 'token-approval');
    const response = await withdraw(PROCESSOR_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      status: 'WITHDRAWN',
      withdrawal: { withdrawnAt: NOW, withdrawnBy: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' } },
    });
    const items = transaction();
    const update = requestWrite(items).Update!;
    // Ends the wait with the token it read: written only if that is still the request's token.
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #taskToken = :taskToken');
    expect(unmarshall(update.ExpressionAttributeValues!)[':taskToken']).toBe('token-approval');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({ ':expectedStatus': 'REQUESTED' });
    expect(agreementCheck(items)).toBeUndefined();
    expect(appendixWrite(items)).toBeUndefined();
    expect(putsWithSortKey(items, 'HISTORY#').map((entry) => entry.type)).toEqual([
      'SUB_PROCESSOR_WITHDRAWN',
    ]);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-approval',
      output: '{"status":"WITHDRAWN"}',
    });
  });

  it('takes an approved sub-processor out of Vedlegg 3 as a new version', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(approvedRecord());
    givenAppendix(2, [
      { id: OTHER_SUB_ID, name: 'Alfa Drift AS' },
      { id: SUB_ID, name: 'Driftshuset AS' },
    ]);
    const response = await withdraw(PROCESSOR_ORG, { reason: 'Avtalen med Driftshuset AS er avsluttet' });

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ status: 'WITHDRAWN', approvedUntil: NOW });
    const items = transaction();
    expect(decodeUpdate(requestWrite(items).Update!).set).toMatchObject({
      status: 'WITHDRAWN',
      approvedUntil: NOW,
    });
    expect(agreementCheck(items)!.ConditionExpression).toBe('#status IN (:allowed0, :allowed1)');
    expect(unmarshall(appendixWrite(items)!.Item!)).toMatchObject({
      version: 3,
      approved: [{ id: OTHER_SUB_ID, name: 'Alfa Drift AS' }],
    });
    expect(putsWithSortKey(items, 'HISTORY#').map((entry) => entry.type)).toEqual([
      'SUB_PROCESSOR_WITHDRAWN',
      'APPENDIX_3_VERSION',
    ]);
    expect(workflowCalls()).toEqual([]);
  });

  it('refuses the controller with 403, a non-party with 404, and changes nothing', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    expect((await withdraw(CONTROLLER_ORG)).statusCode).toBe(403);
    expect((await withdraw(OUTSIDER_ORG)).statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 with currentStatus after a rejection', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord({ status: 'REJECTED' }));
    const response = await withdraw(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('REJECTED');
    expect(tableWrites()).toEqual([]);
  });

  it('answers 400 to an unknown field', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    const response = await withdraw(PROCESSOR_ORG, { reason: 'x', force: true });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'force', message: 'unknown field' }]);
    expect(tableWrites()).toEqual([]);
  });
});
