import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../functions/domain/errors.ts';
import { retryOnStaleRead, StaleRead } from '../../../functions/store/items.ts';

describe('retryOnStaleRead', () => {
  it('reads and decides again while the write finds what it read has changed', async () => {
    let attempts = 0;

    const result = await retryOnStaleRead(async () => {
      attempts += 1;
      if (attempts < 3) throw new StaleRead('the token changed');
      return 'written';
    });

    expect(result).toBe('written');
    expect(attempts).toBe(3);
  });

  it('answers a conflict (409) to retry, not a server error, when every attempt found a change', async () => {
    let attempts = 0;

    const run = retryOnStaleRead(
      async () => {
        attempts += 1;
        throw new StaleRead('the token changed');
      },
      { attempts: 3 },
    );

    await expect(run).rejects.toBeInstanceOf(DomainError);
    await expect(run).rejects.toMatchObject({ kind: 'conflict' });
    expect(attempts).toBe(3);
  });

  it('lets any other error through at once', async () => {
    let attempts = 0;

    const run = retryOnStaleRead(async () => {
      attempts += 1;
      throw new Error('DynamoDB is down');
    });

    await expect(run).rejects.toThrow('DynamoDB is down');
    expect(attempts).toBe(1);
  });
});
