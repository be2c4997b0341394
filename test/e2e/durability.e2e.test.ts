import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, agreementRequest, CONTROLLER_ORG } from '../support/api-client.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';

/**
 * Issue 7, defect 7: DynamoDB Local acknowledges a transaction about a millisecond before it commits
 * it, so a `kill -9` right after a 201 lost agreements the caller had been told exist (2 of 12 in the
 * trial). The hard way: bursts of concurrent creates, the stack and DynamoDB Local killed together
 * with SIGKILL the instant the first 201 arrives, a restart, and every acknowledged agreement there.
 * `npm test` runs 4 rounds; `DURABILITY_ROUNDS=20 npx vitest run test/e2e/durability.e2e.test.ts` more.
 */

const ROUNDS = Number(process.env.DURABILITY_ROUNDS ?? 4);
const BURST = 12;

interface Burst {
  /** Ids of the agreements whose 201 arrived before (or while) the stack died. */
  acknowledged: string[];
  /** Requests that got no answer: the kill cut them off, so nothing was promised. */
  cutOff: number;
}

/**
 * Sends the creates at once; the first 201's headers trigger the kill, synchronously, before any
 * other callback of this process runs.
 */
function burstThenKill(stack: LocalStackProcess, token: string): Promise<Burst> {
  const body = JSON.stringify(agreementRequest());
  const acknowledged: string[] = [];
  let cutOff = 0;
  let killing: Promise<unknown> | undefined;
  const one = () =>
    new Promise<void>((resolve) => {
      const outgoing = request(
        `${stack.url}/agreements`,
        {
          method: 'POST',
          agent: false,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          if (response.statusCode === 201) {
            acknowledged.push(String(response.headers.location).split('/').pop()!);
            killing ??= stack.killGroup9();
          }
          response.resume();
          response.on('end', resolve);
          response.on('error', resolve);
          response.on('aborted', resolve);
        },
      );
      outgoing.on('error', () => {
        cutOff += 1;
        resolve();
      });
      outgoing.end(body);
    });
  return Promise.all(Array.from({ length: BURST }, one)).then(async () => {
    await (killing ?? stack.killGroup9());
    return { acknowledged, cutOff };
  });
}

async function tokenFor(baseUrl: string, orgNumber: string): Promise<string> {
  const response = await fetch(`${baseUrl}/local/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orgNumber }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('acknowledged writes across kill -9 of the local stack and DynamoDB Local', () => {
  let stack: LocalStackProcess;

  beforeAll(async () => {
    stack = await LocalStackProcess.create({ ownProcessGroup: true });
  });

  afterAll(async () => {
    await stack?.killGroup9();
  });

  it(`keeps every acknowledged create over ${ROUNDS} rounds of ${BURST} concurrent creates`, async () => {
    const acknowledgedEver: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await stack.start();
      const burst = await burstThenKill(stack, await tokenFor(stack.url, CONTROLLER_ORG));
      expect(burst.acknowledged.length).toBeGreaterThan(0);
      acknowledgedEver.push(...burst.acknowledged);
    }

    await stack.start();
    const controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    const missing: string[] = [];
    for (const id of acknowledgedEver) {
      const read = await controller.get(`/agreements/${id}`);
      if (read.status !== 200) missing.push(id);
    }

    expect(missing).toEqual([]);
    // The organisation's listing (its index entries were in the same transactions) shows them all too.
    const listed: string[] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await controller.get<{ items: { id: string }[]; nextCursor?: string }>(
        `/agreements?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      listed.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    }
    expect(listed).toEqual(expect.arrayContaining(acknowledgedEver));
  }, 600_000);
});
