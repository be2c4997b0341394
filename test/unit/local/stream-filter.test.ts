import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { emailDelivery, webhookDelivery } from '../../../functions/catalogue.ts';
import { matches } from '../../../functions/local/table-stream.ts';
import { draftAgreement } from '../domain/agreement-fixture.ts';
import { notification, streamRecord } from '../tasks/delivery/delivery-fixture.ts';

describe('matches: the subset of Lambda event filtering the local poller applies', () => {
  it('matches a value in the list of allowed values, and nothing else', () => {
    expect(matches(['INSERT', 'MODIFY'], 'MODIFY')).toBe(true);
    expect(matches(['INSERT'], 'REMOVE')).toBe(false);
    expect(matches(['INSERT'], undefined)).toBe(false);
    expect(matches([], 'INSERT')).toBe(false);
  });

  it('tells numbers from strings, as Lambda does', () => {
    expect(matches([1], 1)).toBe(true);
    expect(matches([1], '1')).toBe(false);
    expect(matches(['1'], 1)).toBe(false);
  });

  it('matches an object field by field, ignoring fields the pattern does not name', () => {
    const pattern = { a: ['x'], b: { c: ['y'] } };
    expect(matches(pattern, { a: 'x', b: { c: 'y', d: 'other' }, e: 1 })).toBe(true);
    expect(matches(pattern, { a: 'x', b: { c: 'z' } })).toBe(false);
    expect(matches(pattern, { a: 'x' })).toBe(false);
    expect(matches(pattern, { a: 'x', b: 'y' })).toBe(false);
    expect(matches(pattern, undefined)).toBe(false);
  });

  it.each([
    ['a prefix rule', { a: [{ prefix: 'x' }] }],
    ['an exists rule', { a: [{ exists: true }] }],
    ['a bare value', { a: 'x' }],
    ['null in a list', { a: [null] }],
  ])('refuses %s rather than guess at it', (_rule, pattern) => {
    expect(() => matches(pattern, { a: 'x' })).toThrow(/Unsupported filter/);
  });
});

describe("the catalogue's notification-delivery filter", () => {
  const filter = emailDelivery.filter;

  it('is the filter of the webhook delivery too: both see every notification written', () => {
    expect(webhookDelivery.filter).toEqual(filter);
  });

  it('lets an INSERT of a notification item through', () => {
    expect(matches(filter, streamRecord(notification(), '100', 'INSERT'))).toBe(true);
  });

  it('lets an INSERT of an audit.sealed notification through too (the function decides on e-mail)', () => {
    const sealed = notification({ id: 'audit.sealed:x', type: 'audit.sealed' });
    expect(matches(filter, streamRecord(sealed, '100', 'INSERT'))).toBe(true);
  });

  it("keeps out a MODIFY of a notification (the deliverer's own writes) and its REMOVE", () => {
    expect(matches(filter, streamRecord(notification(), '100', 'MODIFY'))).toBe(false);
    expect(matches(filter, streamRecord(notification(), '100', 'REMOVE'))).toBe(false);
  });

  it('keeps out an INSERT of any other entity', () => {
    const agreement = draftAgreement();
    const record = {
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: '101',
        NewImage: marshall({
          pk: `AGREEMENT#${agreement.id}`,
          sk: 'AGREEMENT',
          entity: 'agreement',
          ...agreement,
        }),
      },
    };
    expect(matches(filter, record)).toBe(false);
    const marker = {
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: '102',
        NewImage: marshall({ pk: 'NOTIFICATION#n#1', sk: 'MARKER', entity: 'marker' }),
      },
    };
    expect(matches(filter, marker)).toBe(false);
  });

  it('keeps out a record without a new image', () => {
    expect(matches(filter, { eventName: 'INSERT', dynamodb: { SequenceNumber: '103' } })).toBe(false);
  });
});
