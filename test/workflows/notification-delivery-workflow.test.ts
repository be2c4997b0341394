import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';
import { ApiClient, agreementRequest, CONTROLLER_ORG } from '../support/api-client.ts';

/**
 * The paths through workflows/notification-delivery.asl.json as CDK synthesizes it, on the local
 * engine with the real retry task: waiting until retryAt and trying again while the mail service is
 * down, settling once it is back, and failing (so that its alarm goes off) when the retry task itself
 * keeps failing.
 */

describe('notification delivery workflow', () => {
  let stack: LocalStack;
  let dataDir: string;
  let controller: ApiClient;
  let retryTaskFails = false;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'delivery-workflow-'));
    stack = await startLocalStack({
      port: 0,
      dataDir,
      dynamoEndpoint: inject('dynamoEndpoint'),
      dynamoInMemory: true,
      tableName: `wf-${randomUUID()}`,
      interceptTask: (taskId, _payload, invoke) => {
        if (taskId === 'retryDelivery' && retryTaskFails) {
          return Promise.reject(Object.assign(new Error('DynamoDB unreachable'), { name: 'Unreachable' }));
        }
        return invoke();
      },
    });
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const deliveryArn = () => process.env.NOTIFICATION_DELIVERY_STATE_MACHINE_ARN!;

  async function notificationRetried(title: string): Promise<void> {
    await stack.mail.outage(true);
    const created = await controller.post<{ id: string }>('/agreements', agreementRequest({ title }));
    await controller.post(`/agreements/${created.body.id}/submit`);
    await stack.deliveries.drain();
  }

  it('waits until retryAt, tries again while the mail is down, and succeeds once it is back', async () => {
    await notificationRetried('Avtale (forsinket e-post)');
    const running = stack.stepFunctions.listExecutions(deliveryArn(), 'RUNNING');
    expect(running.length).toBeGreaterThanOrEqual(1);

    await stack.mail.outage(false);
    await controller.post('/local/clock', { advanceBy: 'PT2H' });

    for (const { executionArn } of running) {
      const execution = stack.stepFunctions.describeExecution(executionArn);
      expect(execution.status).toBe('SUCCEEDED');
      expect(JSON.parse(execution.output!)).toMatchObject({ outcome: 'DONE' });
    }
  });

  it('fails (and alarms) when the retry task itself fails after its retries, leaving the delivery RETRYING', async () => {
    await notificationRetried('Avtale (feilende forsøk)');
    const running = stack.stepFunctions.listExecutions(deliveryArn(), 'RUNNING');
    expect(running.length).toBeGreaterThanOrEqual(1);
    retryTaskFails = true;
    try {
      await controller.post('/local/clock', { advanceBy: 'PT2H' });
    } finally {
      retryTaskFails = false;
      await stack.mail.outage(false);
    }

    for (const { executionArn } of running) {
      const execution = stack.stepFunctions.describeExecution(executionArn);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('DeliveryRetryFailed');
    }
  });
});
