import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';

/**
 * Verifies a Maskinporten access token (a JWS in compact form) the way the API needs it verified:
 * RS256 only, signed by a key of the issuer's key set (its JWKS), from the expected issuer, for our
 * audience, and current. Written on node:crypto alone: `jose` would add about 18 KB to every HTTP
 * function's bundle, and the largest is close to its 400 KB budget.
 *
 * Maskinporten publishes its key set at the `jwks_uri` its `/.well-known/oauth-authorization-server`
 * (RFC 8414) names; the deployment gives that address as `JWKS_URI`. The key set is cached per
 * container and fetched again only when a token names a key it does not hold (Maskinporten rolls
 * keys over by publishing the new one first), at most once per {@link KEY_SET_REFRESH_INTERVAL_MS}.
 */

/** How far a token's `exp`, `nbf` and `iat` may be off from our clock: clocks of two machines differ. */
export const CLOCK_SKEW_SECONDS = 60;
/** The least time between two fetches of one key set for an unknown `kid`: made-up kids cannot hammer the issuer. */
export const KEY_SET_REFRESH_INTERVAL_MS = 30_000;
/** After a failed fetch, requests are refused with 503 for this long before the next attempt. */
export const KEY_SET_RETRY_AFTER_MS = 5_000;
/** A key set that does not answer in this time is down, as far as this request is concerned. */
const KEY_SET_TIMEOUT_MS = 3_000;
/** Maskinporten's tokens are a few KB; anything far larger is not one, and is not parsed. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface TokenExpectations {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Real time, in milliseconds: token lifetimes never run on the local stack's virtual clock. */
  now?: () => number;
}

/** The token cannot be trusted; `description` says why, in words safe for a `WWW-Authenticate` header. */
export class InvalidToken extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'InvalidToken';
  }
}

/** The issuer's key set could not be had, so no token can be verified now; try again after `retryAfterSeconds`. */
export class KeySetUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'KeySetUnavailable';
  }
}

export type Claims = Record<string, unknown>;

/** Returns the token's claims once it is verified; throws InvalidToken or KeySetUnavailable. */
export async function verifyBearerToken(token: string, expected: TokenExpectations): Promise<Claims> {
  const now = expected.now ?? Date.now;
  const { header, payload, signingInput, signature } = decodeCompactJws(token);
  if (header.alg !== 'RS256') throw new InvalidToken('The token must be signed with RS256');
  if (header.crit !== undefined) throw new InvalidToken('The token has critical header parameters');
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new InvalidToken('The token names no signing key (kid)');
  }
  const key = await signingKey(expected.jwksUri, header.kid, now);
  if (!verify('sha256', signingInput, key, signature)) {
    throw new InvalidToken('The token signature is invalid');
  }
  checkClaims(payload, expected, Math.floor(now() / 1000));
  return payload;
}

interface DecodedJws {
  header: Record<string, unknown>;
  payload: Claims;
  signingInput: Buffer;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeCompactJws(token: string): DecodedJws {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidToken('The token is too long');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new InvalidToken('The token is not a signed JWT (three base64url parts)');
  }
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: jsonObjectOf(header, 'header'),
    payload: jsonObjectOf(payload, 'payload'),
    signingInput: Buffer.from(`${header}.${payload}`, 'ascii'),
    signature: Buffer.from(signature, 'base64url'),
  };
}

function jsonObjectOf(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidToken(`The token ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidToken(`The token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function checkClaims(claims: Claims, expected: TokenExpectations, nowSeconds: number): void {
  if (claims.iss !== expected.issuer) throw new InvalidToken('The token is from another issuer');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.audience)) throw new InvalidToken('The token is for another audience');
  if (typeof claims.exp !== 'number') throw new InvalidToken('The token has no expiry (exp)');
  if (claims.exp + CLOCK_SKEW_SECONDS <= nowSeconds) throw new InvalidToken('The token has expired');
  for (const claim of ['nbf', 'iat'] as const) {
    const value = claims[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number') throw new InvalidToken(`The token's ${claim} is not a number`);
    if (value - CLOCK_SKEW_SECONDS > nowSeconds)
      throw new InvalidToken(`The token's ${claim} is in the future`);
  }
}

interface KeySet {
  keys: ReadonlyMap<string, KeyObject>;
  fetchedAt: number;
}

/** Per container (module scope), by URI: a container serves one deployment, the local stack one per port and key. */
const keySets = new Map<string, KeySet>();
const fetching = new Map<string, Promise<KeySet>>();
const failedAt = new Map<string, number>();

/** Forgets every cached key set (tests; a local stack that starts again). */
export function resetKeySets(): void {
  keySets.clear();
  fetching.clear();
  failedAt.clear();
}

async function signingKey(jwksUri: string, kid: string, now: () => number): Promise<KeyObject> {
  let keySet = keySets.get(jwksUri) ?? (await fetchKeySet(jwksUri, now));
  // A failed refetch counts as a fetch: an issuer that is down is not asked more often either.
  const lastAttempt = Math.max(keySet.fetchedAt, failedAt.get(jwksUri) ?? 0);
  if (!keySet.keys.has(kid) && now() - lastAttempt >= KEY_SET_REFRESH_INTERVAL_MS) {
    keySet = await fetchKeySet(jwksUri, now);
  }
  const key = keySet.keys.get(kid);
  if (!key) throw new InvalidToken('The token is signed by a key the issuer does not publish');
  return key;
}

/** One fetch at a time per URI; concurrent requests of a cold container wait for the same one. */
function fetchKeySet(jwksUri: string, now: () => number): Promise<KeySet> {
  const failed = failedAt.get(jwksUri);
  if (failed !== undefined && now() - failed < KEY_SET_RETRY_AFTER_MS) {
    const retryAfter = Math.max(1, Math.ceil((failed + KEY_SET_RETRY_AFTER_MS - now()) / 1000));
    return Promise.reject(new KeySetUnavailable('The issuer key set could not be fetched', retryAfter));
  }
  const running = fetching.get(jwksUri);
  if (running) return running;
  const fetched = loadKeySet(jwksUri, now).then(
    (keySet) => {
      keySets.set(jwksUri, keySet);
      failedAt.delete(jwksUri);
      return keySet;
    },
    (error: unknown) => {
      failedAt.set(jwksUri, now());
      const reason = error instanceof Error ? error.message : String(error);
      throw new KeySetUnavailable(
        `The issuer key set could not be fetched (${reason})`,
        Math.ceil(KEY_SET_RETRY_AFTER_MS / 1000),
      );
    },
  );
  fetching.set(jwksUri, fetched);
  const forget = () => fetching.delete(jwksUri);
  fetched.then(forget, forget);
  return fetched;
}

async function loadKeySet(jwksUri: string, now: () => number): Promise<KeySet> {
  const response = await fetch(jwksUri, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(KEY_SET_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body?.keys)) throw new Error('no keys array');
  return { keys: signingKeysOf(body.keys), fetchedAt: now() };
}

/** The RSA signature keys with a `kid`; keys for encryption, of other types or unreadable are left out. */
function signingKeysOf(jwks: unknown[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks as Record<string, unknown>[]) {
    if (typeof jwk !== 'object' || jwk === null) continue;
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.alg !== undefined && jwk.alg !== 'RS256') continue;
    try {
      keys.set(
        jwk.kid,
        createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e } as JsonWebKey, format: 'jwk' }),
      );
    } catch {
      // A key we cannot read verifies nothing; the others still do.
    }
  }
  return keys;
}
