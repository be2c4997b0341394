import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as createAgreement } from '../../../functions/http/create-agreement.ts';
import { handler as decideSubProcessor } from '../../../functions/http/decide-sub-processor.ts';
import { handler as reportBreach } from '../../../functions/http/report-breach.ts';
import { handler as signAgreement } from '../../../functions/http/sign-agreement.ts';
import { handler as expireAgreement } from '../../../functions/tasks/expire-agreement.ts';
import { handler as recordWorkflowFailure } from '../../../functions/tasks/record-workflow-failure.ts';
import { handler as terminateAgreement } from '../../../functions/tasks/terminate-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  exampleCreateRequest,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../domain/agreement-fixture.ts';
import { breachBody } from '../domain/breach-fixture.ts';
import { inForceAgreement, pendingRecord, SUB_ID } from '../domain/sub-processor-fixture.ts';
import { conditionFailed, ddb, givenStored, useAwsMocks } from '../http/aws-mocks.ts';
import { httpEvent } from '../http/events.ts';
import { givenSubProcessor } from '../http/sub-processor-mocks.ts';
import { emitted, lambdaContext, useCapturedOutput } from './captured-output.ts';

useAwsMocks();
const output = useCapturedOutput();

type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyStructuredResultV2>;

const call = async (handler: unknown, event: APIGatewayProxyEventV2) =>
  (await (handler as HttpHandler)(event, lambdaContext('fn'))).statusCode;

const SERVICE = { service: 'databehandleravtaler' };
const count = (name: string, dimensions: Record<string, string> = SERVICE) => ({
  namespace: 'Databehandleravtaler',
  name,
  unit: 'Count',
  value: 1,
  dimensions,
});

const sign = (orgNumber: string) =>
  call(
    signAgreement,
    httpEvent('POST /agreements/{id}/signatures', `/agreements/${AGREEMENT_ID}/signatures`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body: {
        signatory: { name: 'Kari Ordfører', title: 'Ordfører' },
        place: 'Radøy',
        contentHash: awaitingAgreement().contentHash,
      },
    }),
  );

describe('business metrics (CloudWatch EMF, namespace Databehandleravtaler)', () => {
  it('counts a created agreement once the write succeeded', async () => {
    const status = await call(
      createAgreement,
      httpEvent('POST /agreements', '/agreements', {
        orgNumber: CONTROLLER_ORG,
        body: exampleCreateRequest(),
      }),
    );

    expect(status).toBe(201);
    expect(emitted(output.metrics())).toEqual([count('AgreementsCreated')]);
  });

  it('counts nothing for a refused request, nor for a write DynamoDB rejected', async () => {
    await call(
      createAgreement,
      httpEvent('POST /agreements', '/agreements', { orgNumber: OUTSIDER_ORG, body: exampleCreateRequest() }),
    );
    ddb.on(TransactWriteItemsCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await call(
      createAgreement,
      httpEvent('POST /agreements', '/agreements', {
        orgNumber: CONTROLLER_ORG,
        body: exampleCreateRequest(),
      }),
    );

    expect(output.metrics()).toEqual([]);
  });

  it('counts an agreement entered into force with the second signature, not with the first', async () => {
    givenStored(awaitingAgreement());
    expect(await sign(CONTROLLER_ORG)).toBe(201);
    expect(output.metrics()).toEqual([]);

    givenStored(awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] }));
    expect(await sign(CONTROLLER_ORG)).toBe(201);
    expect(emitted(output.metrics())).toEqual([count('AgreementsEnteredIntoForce')]);
  });

  it('counts an expiry when the signing workflow expires the agreement, not when it finds it signed', async () => {
    givenStored(awaitingAgreement({ signatureDeadline: '2026-11-21' }));
    await expireAgreement({ agreementId: AGREEMENT_ID });
    expect(emitted(output.metrics())).toEqual([count('AgreementsExpired')]);

    givenStored(inForceAgreement());
    await expireAgreement({ agreementId: AGREEMENT_ID });
    expect(output.metrics()).toHaveLength(1);
  });

  it('counts an expiry once when the first write lost to a concurrent change', async () => {
    givenStored(awaitingAgreement({ signatureDeadline: '2026-11-21' }));
    ddb.on(TransactWriteItemsCommand).rejectsOnce(conditionFailed()).resolves({});

    await expireAgreement({ agreementId: AGREEMENT_ID });

    expect(emitted(output.metrics())).toEqual([count('AgreementsExpired')]);
  });

  it('counts a termination when terminatesOn has ended', async () => {
    givenStored(inForceAgreement({ status: 'NOTICE_PERIOD', terminatesOn: '2026-11-21' }));

    expect(await terminateAgreement({ agreementId: AGREEMENT_ID, taskToken: 'token-t' })).toEqual({
      waiting: true,
    });

    expect(emitted(output.metrics())).toEqual([count('AgreementsTerminated')]);
  });

  it('counts a breach report, and a late one also as late', async () => {
    const report = () =>
      call(
        reportBreach,
        httpEvent('POST /agreements/{id}/breaches', `/agreements/${AGREEMENT_ID}/breaches`, {
          orgNumber: PROCESSOR_ORG,
          pathParameters: { id: AGREEMENT_ID },
          body: breachBody({ becameAwareAt: '2026-11-21T09:00:00+01:00' }),
        }),
      );
    givenStored(inForceAgreement());
    expect(await report()).toBe(201);
    expect(emitted(output.metrics())).toEqual([count('BreachesReported')]);

    givenStored(inForceAgreement({ breachNotificationHours: 24 }));
    expect(await report()).toBe(201);
    expect(emitted(output.metrics()).slice(1)).toEqual([
      expect.objectContaining({ name: 'BreachesReported', value: 1 }),
      expect.objectContaining({ name: 'BreachesReportedLate', value: 1 }),
    ]);
  });

  it.each(['APPROVED', 'REJECTED'])('counts a sub-processor decision by decision (%s)', async (decision) => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());

    const status = await call(
      decideSubProcessor,
      httpEvent(
        'POST /agreements/{id}/sub-processors/{subId}/decision',
        `/agreements/${AGREEMENT_ID}/sub-processors/${SUB_ID}/decision`,
        {
          orgNumber: CONTROLLER_ORG,
          pathParameters: { id: AGREEMENT_ID, subId: SUB_ID },
          body: { decision, reason: 'Vurdert', signatory: { name: 'Kari Testesen', title: 'Rådmann' } },
        },
      ),
    );

    expect(status).toBe(200);
    expect(emitted(output.metrics())).toEqual([count('SubProcessorDecisions', { ...SERVICE, decision })]);
  });

  it('counts a workflow failure by workflow once the failure is in the history', async () => {
    await recordWorkflowFailure({
      agreementId: AGREEMENT_ID,
      workflow: 'termination',
      error: { Error: 'Lambda.ServiceException', Cause: 'gave up' },
    });

    expect(emitted(output.metrics())).toEqual([
      count('WorkflowFailures', { ...SERVICE, workflow: 'termination' }),
    ]);
  });
});
