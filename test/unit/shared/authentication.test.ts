import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { httpFunctions } from '../../../functions/catalogue.ts';
import { scopesFor } from '../../../functions/shared/authentication.ts';
import { resetKeySets } from '../../../functions/shared/bearer-token.ts';
import { httpHandler } from '../../../functions/shared/http.ts';
import { registeredClaims, signToken, testKey } from '../../support/bearer-tokens.ts';
import { claimsFor, httpEvent, invoke } from '../http/events.ts';

const ORG = '954748634';
/** A route that answers who called: what the shared middleware let through. */
const whoCalled = httpHandler({}, async ({ caller }) => ({ status: 200, body: caller }));

const withScope = (scope: string) => ({ ...claimsFor(ORG), scope });
const withAuthorization = (routeKey: string, authorization: string) =>
  httpEvent(routeKey, '/agreements', { claims: null, headers: { authorization } });

describe('the shared middleware: bearer token and scope', () => {
  beforeEach(() => resetKeySets());
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.SCOPE_NAMES;
  });

  it('lets a verified token through, with its caller', async () => {
    const response = await invoke(whoCalled, httpEvent('GET /agreements', '/agreements', { orgNumber: ORG }));

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ orgNumber: ORG, clientId: 'test-client' });
  });

  it('answers a request without a token 401 problem+json with a bare Bearer challenge', async () => {
    const response = await invoke(whoCalled, httpEvent('GET /agreements', '/agreements', { claims: null }));

    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('treats another scheme as no bearer token', async () => {
    const response = await invoke(whoCalled, withAuthorization('GET /agreements', 'Basic dXNlcjpwYXNz'));

    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers an invalid token 401 with error="invalid_token" and why', async () => {
    httpEvent('GET /agreements', '/agreements'); // points the handler at the tests' issuer
    const foreign = signToken({ ...registeredClaims(), ...claimsFor(ORG) }, { key: testKey() });

    const response = await invoke(whoCalled, withAuthorization('GET /agreements', `Bearer ${foreign}`));

    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The token is signed by a key the issuer does not publish"',
    );
    expect(response.body.detail).toBe(
      'The token was refused: The token is signed by a key the issuer does not publish',
    );
  });

  it('answers a verified token naming no valid organisation 401 invalid_token', async () => {
    const response = await invoke(
      whoCalled,
      httpEvent('GET /agreements', '/agreements', { claims: { scope: 'dpa:read', client_id: 'c' } }),
    );

    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer error="invalid_token", error_description="[^"]*consumer/,
    );
  });

  it.each([
    ['GET', 'dpa:read', 200],
    ['GET', 'dpa:write', 200],
    ['POST', 'dpa:write', 200],
    ['PATCH', 'dpa:write', 200],
    ['PUT', 'dpa:write', 200],
    ['DELETE', 'dpa:write', 200],
    ['POST', 'dpa:read', 403],
    ['PATCH', 'dpa:read', 403],
    ['PUT', 'dpa:read', 403],
    ['DELETE', 'dpa:read', 403],
    ['GET', 'openid', 403],
    ['GET', '', 403],
  ])('%s with scope "%s": %i', async (method, scope, status) => {
    const response = await invoke(
      whoCalled,
      httpEvent(`${method} /agreements`, '/agreements', { claims: withScope(scope) }),
    );

    expect(response.statusCode).toBe(status);
  });

  it('answers a write without the write scope 403 problem+json with error="insufficient_scope"', async () => {
    const response = await invoke(
      whoCalled,
      httpEvent('POST /agreements', '/agreements', { claims: withScope('dpa:read') }),
    );

    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="dpa:write"');
    expect(response.body.detail).toBe('The token needs the scope dpa:write');
  });

  it('takes the scope names from SCOPE_NAMES', async () => {
    process.env.SCOPE_NAMES = JSON.stringify({
      'dpa:read': 'kommune:dpa.read',
      'dpa:write': 'kommune:dpa.write',
    });

    const defaultName = await invoke(
      whoCalled,
      httpEvent('GET /agreements', '/agreements', { claims: withScope('dpa:read') }),
    );
    const deployedName = await invoke(
      whoCalled,
      httpEvent('GET /agreements', '/agreements', { claims: withScope('kommune:dpa.read') }),
    );

    expect(defaultName.statusCode).toBe(403);
    expect(defaultName.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="kommune:dpa.read"',
    );
    expect(deployedName.statusCode).toBe(200);
  });

  it('answers 503 problem+json with Retry-After when the key set cannot be fetched', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'));

    const response = await invoke(whoCalled, httpEvent('GET /agreements', '/agreements'));

    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(response.body).toMatchObject({ status: 503, type: 'urn:dpa:problem:service-unavailable' });
  });
});

describe('the catalogue’s scopes follow the rule the middleware enforces', () => {
  const routeKey = (fn: (typeof httpFunctions)[number]) => `${fn.method} ${fn.path}`;

  it.each(
    httpFunctions.filter((fn) => fn.scopes.length > 0).map((fn) => [routeKey(fn), fn] as const),
  )('%s lists the scopes its method needs', (_route, fn) => {
    expect([...fn.scopes]).toEqual(scopesFor(fn.method));
  });

  it('every GET takes the read or the write scope, every other method the write scope alone', () => {
    expect(scopesFor('GET')).toEqual(['dpa:read', 'dpa:write']);
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) expect(scopesFor(method)).toEqual(['dpa:write']);
  });

  it('a route without scopes says why it is public', () => {
    const unexplained = httpFunctions.filter((fn) => fn.scopes.length === 0 && !fn.publicBecause);

    expect(unexplained.map(routeKey)).toEqual([]);
  });
});
