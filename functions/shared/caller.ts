import { DomainError } from '../domain/errors.ts';
import { isValidOrgNumber } from '../domain/org-number.ts';
import type { Actor } from '../domain/schemas.ts';

/** The verified caller, read from JWT claims the authorizer (API Gateway, or the local server) checked. */
export interface Caller extends Actor {
  scopes: string[];
}

type Claims = Record<string, unknown>;

/**
 * Maskinporten puts the acting organisation in `consumer.ID` as `0192:<orgnr>`. API Gateway hands
 * nested claims to Lambda flattened into a string, so the organisation is read by pattern.
 */
export function callerFromClaims(claims: Claims | undefined): Caller {
  if (!claims) throw new DomainError('unauthorized', 'A bearer token is required');
  const consumer =
    typeof claims.consumer === 'string' ? claims.consumer : JSON.stringify(claims.consumer ?? '');
  const orgNumber = /0192:(\d{9})(?!\d)/.exec(consumer)?.[1];
  if (!orgNumber || !isValidOrgNumber(orgNumber)) {
    throw new DomainError('unauthorized', 'The token does not name a valid organisation in consumer.ID');
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  // The person's name, never the national identity number (pid): the other party reads the audit log.
  const person = typeof claims.name === 'string' ? claims.name : undefined;
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : 'unknown';
  return { orgNumber, clientId, scopes, ...(person ? { person } : {}) };
}

export function actorOf(caller: Caller): Actor {
  return {
    orgNumber: caller.orgNumber,
    clientId: caller.clientId,
    ...(caller.person ? { person: caller.person } : {}),
  };
}
