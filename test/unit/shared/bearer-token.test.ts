import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CLOCK_SKEW_SECONDS,
  InvalidToken,
  KEY_SET_REFRESH_INTERVAL_MS,
  KEY_SET_RETRY_AFTER_MS,
  KeySetUnavailable,
  resetKeySets,
  type TokenExpectations,
  verifyBearerToken,
} from '../../../functions/shared/bearer-token.ts';
import {
  ISSUER_KEY,
  jwkOf,
  keySetUrl,
  registeredClaims,
  signToken,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testKey,
} from '../../support/bearer-tokens.ts';

const CLAIMS = { consumer: { ID: '0192:954748634' }, scope: 'dpa:read', client_id: 'c' };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let now = Date.parse('2026-12-03T12:00:00Z');
const nowSeconds = () => Math.floor(now / 1000);
const expected = (change: Partial<TokenExpectations> = {}): TokenExpectations => ({
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  jwksUri: keySetUrl(),
  now: () => now,
  ...change,
});
const token = (claims: Record<string, unknown> = {}, options: Parameters<typeof signToken>[1] = {}) =>
  signToken({ ...registeredClaims(nowSeconds()), ...CLAIMS, ...claims }, options);

async function refusal(promise: Promise<unknown>): Promise<InvalidToken> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidToken);
  return error as InvalidToken;
}

