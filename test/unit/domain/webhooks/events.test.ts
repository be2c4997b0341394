import { describe, expect, it } from 'vitest';
import { EMAIL_TEMPLATE_TYPES } from '../../../../functions/domain/delivery/email.ts';
import {
  matchesEvent,
  NOTIFICATION_TYPES,
  subscriptionProblems,
} from '../../../../functions/domain/webhooks/events.ts';

describe('NOTIFICATION_TYPES', () => {
  it('is every type with an e-mail template and the machine events, and nothing else', () => {
    expect(new Set(NOTIFICATION_TYPES)).toEqual(
      new Set([...EMAIL_TEMPLATE_TYPES, 'audit.sealed', 'webhook.disabled']),
    );
  });

  it('is written sorted, without repeats', () => {
    expect(NOTIFICATION_TYPES).toEqual([...new Set(NOTIFICATION_TYPES)].sort());
  });
});

describe('matchesEvent', () => {
  it('matches every type for ["*"]', () => {
    expect(matchesEvent({ events: ['*'] }, 'agreement.in-force')).toBe(true);
    expect(matchesEvent({ events: ['*'] }, 'audit.sealed')).toBe(true);
  });

  it('matches the listed types only', () => {
    const webhook = { events: ['agreement.in-force', 'breach.reported'] };

    expect(matchesEvent(webhook, 'breach.reported')).toBe(true);
    expect(matchesEvent(webhook, 'agreement.signed')).toBe(false);
  });
});

describe('subscriptionProblems', () => {
  it('accepts ["*"] and distinct known types', () => {
    expect(subscriptionProblems(['*'])).toEqual([]);
    expect(subscriptionProblems(['agreement.in-force', 'webhook.disabled'])).toEqual([]);
  });

  it('names an unknown type', () => {
    expect(subscriptionProblems(['agreement.in-force', 'agreement.exploded'])).toEqual([
      'unknown event type "agreement.exploded" (see the list of notification types)',
    ]);
  });

  it('refuses "*" beside other types, and a type listed twice', () => {
    expect(subscriptionProblems(['*', 'agreement.in-force'])).toEqual([
      '"*" subscribes to every event type and must stand alone',
    ]);
    expect(subscriptionProblems(['breach.reported', 'breach.reported'])).toEqual([
      '"breach.reported" is listed more than once',
    ]);
  });
});
