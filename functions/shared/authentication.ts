import { DomainError } from '../domain/errors.ts';
import { InvalidToken, KeySetUnavailable, verifyBearerToken } from './bearer-token.ts';
import { type Caller, callerFromClaims } from './caller.ts';
import { clientSettings, type Scope } from './deployment-settings.ts';
import { HttpProblem } from './problem.ts';

/**
 * Who calls a protected route, from the request's bearer token, checked by the function itself (no
 * gateway authorizer: Maskinporten publishes its keys where API Gateway's JWT authorizer does not look,
 * and its refusals would not be problem+json). The same code runs on AWS and in the local stack.
 *
 * - no bearer token: 401, `WWW-Authenticate: Bearer` (RFC 6750 §3);
 * - a token that cannot be trusted, or names no valid organisation: 401, `error="invalid_token"`;
 * - a token without the scope the method needs: 403, `error="insufficient_scope"`;
 * - the issuer's key set out of reach: 503 with `Retry-After`, so clients retry rather than give up.
 */
export async function authenticate(
  headers: Record<string, string | undefined>,
  method: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Caller> {
  const token = /^Bearer +([^\s]+) *$/i.exec(headers.authorization ?? '')?.[1];
  if (!token) {
    throw new HttpProblem(
      401,
      'unauthorized',
      'Unauthorized',
      'A bearer token is required (Authorization: Bearer <jwt>)',
      { 'www-authenticate': 'Bearer' },
    );
  }
  const caller = await verifiedCaller(token, env);
  const names = clientSettings(env).scopeNames;
  const accepted = scopesFor(method).map((scope) => names[scope]);
  if (!accepted.some((scope) => caller.scopes.includes(scope))) {
    throw new HttpProblem(
      403,
      'insufficient-scope',
      'Forbidden',
      accepted.length > 1
        ? `The token needs one of the scopes: ${accepted.join(', ')}`
        : `The token needs the scope ${accepted[0]}`,
      { 'www-authenticate': `Bearer error="insufficient_scope", scope="${accepted[0]}"` },
    );
  }
  return caller;
}

/** The scopes of which a token must carry one: reading takes either, anything else the write scope. */
export function scopesFor(method: string): Scope[] {
  return method.toUpperCase() === 'GET' ? ['dpa:read', 'dpa:write'] : ['dpa:write'];
}

async function verifiedCaller(token: string, env: NodeJS.ProcessEnv): Promise<Caller> {
  try {
    const claims = await verifyBearerToken(token, {
      issuer: required(env, 'JWT_ISSUER'),
      audience: required(env, 'JWT_AUDIENCE'),
      jwksUri: required(env, 'JWKS_URI'),
    });
    return callerFromClaims(claims);
  } catch (error) {
    if (error instanceof InvalidToken) throw invalidToken(error.description);
    if (error instanceof DomainError && error.kind === 'unauthorized') throw invalidToken(error.message);
    if (error instanceof KeySetUnavailable) {
      throw new HttpProblem(
        503,
        'service-unavailable',
        'Service unavailable',
        'The token cannot be verified now: the issuer key set is out of reach. Retry later.',
        { 'retry-after': String(error.retryAfterSeconds) },
      );
    }
    throw error;
  }
}

function invalidToken(description: string): HttpProblem {
  return new HttpProblem(401, 'unauthorized', 'Unauthorized', `The token was refused: ${description}`, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, "'")}"`,
  });
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: the function cannot verify tokens`);
  return value;
}
