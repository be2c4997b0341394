import { DomainError } from '../domain/errors.ts';
import { isValidOrgNumber } from '../domain/org-number.ts';
import type { Actor } from '../domain/schemas.ts';

/** The verified caller, read from the claims of the token the function verified (authentication.ts). */
export interface Caller extends Actor {
  scopes: string[];
}

type Claims = Record<string, unknown>;

/**
 * Text of a claim: the verified token's claims arrive as JSON; API Gateway's JWT authorizer, used
 * before, handed objects over flattened (`map[ID:0192:… …]`), and both forms are still read.
 */
const claimText = (claim: unknown): string =>
  typeof claim === 'string' ? claim : claim === undefined ? '' : JSON.stringify(claim);

/** The organisation number in an `iso6523-actorid-upis` claim (`0192:<orgnr>`), if one is valid. */
function orgNumberIn(claim: unknown): string | undefined {
  const orgNumber = /0192:(\d{9})(?!\d)/.exec(claimText(claim))?.[1];
  return orgNumber && isValidOrgNumber(orgNumber) ? orgNumber : undefined;
}

export const SYSTEM_USER_TYPE = 'urn:altinn:systemuser';

/**
 * An Altinn system user in `authorization_details`: the organisation it acts for (`systemuser_org.ID`,
 * spelled `id` in Altinn's examples of issued tokens) and its id (`systemuser_id[0]`). Read from the
 * JSON or the flattened form alike; undefined when the token has no system user.
 */
function systemUserIn(claim: unknown): { orgText: string; id?: string } | undefined {
  const text = claimText(claim);
  if (!text.includes(SYSTEM_USER_TYPE)) return undefined;
  const org = /systemuser_org"?\s*:\s*(?:map\[|\{)([^\]}]*)/.exec(text)?.[1] ?? '';
  const orgText = /\b"?(?:ID|id)"?\s*:\s*"?(0192:\d+)/.exec(org)?.[1] ?? '';
  const id = /systemuser_id"?\s*:\s*\[\s*"?([0-9A-Za-z-]{1,100})/.exec(text)?.[1];
  return { orgText, ...(id ? { id } : {}) };
}

/**
 * The acting organisation, and who acts for it when it is not the token's client itself:
 * - Maskinporten: `consumer.ID` is `0192:<orgnr>`, the organisation the token acts for; when it was
 *   delegated through Altinn, `supplier` names the vendor acting on its behalf (recorded as `via`).
 * - An Altinn system user: `authorization_details` holds an entry of type `urn:altinn:systemuser`;
 *   the acting organisation is its `systemuser_org`, and `consumer` is the vendor (recorded as `via`,
 *   with the system user's id).
 * Organisations are read by pattern, from JSON claims and from the flattened string form a gateway
 * authorizer hands over alike.
 */
export function callerFromClaims(claims: Claims | undefined): Caller {
  if (!claims) throw new DomainError('unauthorized', 'A bearer token is required');
  const consumer = orgNumberIn(claims.consumer);
  if (!consumer) {
    throw new DomainError('unauthorized', 'The token does not name a valid organisation in consumer.ID');
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  // The person's name, never the national identity number (pid): the other party reads the audit log.
  const person = typeof claims.name === 'string' ? claims.name : undefined;
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : 'unknown';
  const acting = actingFor(claims, consumer);
  return { ...acting, clientId, scopes, ...(person ? { person } : {}) };
}

function actingFor(claims: Claims, consumer: string): Pick<Actor, 'orgNumber' | 'via'> {
  const systemUser = systemUserIn(claims.authorization_details);
  if (systemUser) {
    const orgNumber = orgNumberIn(systemUser.orgText);
    if (!orgNumber) {
      throw new DomainError(
        'unauthorized',
        "The token's system user does not name a valid organisation in authorization_details systemuser_org.ID",
      );
    }
    return {
      orgNumber,
      via: { orgNumber: consumer, ...(systemUser.id ? { systemUserId: systemUser.id } : {}) },
    };
  }
  if (claims.supplier === undefined) return { orgNumber: consumer };
  const supplier = orgNumberIn(claims.supplier);
  if (!supplier) {
    throw new DomainError('unauthorized', 'The token does not name a valid organisation in supplier.ID');
  }
  return supplier === consumer
    ? { orgNumber: consumer }
    : { orgNumber: consumer, via: { orgNumber: supplier } };
}

export function actorOf(caller: Caller): Actor {
  return {
    orgNumber: caller.orgNumber,
    clientId: caller.clientId,
    ...(caller.person ? { person: caller.person } : {}),
    ...(caller.via ? { via: caller.via } : {}),
  };
}
