import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  type Delivery,
  deliveriesList,
} from '../../../../functions/domain/delivery/deliveries.ts';

const FIRST = new Date('2026-11-22T10:00:00.000Z');
const LATER = new Date('2026-11-22T10:05:00.000Z');
const RETRY_AT = new Date('2026-11-22T10:06:00.000Z');

describe('afterAttempt', () => {
  it('records a first attempt that delivered: one attempt, counted from now, nothing pending', () => {
    expect(afterAttempt('email', undefined, FIRST, { delivered: true })).toEqual({
      channel: 'email',
      status: 'DELIVERED',
      at: FIRST.toISOString(),
      attempts: 1,
      firstAttemptAt: FIRST.toISOString(),
    });
  });

  it('records a failed attempt to be retried with the time of the next one and why', () => {
    expect(
      afterAttempt('email', undefined, FIRST, {
        delivered: false,
        reason: 'SES throttled',
        retryAt: RETRY_AT,
      }),
    ).toEqual({
      channel: 'email',
      status: 'RETRYING',
      at: FIRST.toISOString(),
      attempts: 1,
      firstAttemptAt: FIRST.toISOString(),
      nextAttemptAt: RETRY_AT.toISOString(),
      reason: 'SES throttled',
    });
  });

  it('counts a further attempt on top of the earlier ones and keeps the time of the first', () => {
    const previous = { attempts: 3, firstAttemptAt: FIRST.toISOString() };
    expect(
      afterAttempt('webhook:w1', previous, LATER, {
        delivered: false,
        reason: 'HTTP 503',
        retryAt: RETRY_AT,
      }),
    ).toMatchObject({ attempts: 4, firstAttemptAt: FIRST.toISOString(), at: LATER.toISOString() });
  });

  it('marks a failed attempt with no retry left as FAILED, with nothing pending', () => {
    const previous = { attempts: 30, firstAttemptAt: FIRST.toISOString() };
    expect(afterAttempt('email', previous, LATER, { delivered: false, reason: 'SES unavailable' })).toEqual({
      channel: 'email',
      status: 'FAILED',
      at: LATER.toISOString(),
      attempts: 31,
      firstAttemptAt: FIRST.toISOString(),
      reason: 'SES unavailable',
    });
  });

  it('clears the failure reason and the next attempt once a retry delivers', () => {
    const previous = { attempts: 2, firstAttemptAt: FIRST.toISOString() };
    expect(afterAttempt('email', previous, LATER, { delivered: true })).toEqual({
      channel: 'email',
      status: 'DELIVERED',
      at: LATER.toISOString(),
      attempts: 3,
      firstAttemptAt: FIRST.toISOString(),
    });
  });
});

describe('deliveriesList', () => {
  const delivery = (channel: string): Delivery => ({
    channel,
    status: 'DELIVERED',
    at: FIRST.toISOString(),
    attempts: 1,
  });

  it('lists no deliveries for a notification that has none yet', () => {
    expect(deliveriesList(undefined)).toEqual([]);
    expect(deliveriesList({})).toEqual([]);
  });

  it('lists the stored deliveries by channel name, whatever order they were stored in', () => {
    const listed = deliveriesList({
      'webhook:b': delivery('webhook:b'),
      email: delivery('email'),
      'webhook:a': delivery('webhook:a'),
    });
    expect(listed).toEqual([delivery('email'), delivery('webhook:a'), delivery('webhook:b')]);
  });
});
