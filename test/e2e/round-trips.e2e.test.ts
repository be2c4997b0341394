import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpFunctions } from '../../functions/catalogue.ts';
import { openApiDocument } from '../../functions/shared/openapi.ts';
import { conformanceProblems } from '../support/openapi-conformance.ts';
import {
  type CountingStack,
  formatRoundTrips,
  measureRoutes,
  type RouteRoundTrips,
  startCountingStack,
} from '../support/round-trips.ts';

/**
 * Issue 8, a lean runtime: no HTTP request costs more than two DynamoDB round trips, and none scans.
 * Every route of the catalogue is called over HTTP on the local stack in this process, in a realistic
 * state, and the handlers' DynamoDB commands are counted (test/support/round-trips.ts).
 */
const BUDGET = 2;
/**
 * With an `Idempotency-Key` a POST reads the key's record with the agreement and claims the key in its
 * change's transaction, then stores the response once it is known (functions/http/idempotency.ts):
 * one round trip more than the route's own.
 */
const KEYED_BUDGET = BUDGET + 1;

describe('DynamoDB round trips per HTTP request', () => {
  let local: CountingStack;
  let unkeyed: RouteRoundTrips[];
  let keyed: RouteRoundTrips[];

  beforeAll(async () => {
    local = await startCountingStack({ dynamoEndpoint: inject('dynamoEndpoint') });
    unkeyed = await measureRoutes(local, { idempotencyKey: false });
    keyed = await measureRoutes(local, { idempotencyKey: true });
    console.info(`Round trips without Idempotency-Key:\n${formatRoundTrips(unkeyed)}`);
    console.info(`Round trips with Idempotency-Key:\n${formatRoundTrips(keyed)}`);
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('measures every route of the catalogue', () => {
    const measured = new Set(unkeyed.map((row) => row.route));

    expect(httpFunctions.map((fn) => fn.id).filter((id) => !measured.has(id))).toEqual([]);
  });

  it(`costs every route at most ${BUDGET} round trips without an Idempotency-Key`, () => {
    const over = unkeyed.filter((row) => row.roundTrips > BUDGET);

    expect(over.map((row) => `${row.route} (${row.variant}): ${row.commands.join(', ')}`)).toEqual([]);
  });

  it(`costs every POST with an Idempotency-Key at most ${KEYED_BUDGET} round trips`, () => {
    const over = keyed.filter((row) => row.roundTrips > (row.idempotencyKey ? KEYED_BUDGET : BUDGET));

    expect(over.map((row) => `${row.route} (${row.variant}): ${row.commands.join(', ')}`)).toEqual([]);
  });

  it('answers every request as the OpenAPI document says: status, media type, body schema and headers', () => {
    // The document as the local stack serves it: the same routes and schemas, whatever the settings.
    const document = openApiDocument() as unknown as Parameters<typeof conformanceProblems>[0];

    expect(conformanceProblems(document, [...unkeyed, ...keyed])).toEqual([]);
  });

  it('never scans the table', () => {
    const scans = [...unkeyed, ...keyed].filter((row) => row.commands.includes('Scan'));

    expect(scans.map((row) => row.route)).toEqual([]);
  });

  it('reads only through keys: every read is a GetItem, BatchGetItem, TransactGetItems or Query', () => {
    const commands = new Set([...unkeyed, ...keyed].flatMap((row) => row.commands));

    expect(
      [...commands].filter(
        (command) =>
          ![
            'GetItem',
            'BatchGetItem',
            'TransactGetItems',
            'Query',
            'PutItem',
            'UpdateItem',
            'DeleteItem',
            'TransactWriteItems',
          ].includes(command),
      ),
    ).toEqual([]);
  });
});