describe('verifyBearerToken', () => {
  beforeEach(() => {
    resetKeySets();
    now = Date.parse('2026-12-03T12:00:00Z');
  });
  afterEach(() => vi.restoreAllMocks());

  it('returns the claims of a token signed RS256 by a published key, from the issuer, for the audience', async () => {
    const claims = await verifyBearerToken(token(), expected());

    expect(claims).toMatchObject({ ...CLAIMS, iss: TEST_ISSUER, aud: TEST_AUDIENCE });
  });

  it('accepts an audience array that contains the audience', async () => {
    const claims = await verifyBearerToken(token({ aud: ['https://other', TEST_AUDIENCE] }), expected());

    expect(claims.aud).toEqual(['https://other', TEST_AUDIENCE]);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const unsigned = `${encode({ alg: 'none', kid: ISSUER_KEY.kid })}.${encode({ ...registeredClaims(nowSeconds()), ...CLAIMS })}.`;

    expect((await refusal(verifyBearerToken(unsigned, expected()))).description).toMatch(
      /not a signed JWT|RS256/,
    );
  });

  it('refuses alg: none even with a signature part', async () => {
    const forged = token({}, { header: { alg: 'none' } });

    expect((await refusal(verifyBearerToken(forged, expected()))).description).toBe(
      'The token must be signed with RS256',
    );
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const secret = JSON.stringify(jwkOf(ISSUER_KEY));
    const input = `${encode({ alg: 'HS256', kid: ISSUER_KEY.kid })}.${encode({ ...registeredClaims(nowSeconds()), ...CLAIMS })}`;
    const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;

    expect((await refusal(verifyBearerToken(forged, expected()))).description).toBe(
      'The token must be signed with RS256',
    );
  });

  it('refuses RS256 signed by another key under a published kid', async () => {
    const forged = token({}, { key: { ...testKey(), kid: ISSUER_KEY.kid } });

    expect((await refusal(verifyBearerToken(forged, expected()))).description).toBe(
      'The token signature is invalid',
    );
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = token().split('.');
    const changed = `${header}.${encode({ ...registeredClaims(nowSeconds()), ...CLAIMS, scope: 'dpa:write' })}.${signature}`;

    expect((await refusal(verifyBearerToken(changed, expected()))).description).toBe(
      'The token signature is invalid',
    );
  });

  it('refetches the key set once for an unknown kid, then refuses it', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    await verifyBearerToken(token(), expected());
    now += KEY_SET_REFRESH_INTERVAL_MS;
    const stranger = testKey();

    const error = await refusal(verifyBearerToken(token({}, { key: stranger }), expected()));
    const again = await refusal(verifyBearerToken(token({}, { key: stranger }), expected()));

    expect(error.description).toBe('The token is signed by a key the issuer does not publish');
    expect(again.description).toBe(error.description);
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });

  it('does not refetch for unknown kids more than once per interval', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    await verifyBearerToken(token(), expected());

    for (let attempt = 0; attempt < 5; attempt++) {
      now += 1000;
      await refusal(verifyBearerToken(token({}, { key: testKey() }), expected()));
    }

    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('after a failed refetch for an unknown kid, keeps the known keys and waits the whole interval before the next', async () => {
    await verifyBearerToken(token(), expected());
    now += KEY_SET_REFRESH_INTERVAL_MS;
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'));

    const failed = await verifyBearerToken(token({}, { key: testKey() }), expected()).catch(
      (e: unknown) => e,
    );
    now += KEY_SET_RETRY_AFTER_MS;
    const known = await verifyBearerToken(token(), expected());
    const unknown = await refusal(verifyBearerToken(token({}, { key: testKey() }), expected()));

    expect(failed).toBeInstanceOf(KeySetUnavailable);
    expect(known.consumer).toEqual(CLAIMS.consumer);
    expect(unknown.description).toMatch(/does not publish/);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('finds a key the issuer published after the key set was cached (key rollover)', async () => {
    const next = testKey();
    await verifyBearerToken(token(), expected());
    now += KEY_SET_REFRESH_INTERVAL_MS;
    // The issuer's address serves the new key set now: the same URI in the cache, new content.
    const rolledOver = new Response(JSON.stringify({ keys: [jwkOf(ISSUER_KEY), jwkOf(next)] }));
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(rolledOver);

    const claims = await verifyBearerToken(token({}, { key: next }), expected());

    expect(claims.consumer).toEqual(CLAIMS.consumer);
  });

  it('refuses a token without a kid', async () => {
    const forged = token({}, { header: { kid: undefined } });

    expect((await refusal(verifyBearerToken(forged, expected()))).description).toMatch(/kid/);
  });

  it('refuses a key published for encryption (use: enc)', async () => {
    const jwksUri = `data:application/json,${encodeURIComponent(JSON.stringify({ keys: [{ ...jwkOf(ISSUER_KEY), use: 'enc' }] }))}`;

    expect((await refusal(verifyBearerToken(token(), expected({ jwksUri })))).description).toMatch(
      /does not publish/,
    );
  });

  it('accepts a token expired less than the clock skew ago, refuses it beyond', async () => {
    const exp = nowSeconds() - CLOCK_SKEW_SECONDS + 1;
    await expect(verifyBearerToken(token({ exp }), expected())).resolves.toBeTruthy();

    const expired = token({ exp: nowSeconds() - CLOCK_SKEW_SECONDS });
    expect((await refusal(verifyBearerToken(expired, expected()))).description).toBe('The token has expired');
  });

  it('refuses a token without exp', async () => {
    const claims = { ...registeredClaims(nowSeconds()), ...CLAIMS, exp: undefined };

    expect((await refusal(verifyBearerToken(signToken(claims), expected()))).description).toMatch(/exp/);
  });

  it('refuses nbf and iat further in the future than the clock skew, accepts them within it', async () => {
    await expect(
      verifyBearerToken(token({ nbf: nowSeconds() + CLOCK_SKEW_SECONDS }), expected()),
    ).resolves.toBeTruthy();

    const notYet = await refusal(
      verifyBearerToken(token({ nbf: nowSeconds() + CLOCK_SKEW_SECONDS + 1 }), expected()),
    );
    const issuedLater = await refusal(
      verifyBearerToken(token({ iat: nowSeconds() + CLOCK_SKEW_SECONDS + 1 }), expected()),
    );

    expect(notYet.description).toBe("The token's nbf is in the future");
    expect(issuedLater.description).toBe("The token's iat is in the future");
  });

  it.each([
    ['issuer', { iss: 'https://maskinporten.no/' }, 'The token is from another issuer'],
    ['audience', { aud: 'https://someone.else' }, 'The token is for another audience'],
    ['audience array', { aud: ['https://someone.else'] }, 'The token is for another audience'],
    ['missing audience', { aud: undefined }, 'The token is for another audience'],
  ])('refuses a token for another %s', async (_what, claims, description) => {
    expect((await refusal(verifyBearerToken(token(claims), expected()))).description).toBe(description);
  });

  it.each([
    ['one part', 'not-a-jwt'],
    ['two parts', 'e30.e30'],
    ['four parts', 'e30.e30.e30.e30'],
    ['an empty signature', 'e30.e30.'],
    ['characters outside base64url', 'e30.e30.a+b/'],
    ['a header that is no JSON object', `${encode([1])}.e30.e30`],
    ['a header that is no JSON', 'bm90IGpzb24.e30.e30'],
  ])('refuses a malformed token: %s', async (_what, malformed) => {
    await refusal(verifyBearerToken(malformed, expected()));
  });

  it('answers KeySetUnavailable (not InvalidToken) when the key set cannot be fetched, and waits before trying again', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'));

    const first = await verifyBearerToken(token(), expected()).catch((error: unknown) => error);
    const second = await verifyBearerToken(token(), expected()).catch((error: unknown) => error);

    expect(first).toBeInstanceOf(KeySetUnavailable);
    expect(second).toBeInstanceOf(KeySetUnavailable);
    expect((second as KeySetUnavailable).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(fetchSpy).toHaveBeenCalledTimes(1);

    fetchSpy.mockRestore();
    now += KEY_SET_RETRY_AFTER_MS;
    await expect(verifyBearerToken(token(), expected())).resolves.toBeTruthy();
  });

  it('answers KeySetUnavailable for an issuer answering an error status or no key set', async () => {
    vi.spyOn(globalThis, 'fetch')
      .mockResolvedValueOnce(new Response('down', { status: 502 }))
      .mockResolvedValueOnce(new Response(JSON.stringify({ issuer: TEST_ISSUER })));

    await expect(verifyBearerToken(token(), expected({ jwksUri: 'https://a.test/jwk' }))).rejects.toThrow(
      KeySetUnavailable,
    );
    await expect(verifyBearerToken(token(), expected({ jwksUri: 'https://b.test/jwk' }))).rejects.toThrow(
      KeySetUnavailable,
    );
  });

  it('keeps key sets apart by address: one issuer’s cached keys never answer for another', async () => {
    const other = testKey();
    await verifyBearerToken(token(), expected());

    const claims = await verifyBearerToken(
      token({}, { key: other }),
      expected({ jwksUri: keySetUrl([other], 'other') }),
    );
    const refused = await refusal(
      verifyBearerToken(token(), expected({ jwksUri: keySetUrl([other], 'other') })),
    );

    expect(claims.consumer).toEqual(CLAIMS.consumer);
    expect(refused.description).toMatch(/does not publish/);
  });

  it('fetches the key set once for concurrent requests of a cold container', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');

    await Promise.all([1, 2, 3, 4].map(() => verifyBearerToken(token(), expected())));

    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });
});
