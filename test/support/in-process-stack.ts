import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';

/**
 * The local stack in this process, on a DynamoDB Local that someone else runs in memory (the test
 * run's shared one, or the fuzz runner's own), in a table of its own. One per process: the handlers'
 * clients are created once per process with the endpoints of the first stack.
 */
export interface InProcessStack {
  stack: LocalStack;
  url: string;
  /** The stack's data folder (its token signing key, clock and journals). */
  dataDir: string;
  tableName: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

export async function startInProcessStack(options: {
  dynamoEndpoint: string;
  tableName?: string;
  /**
   * Rule 15's e-mail delivery: on for the tests of it, off (the default here) for the others, which
   * share one DynamoDB Local and do not look at deliveries.
   */
  deliverNotifications?: boolean;
}): Promise<InProcessStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dpa-in-process-'));
  const tableName = options.tableName ?? `t-${randomUUID()}`;
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    dynamoEndpoint: options.dynamoEndpoint,
    dynamoInMemory: true,
    tableName,
    deliverNotifications: options.deliverNotifications ?? false,
  });
  return {
    stack,
    url: stack.url,
    dataDir,
    tableName,
    dynamoEndpoint: options.dynamoEndpoint,
    stop: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const OSLO_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' });

/** The calendar date in Oslo at an instant, computed here without the product's calendar code. */
export const osloDateOf = (instant: Date): string => OSLO_DATE.format(instant);

/** `date` plus `days` calendar days. */
export function plusDays(date: string, days: number): string {
  const next = new Date(`${date}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
}

/**
 * Midday in Oslo (11:00 UTC: 12:00 in winter, 13:00 in summer) on a date. Tests that compare the
 * table before and after park the clock here: the daily run (07:00 Oslo) is then hours away in
 * real time, so nothing the clock does changes the table while they look.
 */
export const osloMidday = (date: string): string => `${date}T11:00:00.000Z`;
