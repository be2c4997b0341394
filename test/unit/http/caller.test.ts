import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../functions/domain/errors.ts';
import { actorOf, callerFromClaims } from '../../../functions/shared/caller.ts';
import { CONTROLLER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { claimsFor, consumerClaim } from './events.ts';

function unauthorized(claims: Record<string, unknown> | undefined): DomainError {
  try {
    callerFromClaims(claims);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected the claims to be refused');
}

describe('callerFromClaims', () => {
  it.each([
    'flattened',
    'json',
    'object',
  ] as const)('reads the organisation from a %s consumer claim', (style) => {
    const caller = callerFromClaims(claimsFor(PROCESSOR_ORG, style));
    expect(caller).toEqual({
      orgNumber: PROCESSOR_ORG,
      clientId: 'test-client',
      scopes: ['dpa:read', 'dpa:write'],
    });
  });

  it('records the person by name when the token names one', () => {
    const caller = callerFromClaims({ ...claimsFor(CONTROLLER_ORG), name: 'Kari Testesen' });
    expect(actorOf(caller)).toEqual({
      orgNumber: CONTROLLER_ORG,
      clientId: 'test-client',
      person: 'Kari Testesen',
    });
  });

  it('never records the national identity number (pid), which the other party would read', () => {
    const caller = callerFromClaims({
      ...claimsFor(CONTROLLER_ORG),
      pid: '01010112345',
      name: 'Kari Testesen',
    });
    expect(JSON.stringify(actorOf(caller))).not.toContain('01010112345');
    expect(actorOf(callerFromClaims({ ...claimsFor(CONTROLLER_ORG), pid: '01010112345' }))).toEqual({
      orgNumber: CONTROLLER_ORG,
      clientId: 'test-client',
    });
  });

  it('refuses missing claims as unauthorized', () => {
    expect(unauthorized(undefined).kind).toBe('unauthorized');
  });

  it('refuses claims without a consumer', () => {
    expect(unauthorized({ scope: 'dpa:read', client_id: 'c' }).kind).toBe('unauthorized');
  });

  it('refuses a consumer.ID whose organisation number fails the check digit', () => {
    expect(unauthorized({ consumer: consumerClaim('954748635') }).kind).toBe('unauthorized');
  });

  it('refuses an identifier from another scheme than 0192', () => {
    expect(unauthorized({ consumer: '{"ID":"0088:954748634"}' }).kind).toBe('unauthorized');
  });

  it('refuses a consumer.ID with ten digits instead of reading the first nine', () => {
    // 9547486341 is not an organisation number, although it starts with the valid 954748634.
    expect(unauthorized({ consumer: consumerClaim('9547486341') }).kind).toBe('unauthorized');
  });

  const VENDOR = '910000004';
  const SYSTEM_USER_ID = 'f9a1c0de-5d1e-4c43-9b8e-2f0b6d1f7a11';

  /** Altinn's `authorization_details` of a system user as each carrier shows it; `idKey` as spelled. */
  function systemUserClaim(orgNumber: string, style: 'flattened' | 'json' | 'object', idKey = 'ID'): unknown {
    const claim = [
      {
        type: 'urn:altinn:systemuser',
        systemuser_org: { authority: 'iso6523-actorid-upis', [idKey]: `0192:${orgNumber}` },
        systemuser_id: [SYSTEM_USER_ID],
        system_id: 'vendor_system',
      },
    ];
    if (style === 'object') return claim;
    if (style === 'json') return JSON.stringify(claim);
    return `[map[system_id:vendor_system systemuser_id:[${SYSTEM_USER_ID}] systemuser_org:map[${idKey}:0192:${orgNumber} authority:iso6523-actorid-upis] type:urn:altinn:systemuser]]`;
  }

  it.each([
    'flattened',
    'json',
    'object',
  ] as const)('records the vendor of a token delegated through Altinn (%s supplier) as via', (style) => {
    const caller = callerFromClaims({
      ...claimsFor(CONTROLLER_ORG, style),
      supplier: consumerClaim(VENDOR, style),
    });
    expect(caller.orgNumber).toBe(CONTROLLER_ORG);
    expect(actorOf(caller)).toEqual({
      orgNumber: CONTROLLER_ORG,
      clientId: 'test-client',
      via: { orgNumber: VENDOR },
    });
  });

  it('records no via when the supplier is the consumer itself', () => {
    const caller = callerFromClaims({
      ...claimsFor(CONTROLLER_ORG),
      supplier: consumerClaim(CONTROLLER_ORG),
    });
    expect(actorOf(caller)).toEqual({ orgNumber: CONTROLLER_ORG, clientId: 'test-client' });
  });

  it('refuses a supplier whose organisation number is not valid, rather than ignoring it', () => {
    const error = unauthorized({ ...claimsFor(CONTROLLER_ORG), supplier: consumerClaim('954748635') });
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toBe('The token does not name a valid organisation in supplier.ID');
  });

  it.each([
    ['flattened', 'ID'],
    ['json', 'ID'],
    ['object', 'ID'],
    ['flattened', 'id'],
    ['json', 'id'],
    ['object', 'id'],
  ] as const)('acts for the system user’s organisation (%s, %s), the vendor as via', (style, idKey) => {
    const caller = callerFromClaims({
      ...claimsFor(VENDOR, style),
      authorization_details: systemUserClaim(PROCESSOR_ORG, style, idKey),
    });
    expect(caller.orgNumber).toBe(PROCESSOR_ORG);
    expect(caller.scopes).toEqual(['dpa:read', 'dpa:write']);
    expect(actorOf(caller)).toEqual({
      orgNumber: PROCESSOR_ORG,
      clientId: 'test-client',
      via: { orgNumber: VENDOR, systemUserId: SYSTEM_USER_ID },
    });
  });

  it('refuses a system user whose organisation is missing or fails the check digit', () => {
    for (const claim of [
      systemUserClaim('954748635', 'object'),
      [{ type: 'urn:altinn:systemuser', systemuser_id: [SYSTEM_USER_ID] }],
    ]) {
      const error = unauthorized({ ...claimsFor(VENDOR), authorization_details: claim });
      expect(error.message).toBe(
        "The token's system user does not name a valid organisation in authorization_details systemuser_org.ID",
      );
    }
  });

  it('does not take the organisation of another kind of authorization_details for a system user', () => {
    const caller = callerFromClaims({
      ...claimsFor(VENDOR),
      authorization_details: [
        { type: 'urn:altinn:resource', resource: 'some', org: `0192:${PROCESSOR_ORG}` },
      ],
    });
    expect(actorOf(caller)).toEqual({ orgNumber: VENDOR, clientId: 'test-client' });
  });
});
