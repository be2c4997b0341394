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
});
