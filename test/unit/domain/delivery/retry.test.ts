import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextAttempt } from '../../../../functions/domain/delivery/retry.ts';

const FIRST = new Date('2026-11-22T10:00:00.000Z');
const WINDOW_ENDS = new Date('2026-11-23T10:00:00.000Z');
const at = (secondsAfterFirst: number) => new Date(FIRST.getTime() + secondsAfterFirst * 1000);
const fixed = (value: number) => () => value;

/** Seconds from `failedAt` to the retry, or a failure when the answer is to give up. */
function delaySeconds(attempts: number, failedAt: Date, random: number): number {
  const next = nextAttempt(attempts, FIRST, failedAt, fixed(random));
  if (!('retryAt' in next)) throw new Error('gave up');
  return (next.retryAt.getTime() - failedAt.getTime()) / 1000;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('nextAttempt: exponential back-off with full jitter', () => {
  it('draws the first retry uniformly from the first 30 seconds after the failure', () => {
    expect(delaySeconds(1, FIRST, 0.5)).toBe(15);
    expect(delaySeconds(1, FIRST, 0.999_999)).toBeLessThan(30);
    expect(delaySeconds(1, FIRST, 0.999_999)).toBeGreaterThanOrEqual(29.99);
  });

  it('doubles the upper bound with each failed attempt', () => {
    const failedAt = at(600);
    expect(delaySeconds(2, failedAt, 0.5)).toBe(30);
    expect(delaySeconds(3, failedAt, 0.5)).toBe(60);
    expect(delaySeconds(4, failedAt, 0.5)).toBe(120);
    expect(delaySeconds(7, failedAt, 0.5)).toBe(960);
  });

  it('never waits longer than an hour, however many attempts failed', () => {
    const failedAt = at(3600);
    // 30 s * 2^7 would be 64 minutes: the ceiling is one hour.
    expect(delaySeconds(8, failedAt, 0.5)).toBe(1800);
    expect(delaySeconds(8, failedAt, 0.999_999)).toBeLessThan(3600);
    expect(delaySeconds(8, failedAt, 0.999_999)).toBeGreaterThan(3599);
    expect(delaySeconds(1_000, failedAt, 0.5)).toBe(1800);
  });

  it('waits at least one second, even when the jitter draws zero', () => {
    expect(delaySeconds(1, FIRST, 0)).toBe(1);
    expect(delaySeconds(5, at(100), 0)).toBe(1);
    // 0.00001 of 30 s is 0.3 ms: still a second.
    expect(delaySeconds(1, FIRST, 0.000_01)).toBe(1);
  });

  it('counts the window from the first attempt, not from the latest failure', () => {
    const next = nextAttempt(3, FIRST, at(20 * 3600), fixed(0.5));
    expect(next).toEqual({ retryAt: new Date(at(20 * 3600).getTime() + 60_000) });
  });

  it('makes the last retry at the end of the 24 hours when the drawn time falls after it', () => {
    const failedAt = new Date(WINDOW_ENDS.getTime() - 10_000);
    expect(nextAttempt(20, FIRST, failedAt, fixed(0.5))).toEqual({ retryAt: WINDOW_ENDS });
  });

  it('still retries a failure one millisecond before the window ends, at its end', () => {
    const failedAt = new Date(WINDOW_ENDS.getTime() - 1);
    expect(nextAttempt(40, FIRST, failedAt, fixed(0))).toEqual({ retryAt: WINDOW_ENDS });
  });

  it('gives up when an attempt fails at or after the end of the 24 hours', () => {
    expect(nextAttempt(40, FIRST, WINDOW_ENDS, fixed(0.5))).toEqual({ giveUp: true });
    expect(nextAttempt(40, FIRST, new Date(WINDOW_ENDS.getTime() + 1), fixed(0.5))).toEqual({ giveUp: true });
  });

  it('keeps a delivery that always fails retried for the whole 24 hours, the last try at their end', () => {
    let attempts = 1;
    let failedAt = FIRST;
    const tries: Date[] = [];
    for (;;) {
      const next = nextAttempt(attempts, FIRST, failedAt, fixed(0.999));
      if (!('retryAt' in next)) break;
      expect(next.retryAt.getTime()).toBeGreaterThan(failedAt.getTime());
      expect(next.retryAt.getTime() - failedAt.getTime()).toBeLessThanOrEqual(3600 * 1000);
      tries.push(next.retryAt);
      failedAt = next.retryAt;
      attempts += 1;
    }
    expect(tries.at(-1)).toEqual(WINDOW_ENDS);
    expect(failedAt).toEqual(WINDOW_ENDS);
  });

  it('draws its jitter from Math.random when no source is given', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    expect(nextAttempt(1, FIRST, FIRST)).toEqual({ retryAt: at(7.5) });
  });
});
