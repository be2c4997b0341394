import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { AgreementStatus } from '../../../functions/domain/schemas.ts';
import { handler } from '../../../functions/tasks/await-signature.ts';
import { AGREEMENT_ID, awaitingAgreement, signature } from '../domain/agreement-fixture.ts';
import {
  agreementItem,
  agreementKey,
  ddb,
  givenStored,
  sfn,
  TABLE_NAME,
  tableWrites,
  useAwsMocks,
  workflowCalls,
} from '../http/aws-mocks.ts';

useAwsMocks();

const awaitSignature = (party: 'controller' | 'processor' = 'processor') =>
  handler({ agreementId: AGREEMENT_ID, party, taskToken: `token-${party}` });

describe('awaitSignature task', () => {
  it('completes the wait at once when the party signed before the workflow got there', async () => {
    givenStored(awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] }));

    const result = await awaitSignature('processor');

    expect(result).toEqual({ waiting: false });
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.taskToken).toBe('token-processor');
    expect(JSON.parse(calls[0]!.args[0].input.output!)).toEqual({
      party: 'processor',
      signedOn: '2026-11-20',
    });
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    'CANCELLED',
    'EXPIRED',
    'DRAFT',
  ] as AgreementStatus[])('ends the wait with SigningClosed when the agreement is %s, storing nothing', async (status) => {
    givenStored(awaitingAgreement({ status }));

    const result = await awaitSignature();

    expect(result).toEqual({ waiting: false });
    const failures = sfn.commandCalls(SendTaskFailureCommand);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.args[0].input).toMatchObject({
      taskToken: 'token-processor',
      error: 'SigningClosed',
    });
    expect(failures[0]!.args[0].input.cause).toContain(status);
    expect(tableWrites()).toEqual([]);
  });

  it('stores the task token only if the agreement still awaits signatures at the version read', async () => {
    givenStored(awaitingAgreement({ version: 4 }));

    const result = await awaitSignature('controller');

    expect(result).toEqual({ waiting: true });
    const updates = ddb.commandCalls(UpdateItemCommand);
    expect(updates).toHaveLength(1);
    const input = updates[0]!.args[0].input;
    expect(input.TableName).toBe(TABLE_NAME);
    expect(unmarshall(input.Key!)).toEqual(agreementKey(AGREEMENT_ID));
    expect(input.UpdateExpression).toBe('SET #tokens.#party = :token');
    expect(input.ConditionExpression).toBe('#status = :awaiting AND #version = :version');
    expect(input.ExpressionAttributeNames).toEqual({
      '#tokens': 'signingTokens',
      '#party': 'controller',
      '#status': 'status',
      '#version': 'version',
    });
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':token': 'token-controller',
      ':awaiting': 'AWAITING_SIGNATURES',
      ':version': 4,
    });
    expect(workflowCalls()).toEqual([]);
  });

  it('reads again when a signature lands before the token is stored, and completes the wait itself', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolvesOnce({ Item: agreementItem(awaitingAgreement({ version: 2 })) })
      .resolves({
        Item: agreementItem(
          awaitingAgreement({ version: 3, signatures: [signature('processor', '2026-11-22')] }),
        ),
      });
    ddb
      .on(UpdateItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const result = await awaitSignature('processor');

    expect(result).toEqual({ waiting: false });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    const success = sfn.commandCalls(SendTaskSuccessCommand);
    expect(success.map((call) => call.args[0].input.taskToken)).toEqual(['token-processor']);
    expect(JSON.parse(success[0]!.args[0].input.output!)).toEqual({
      party: 'processor',
      signedOn: '2026-11-22',
    });
  });

  it("stores the token at the new version when the other party's signature moved the version", async () => {
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolvesOnce({ Item: agreementItem(awaitingAgreement({ version: 2 })) })
      .resolves({
        Item: agreementItem(
          awaitingAgreement({ version: 3, signatures: [signature('controller', '2026-11-22')] }),
        ),
      });
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      )
      .resolves({});

    const result = await awaitSignature('processor');

    expect(result).toEqual({ waiting: true });
    const versions = ddb
      .commandCalls(UpdateItemCommand)
      .map((call) => unmarshall(call.args[0].input.ExpressionAttributeValues!)[':version']);
    expect(versions).toEqual([2, 3]);
    expect(workflowCalls()).toEqual([]);
  });

  it('fails with AgreementMissing for an agreement that does not exist', async () => {
    await expect(awaitSignature()).rejects.toMatchObject({ name: 'AgreementMissing' });
  });

  it('refuses an input without a task token', async () => {
    await expect(handler({ agreementId: AGREEMENT_ID, party: 'processor' })).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
    expect(ddb.calls()).toEqual([]);
  });
});
