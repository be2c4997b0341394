import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDemo } from '../../functions/local/demo.ts';
import { ApiClient, CONTROLLER_ORG } from '../support/api-client.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

/**
 * `npm run demo` (issue 12): the walkthrough runs against a local stack, takes both agreements to
 * CLOSED, prints every step, and runs again on the same stack (a replay: new agreements, the clock
 * only forward).
 */
describe('npm run demo on the local stack', () => {
  let local: InProcessStack;
  let controller: ApiClient;

  beforeAll(async () => {
    local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
    controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
  });

  afterAll(async () => {
    await local?.stop();
  });

  const steps = [
    /POST \/local\/tokens/,
    /GET \/local\/clock/,
    /POST \/agreements \(.*-> 201 DRAFT/,
    /POST \/agreements\/\{A\}\/submit .*-> 200 AWAITING_SIGNATURES/,
    /POST \/agreements\/\{B\}\/signatures .*-> 201/,
    /GET \/agreements\/\{A\} .*-> 200 IN_FORCE/,
    /POST \/agreements\/\{A\}\/sub-processors .*-> 202 REQUESTED/,
    /POST \/agreements\/\{A\}\/sub-processors\/\{sub\}\/decision .*-> 200 APPROVED/,
    /GET \/agreements\/\{A\}\/processing-authorization\?subProcessorId=\{sub\} .*-> 200 authorized true/,
    /POST \/agreements\/\{A\}\/breaches .*-> 201/,
    /POST \/agreements\/\{A\}\/termination-notice .*-> 200 NOTICE_PERIOD terminatesOn \d{4}-\d\d-\d\d/,
    /POST \/agreements\/\{A\}\/data-disposition \(.*RETURN.*-> 200/,
    /POST \/agreements\/\{B\}\/data-disposition \(.*DELETE.*-> 200/,
    /POST \/local\/clock .*-> 200 now/,
    /GET \/agreements\/\{B\} .*-> 200 TERMINATED/,
    /POST \/agreements\/\{A\}\/data-disposition\/attestation .*-> 201 CLOSED/,
    /POST \/agreements\/\{B\}\/data-disposition\/attestation .*-> 201 CLOSED/,
    /GET \/notifications\?/,
    /Radøy \(954748634\): \d+ notifications/,
    /NAV \(889640782\): \d+ notifications/,
  ];

  async function runOnce() {
    const lines: string[] = [];
    const result = await runDemo(local.url, (line) => lines.push(line));
    expect(result.authorized).toBe(true);
    expect(result.agreements.map((agreement) => agreement.status)).toEqual(['CLOSED', 'CLOSED']);
    for (const { id } of result.agreements) {
      const read = await controller.get(`/agreements/${id}`);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('CLOSED');
    }
    expect(result.notifications.controller).toBeGreaterThan(0);
    expect(result.notifications.processor).toBeGreaterThan(0);
    for (const step of steps)
      expect(
        lines.some((line) => step.test(line)),
        String(step),
      ).toBe(true);
    return result;
  }

  it('takes two agreements through their whole life, and replays on the same stack', async () => {
    const first = await runOnce();
    const second = await runOnce();
    const ids = [...first.agreements, ...second.agreements].map((agreement) => agreement.id);
    expect(new Set(ids).size).toBe(4);
    expect(second.notifications).toEqual(first.notifications);
  }, 60_000);
});
