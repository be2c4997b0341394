import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  generateKeyPair,
  importJWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type HttpFunction, httpFunctions } from '../../functions/catalogue.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../functions/local/tokens.ts';
import {
  closeConnections,
  diffSnapshots,
  type Outcome,
  type Snapshot,
  send,
  snapshotTable,
} from '../fuzz/checks.ts';
import { type HostileRequest, wellFormedRequest } from '../fuzz/hostile-requests.ts';
import { buildWorld, type Who, type World } from '../fuzz/world.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

/**
 * Every route of the catalogue against every way a token can be wrong (issue 7): the handler (which
 * verifies the token itself, as on AWS) refuses what it cannot trust with 401, a read-only token
 * writing with 403, both problem+json with a `WWW-Authenticate` challenge (RFC 6750); a party acting outside its role
 * gets 403, and an organisation that is no party learns nothing: its request for a real agreement is
 * answered exactly as one for an agreement that does not exist. Each request is otherwise well formed
 * (the fuzzer's first aim on that route), so the token is the only thing wrong with it.
 */

const CONTROLLER = '954748634';
const CLAIMS = {
  consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${CONTROLLER}` },
  scope: 'dpa:read dpa:write',
  client_id: 'authorization-test',
};

type TokenForger = (keys: { local: CryptoKey; foreign: CryptoKey; publicJwk: Uint8Array }) => Promise<string>;

/** The kid the stack's tokens carry and its key set publishes: its key's RFC 7638 thumbprint. */
let localKid = '';

const now = () => Math.floor(Date.now() / 1000);
const signed = (
  key: CryptoKey,
  change: {
    issuer?: string;
    audience?: string;
    claims?: JWTPayload;
    iat?: number;
    exp?: number;
    nbf?: number;
    kid?: string;
  } = {},
) => {
  const jwt = new SignJWT(change.claims ?? CLAIMS)
    .setProtectedHeader({ alg: 'RS256', kid: change.kid ?? localKid })
    .setIssuer(change.issuer ?? LOCAL_ISSUER)
    .setAudience(change.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(change.iat ?? now())
    .setExpirationTime(change.exp ?? now() + 600);
  if (change.nbf) jwt.setNotBefore(change.nbf);
  return jwt.sign(key);
};

/** Authorization header values the handlers must refuse with 401 (undefined: no header at all). */
const UNTRUSTED: [string, (keys: Parameters<TokenForger>[0]) => Promise<string | undefined>][] = [
  ['no token', async () => undefined],
  ['a malformed token', async () => 'Bearer not-a-jwt'],
  ['three base64 parts that are no JWT', async () => 'Bearer e30.e30.e30'],
  ['another scheme', async () => 'Basic dXNlcjpwYXNzd29yZA=='],
  [
    'a token whose signature was cut short',
    async ({ local }) => `Bearer ${(await signed(local)).slice(0, -4)}`,
  ],
  [
    'an expired token',
    async ({ local }) => `Bearer ${await signed(local, { iat: now() - 7200, exp: now() - 3600 })}`,
  ],
  ['a token not valid yet', async ({ local }) => `Bearer ${await signed(local, { nbf: now() + 3600 })}`],
  [
    "a token signed by a foreign key under the stack's kid",
    async ({ foreign }) => `Bearer ${await signed(foreign)}`,
  ],
  [
    'a token signed by a foreign key under a kid the stack does not publish',
    async ({ foreign }) => `Bearer ${await signed(foreign, { kid: 'foreign-key' })}`,
  ],
  [
    'an unsigned token (alg: none)',
    async () =>
      `Bearer ${new UnsecuredJWT(CLAIMS)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .encode()}`,
  ],
  [
    'a token signed with HS256 and the public key as secret',
    async ({ publicJwk }) =>
      `Bearer ${await new SignJWT(CLAIMS)
        .setProtectedHeader({ alg: 'HS256', kid: localKid })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(publicJwk)}`,
  ],
  [
    'a token for another audience',
    async ({ local }) => `Bearer ${await signed(local, { audience: 'dpa-production' })}`,
  ],
  [
    'a token from another issuer',
    async ({ local }) => `Bearer ${await signed(local, { issuer: 'https://maskinporten.no/' })}`,
  ],
  [
    'a token naming no organisation',
    async ({ local }) => `Bearer ${await signed(local, { claims: { scope: CLAIMS.scope, client_id: 'x' } })}`,
  ],
  [
    'a token naming an invalid organisation number',
    async ({ local }) =>
      `Bearer ${await signed(local, { claims: { ...CLAIMS, consumer: { authority: 'x', ID: '0192:954748635' } } })}`,
  ],
];

const routeName = (fn: HttpFunction) => `${fn.method} ${fn.path}`;
const isPublic = (fn: HttpFunction) => fn.scopes.length === 0;
const writesOnly = (fn: HttpFunction) => fn.scopes.length > 0 && !fn.scopes.includes('dpa:read');
const agreementScoped = (fn: HttpFunction) => fn.path.startsWith('/agreements/{id}');

/** Headers a caller could tell two answers apart by (transport and per-request ids aside). */
function tellingHeaders(outcome: Outcome): Record<string, string> {
  return Object.fromEntries(
    Object.entries(outcome.headers).filter(
      ([name]) => !['date', 'connection', 'keep-alive'].includes(name) && !name.includes('request-id'),
    ),
  );
}

function problemOf(outcome: Outcome): Record<string, unknown> {
  expect(outcome.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(outcome.body) as Record<string, unknown>;
  expect(problem.status).toBe(outcome.status);
  return problem;
}

describe('authorization on every route', () => {
  let local: InProcessStack;
  let world: World;
  let keys: Parameters<TokenForger>[0];
  let before: Snapshot;

  beforeAll(async () => {
    local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
    world = await buildWorld(local.url, () => local.stack.stepFunctions.idle());
    const stored = JSON.parse(await readFile(join(local.dataDir, 'token-signing-key.json'), 'utf8'));
    localKid = await calculateJwkThumbprint(stored.publicKey, 'sha256');
    keys = {
      local: (await importJWK(stored.privateKey, 'RS256')) as CryptoKey,
      foreign: (await generateKeyPair('RS256')).privateKey,
      publicJwk: new TextEncoder().encode(JSON.stringify(stored.publicKey)),
    };
    before = await snapshotTable(local.dynamoEndpoint, local.tableName);
  });

  afterAll(async () => {
    closeConnections();
    await local?.stop();
  });

  /** The route's well-formed request, with `change`s; `authorization` replaces the party's token. */
  function call(
    fn: HttpFunction,
    change: {
      as?: Who | 'none';
      authorization?: string;
      params?: Record<string, string>;
      body?: string;
    } = {},
  ): Promise<Outcome> {
    const request = wellFormedRequest(fn, world);
    const hostile: HostileRequest = {
      route: fn.id,
      method: request.method,
      path: request.path(change.params),
      caller: change.authorization !== undefined ? 'none' : (change.as ?? request.as),
      headers: {
        ...request.headers,
        'x-correlation-id': 'authorization-test',
        ...(change.authorization ? { authorization: change.authorization } : {}),
      },
      ...('body' in change
        ? { body: change.body }
        : request.body === undefined
          ? {}
          : { body: request.body }),
      defect: 'authorization',
      mustRefuse: false,
    };
    return send(world, hostile);
  }

  it('covers every route of the catalogue with a well-formed request', () => {
    const missing = httpFunctions.filter((fn) => {
      try {
        wellFormedRequest(fn, world);
        return false;
      } catch {
        return true;
      }
    });
    expect(missing.map(routeName)).toEqual([]);
  });

  describe.each(httpFunctions.map((fn) => [routeName(fn), fn] as const))('%s', (_name, fn) => {
    it.each(
      UNTRUSTED.map(([what, forge]) => [what, forge] as const),
    )(`with %s: ${isPublic(fn) ? 'public, answered as without a token' : '401 problem+json'}`, async (_what, forge) => {
      const authorization = await forge(keys);

      const outcome = await call(fn, authorization === undefined ? { as: 'none' } : { authorization });

      if (isPublic(fn)) {
        expect(outcome.status).toBe(200);
      } else {
        expect(outcome.status).toBe(401);
        expect(problemOf(outcome).title).toBe('Unauthorized');
        expect(outcome.headers['www-authenticate']).toMatch(
          authorization?.startsWith('Bearer ')
            ? /^Bearer error="invalid_token", error_description="[^"]+"$/
            : /^Bearer$/,
        );
      }
    });

    if (writesOnly(fn)) {
      it('with a read-only token (dpa:read): 403 problem+json', async () => {
        const outcome = await call(fn, {
          as: wellFormedRequest(fn, world).as === 'processor' ? 'processorReadOnly' : 'controllerReadOnly',
        });

        expect(outcome.status).toBe(403);
        expect(String(problemOf(outcome).detail)).toContain('dpa:write');
        expect(outcome.headers['www-authenticate']).toBe(
          'Bearer error="insufficient_scope", scope="dpa:write"',
        );
      });
    }

    if (agreementScoped(fn)) {
      it('from a non-party: 404, the same answer as for an agreement that does not exist', async () => {
        const request = wellFormedRequest(fn, world);
        const unknown = Object.fromEntries(Object.keys(request.params).map((name) => [name, randomUUID()]));

        const real = await call(fn, { as: 'outsider' });
        const missing = await call(fn, { as: 'outsider', params: unknown });
        const missingForParty = await call(fn, { params: unknown });

        expect(real.status).toBe(404);
        problemOf(real);
        expect(missing.status).toBe(real.status);
        expect(missing.body).toBe(real.body);
        expect(tellingHeaders(missing)).toEqual(tellingHeaders(real));
        expect(missingForParty.body).toBe(real.body);
        expect(tellingHeaders(missingForParty)).toEqual(tellingHeaders(real));
      });
    }
  });

  it('a non-party creating an agreement between two others: 403', async () => {
    const create = httpFunctions.find((fn) => fn.id === 'createAgreement')!;

    const outcome = await call(create, { as: 'outsider' });

    expect(outcome.status).toBe(403);
    expect(String(problemOf(outcome).detail)).toMatch(/controller or the processor/);
  });

  it.each([
    'listAgreements',
    'listNotifications',
  ])('%s for a non-party: none of the parties’ agreements', async (id) => {
    const fn = httpFunctions.find((candidate) => candidate.id === id)!;
    const ids = Object.values(world.fixtures).map((fixture) => fixture.id);

    const outcome = await call(fn, { as: 'outsider' });

    expect(outcome.status).toBe(200);
    const page = JSON.parse(outcome.body) as { items: { id?: string; agreementId?: string }[] };
    expect(page.items.filter((item) => ids.includes(item.agreementId ?? item.id ?? ''))).toEqual([]);
  });

  const SIGNATORY = { name: 'Kari Testesen', title: 'Rådmann' };
  it.each([
    {
      who: 'the processor deciding on a sub-processor',
      as: 'processor' as const,
      path: (w: World) => `/agreements/${w.fixtures.inForce.id}/sub-processors/${w.requestedSubId}/decision`,
      body: { decision: 'APPROVED', reason: 'Godkjent', signatory: SIGNATORY },
    },
    {
      who: 'the controller attesting the deletion',
      as: 'controller' as const,
      path: (w: World) => `/agreements/${w.fixtures.terminated.id}/data-disposition/attestation`,
      body: (w: World) => ({
        method: 'DELETE',
        completedOn: w.today,
        statement: 'Slettet',
        signatory: SIGNATORY,
      }),
    },
    {
      who: 'the processor choosing return or deletion',
      as: 'processor' as const,
      path: (w: World) => `/agreements/${w.fixtures.notice.id}/data-disposition`,
      body: { method: 'RETURN' },
    },
    {
      who: 'the party that did not create the agreement cancelling it',
      as: 'processor' as const,
      path: (w: World) => `/agreements/${w.fixtures.draft.id}/cancel`,
      body: {},
    },
    {
      who: 'the controller requesting a sub-processor',
      as: 'controller' as const,
      path: (w: World) => `/agreements/${w.fixtures.inForce.id}/sub-processors`,
      body: (w: World) => JSON.parse(wellFormedRequest(byId('requestSubProcessor'), w).body!),
    },
    {
      who: 'the controller withdrawing a sub-processor',
      as: 'controller' as const,
      path: (w: World) => `/agreements/${w.fixtures.inForce.id}/sub-processors/${w.requestedSubId}/withdraw`,
      body: { reason: 'Trukket' },
    },
  ])('$who: 403 problem+json naming the role', async ({ as, path, body }) => {
    const json = typeof body === 'function' ? body(world) : body;

    const outcome = await send(world, {
      route: 'role',
      method: 'POST',
      path: path(world),
      caller: as,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
      defect: 'wrong role',
      mustRefuse: true,
    });

    expect(outcome.status).toBe(403);
    expect(String(problemOf(outcome).detail)).toMatch(/^Only the (controller|processor|party that created)/);
  });

  it.each([
    'ListExecutions',
    'DescribeExecution',
    'StopExecution',
    'SendTaskSuccess',
  ])('the API port does not speak the Step Functions protocol: %s without a token is no route', async (action) => {
    const outcome = await send(world, {
      route: 'step-functions',
      method: 'POST',
      path: '/',
      caller: 'none',
      headers: { 'x-amz-target': `AWSStepFunctions.${action}`, 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({
        stateMachineArn: 'arn:aws:states:eu-north-1:000000000000:stateMachine:signing',
      }),
      defect: 'the Step Functions protocol on the API port',
      mustRefuse: true,
    });

    expect(outcome.status).toBe(404);
    expect(problemOf(outcome).title).toBe('Not found');
  });

  it('no refused request changed anything (reads leave their audit entries only)', async () => {
    const after = await snapshotTable(local.dynamoEndpoint, local.tableName);

    expect(diffSnapshots(before, after)).toEqual([]);
  });
});

function byId(id: string): HttpFunction {
  return httpFunctions.find((fn) => fn.id === id)!;
}
