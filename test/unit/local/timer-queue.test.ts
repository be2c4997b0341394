import { afterEach, describe, expect, it } from 'vitest';
import { type QueueItem, TimerQueue, VirtualClock } from '../../../functions/local/virtual-clock.ts';
import { DAY_MS, removeDir, tempDir } from './engine-fixture.ts';

interface Item extends QueueItem {
  label: string;
}

let seq = 0;
const item = (due: number, label = `${due}`): Item => ({ due, seq: seq++, queueIndex: -1, label });

function drain(queue: TimerQueue<Item>): string[] {
  const out: string[] = [];
  for (let next = queue.pop(); next; next = queue.pop()) out.push(next.label);
  return out;
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('TimerQueue', () => {
  it('gives the earliest first, whatever the order of insertion', () => {
    const next = random(7);
    const queue = new TimerQueue<Item>();
    const items = Array.from({ length: 1000 }, (_, index) => item(Math.floor(next() * 500), `i${index}`));
    for (const entry of items) queue.push(entry);

    expect(queue.size).toBe(1000);
    const expected = [...items].sort((a, b) => a.due - b.due || a.seq - b.seq).map((entry) => entry.label);
    expect(drain(queue)).toEqual(expected);
    expect(queue.size).toBe(0);
  });

  it('keeps timers due at the same instant in the order they were set', () => {
    const queue = new TimerQueue<Item>();
    for (const label of ['first', 'second', 'third', 'fourth', 'fifth']) queue.push(item(100, label));
    queue.push(item(50, 'earlier'));
    queue.push(item(100, 'sixth'));

    expect(drain(queue)).toEqual(['earlier', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth']);
  });

  it('cancels any timer, first, last or in between, and ignores a second cancel', () => {
    const next = random(11);
    const queue = new TimerQueue<Item>();
    const items = Array.from({ length: 300 }, (_, index) => item(Math.floor(next() * 100), `i${index}`));
    for (const entry of items) queue.push(entry);
    const cancelled = new Set(items.filter((_, index) => index % 3 === 0));
    cancelled.add(queue.peek()!);

    for (const entry of cancelled) expect(queue.remove(entry)).toBe(true);
    for (const entry of cancelled) expect(queue.remove(entry)).toBe(false);

    const expected = items
      .filter((entry) => !cancelled.has(entry))
      .sort((a, b) => a.due - b.due || a.seq - b.seq)
      .map((entry) => entry.label);
    expect(drain(queue)).toEqual(expected);
  });

  it('does not cancel a timer that already fired, and lets it be queued again', () => {
    const queue = new TimerQueue<Item>();
    const fired = item(1, 'fired');
    queue.push(fired);
    queue.push(item(2, 'later'));
    expect(queue.pop()).toBe(fired);
    expect(queue.remove(fired)).toBe(false);
    fired.due = 3;
    queue.push(fired);
    expect(drain(queue)).toEqual(['later', 'fired']);
  });
});

describe('VirtualClock on its timer queue', () => {
  const clocks: VirtualClock[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const clock of clocks.splice(0)) {
      clock.stop();
      await clock.flushed();
    }
    for (const dir of dirs.splice(0)) await removeDir(dir);
  });

  async function openClock(): Promise<VirtualClock> {
    const dir = await tempDir();
    dirs.push(dir);
    const clock = await VirtualClock.open(dir, { start: new Date('2027-01-01T08:00:00Z') });
    clocks.push(clock);
    return clock;
  }

  it('fires timers due at the same instant in the order they were set, and never a cancelled one', async () => {
    const clock = await openClock();
    const at = new Date(clock.now().getTime() + DAY_MS);
    const fired: string[] = [];
    const handles = ['a', 'b', 'c', 'd', 'e'].map((label) => clock.at(at, () => void fired.push(label)));
    handles[1]!.cancel();
    handles[3]!.cancel();
    handles[3]!.cancel();

    await clock.advanceBy('P2D', async () => undefined);

    expect(fired).toEqual(['a', 'c', 'e']);
  });

  it('starts timers due at the same instant together, at most 64 at a time, settling after each group', async () => {
    const clock = await openClock();
    const at = new Date(clock.now().getTime() + DAY_MS);
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    for (let index = 0; index < 150; index++) {
      clock.at(at, async () => {
        started.push(index);
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      });
    }
    const settledAfter: number[] = [];

    await clock.advanceBy('P2D', async () => void settledAfter.push(started.length));

    expect(started).toEqual(Array.from({ length: 150 }, (_, index) => index));
    expect(mostAtOnce).toBe(64);
    expect(settledAfter).toEqual([0, 64, 128, 150]);
  });

  it('does not run a timer that an earlier one due at the same instant cancels', async () => {
    const clock = await openClock();
    const at = new Date(clock.now().getTime() + DAY_MS);
    const fired: string[] = [];
    clock.at(at, () => {
      fired.push('first');
      second.cancel();
    });
    const second = clock.at(at, () => void fired.push('second'));
    clock.at(at, () => void fired.push('third'));

    await clock.advanceBy('P2D', async () => undefined);

    expect(fired).toEqual(['first', 'third']);
  });

  it('runs 20,000 timers over 100 days in time order, same-instant ones in the order set, in one advance', async () => {
    const clock = await openClock();
    const start = clock.now().getTime();
    const next = random(3);
    const timers = Array.from({ length: 20_000 }, (_, index) => ({
      index,
      due: start + (1 + Math.floor(next() * 100)) * DAY_MS,
    }));
    const fired: Array<{ index: number; due: number }> = [];
    for (const timer of timers) {
      clock.at(
        new Date(timer.due),
        () => void fired.push({ index: timer.index, due: clock.now().getTime() }),
      );
    }

    await clock.advanceBy('P101D', async () => undefined);

    expect(fired).toEqual([...timers].sort((a, b) => a.due - b.due || a.index - b.index));
  }, 60_000);
});
