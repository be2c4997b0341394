import { describe, expect, it } from 'vitest';
import { eachAtMost } from '../../../functions/shared/concurrency.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('eachAtMost', () => {
  it('runs every item, never more than the limit at once, starting them in order', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const started: number[] = [];

    await eachAtMost(3, [1, 2, 3, 4, 5, 6, 7, 8], async (item) => {
      started.push(item);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      for (let i = 0; i < item % 3; i++) await tick();
      running -= 1;
    });

    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mostAtOnce).toBe(3);
  });

  it('lets the others finish when one fails, then rejects with that failure', async () => {
    const finished: number[] = [];

    const run = eachAtMost(2, [1, 2, 3, 4], async (item) => {
      await tick();
      if (item === 2) throw new Error('item 2 failed');
      finished.push(item);
    });

    await expect(run).rejects.toThrow('item 2 failed');
    expect(finished).toEqual([1, 3, 4]);
  });

  it('resolves at once for no items', async () => {
    await expect(eachAtMost(4, [], async () => {})).resolves.toBeUndefined();
  });
});
