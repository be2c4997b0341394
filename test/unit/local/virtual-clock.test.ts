import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/local/virtual-clock.ts';
import { DAY_MS, removeDir, tempDir } from './engine-fixture.ts';

const noSettle = async () => undefined;
const opened: VirtualClock[] = [];
const dirs: string[] = [];

async function openClock(start: string, dir?: string): Promise<{ clock: VirtualClock; dir: string }> {
  const dataDir = dir ?? (await tempDir());
  if (!dir) dirs.push(dataDir);
  const clock = await VirtualClock.open(dataDir, { start: new Date(start) });
  opened.push(clock);
  return { clock, dir: dataDir };
}

/** The clock ticks with real time between advances: compare within the second a test takes. */
function expectNear(actual: Date, expected: string | number): void {
  const drift = actual.getTime() - new Date(expected).getTime();
  expect(drift).toBeGreaterThanOrEqual(0);
  expect(drift).toBeLessThan(2000);
}

afterEach(async () => {
  for (const clock of opened.splice(0)) {
    clock.stop();
    await clock.flushed();
  }
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

describe('VirtualClock', () => {
  it('has the instant of a timer on disk before the timer runs, so a kill -9 never rewinds behind its writes', async () => {
    const { clock, dir } = await openClock('2027-01-01T08:00:00Z');
    const due = new Date('2027-01-11T08:00:00Z');
    let persistedWhileRunning: string | undefined;
    clock.at(due, async () => {
      const onDisk = JSON.parse(await readFile(join(dir, 'clock.json'), 'utf8')) as { lastInstant: string };
      persistedWhileRunning = onDisk.lastInstant;
    });

    await clock.advanceBy('P30D', noSettle);

    expect(persistedWhileRunning).toBeDefined();
    expect(Date.parse(persistedWhileRunning!)).toBeGreaterThanOrEqual(due.getTime());
    const reopened = await VirtualClock.open(dir);
    opened.push(reopened);
    expect(reopened.now().getTime()).toBeGreaterThanOrEqual(due.getTime());
  });

  it('starts a fresh clock at the given instant and keeps ticking with real time', async () => {
    const { clock } = await openClock('2025-01-06T08:00:00Z');

    const first = clock.now().getTime();
    await new Promise((resolve) => setTimeout(resolve, 30));

    expectNear(clock.now(), '2025-01-06T08:00:00Z');
    expect(clock.now().getTime()).toBeGreaterThan(first);
  });

  it('persists the advanced time atomically and resumes from it when reopened', async () => {
    const { clock, dir } = await openClock('2025-01-06T08:00:00Z');
    await clock.advanceBy('P10D', noSettle);
    clock.stop();
    await clock.flushed();

    const reopened = await VirtualClock.open(dir, { start: new Date('2030-01-01T00:00:00Z') });
    opened.push(reopened);

    expectNear(reopened.now(), '2025-01-16T08:00:00Z');
    const persisted = JSON.parse(await readFile(join(dir, 'clock.json'), 'utf8')) as { offsetMs: number };
    expect(typeof persisted.offsetMs).toBe('number');
  });

  it('runs due timers in time order, each at exactly its instant, and settles after each', async () => {
    const { clock } = await openClock('2025-01-06T08:00:00Z');
    const start = clock.now().getTime();
    const fired: Array<{ label: string; at: number }> = [];
    const settled: string[] = [];
    for (const [label, days] of [
      ['third', 3],
      ['first', 1],
      ['second', 2],
    ] as const) {
      clock.at(new Date(start + days * DAY_MS), () => {
        fired.push({ label, at: clock.now().getTime() });
      });
    }
    clock.at(new Date(start + 6 * DAY_MS), () => {
      fired.push({ label: 'beyond the target', at: clock.now().getTime() });
    });

    await clock.advanceBy('P5D', async () => {
      settled.push(fired.at(-1)?.label ?? 'before any timer');
    });

    expect(fired).toEqual([
      { label: 'first', at: start + DAY_MS },
      { label: 'second', at: start + 2 * DAY_MS },
      { label: 'third', at: start + 3 * DAY_MS },
    ]);
    expect(settled).toEqual(['before any timer', 'first', 'second', 'third']);
    expectNear(clock.now(), new Date(start + 5 * DAY_MS).toISOString());
  });

  it('also runs, in order, timers that earlier timers schedule before the target', async () => {
    const { clock } = await openClock('2025-01-06T08:00:00Z');
    const start = clock.now().getTime();
    const fired: string[] = [];
    clock.at(new Date(start + DAY_MS), () => {
      fired.push('day 1');
      clock.at(new Date(clock.now().getTime() + DAY_MS), () => {
        fired.push('day 2, scheduled on day 1');
      });
    });
    clock.at(new Date(start + 2.5 * DAY_MS), () => {
      fired.push('day 2.5');
    });

    await clock.advanceBy('P3D', noSettle);

    expect(fired).toEqual(['day 1', 'day 2, scheduled on day 1', 'day 2.5']);
  });

  it('does not run a cancelled timer', async () => {
    const { clock } = await openClock('2025-01-06T08:00:00Z');
    let fired = false;
    const timer = clock.at(new Date(clock.now().getTime() + DAY_MS), () => {
      fired = true;
    });

    timer.cancel();
    await clock.advanceBy('P2D', noSettle);

    expect(fired).toBe(false);
  });

  it('fires a timer already in the past soon, without an advance', async () => {
    const { clock } = await openClock('2025-01-06T08:00:00Z');

    const fired = new Promise<Date>((resolve) => {
      clock.at(new Date(clock.now().getTime() - 1000), () => resolve(clock.now()));
    });

    expectNear(await fired, '2025-01-06T08:00:00Z');
  });

  it('refuses to move back, and refuses negative or malformed durations', async () => {
    const { clock } = await openClock('2025-01-06T08:00:00Z');

    await expect(clock.advanceTo(new Date('2025-01-05T00:00:00Z'), noSettle)).rejects.toThrow(
      /only moves forward/,
    );
    await expect(clock.advanceBy('-P1D', noSettle)).rejects.toThrow(/Negative durations/);
    await expect(clock.advanceBy('P1X', noSettle)).rejects.toThrow(/Malformed ISO 8601 duration/);
    await expect(clock.advanceBy('P', noSettle)).rejects.toThrow(/Malformed/);
    await expect(clock.advanceBy('P1DT', noSettle)).rejects.toThrow(/Malformed/);
    expectNear(clock.now(), '2025-01-06T08:00:00Z');
  });

  it('adds hours, days and time parts exactly, and months and years by the calendar', async () => {
    const { clock } = await openClock('2024-01-31T10:00:00Z');

    await clock.advanceBy('P1M', noSettle);
    expectNear(clock.now(), '2024-02-29T10:00:00Z');
    await clock.advanceBy('P1DT2H30M', noSettle);
    expectNear(clock.now(), '2024-03-01T12:30:00Z');
    await clock.advanceBy('P1Y', noSettle);
    expectNear(clock.now(), '2025-03-01T12:30:00Z');
    await clock.advanceBy('PT90S', noSettle);
    expectNear(clock.now(), '2025-03-01T12:31:30Z');
  });

  it('serialises concurrent advances', async () => {
    const { clock } = await openClock('2025-01-06T08:00:00Z');

    await Promise.all([clock.advanceBy('P1D', noSettle), clock.advanceBy('P2D', noSettle)]);

    expectNear(clock.now(), '2025-01-09T08:00:00Z');
  });

  it('runs a daily job once for each day of a 10-day advance, at 07:00 Oslo time', async () => {
    const { clock } = await openClock('2025-03-10T12:00:00Z');
    const runs: string[] = [];
    clock.daily(7, 0, 'Europe/Oslo', () => {
      runs.push(clock.now().toISOString());
    });

    await clock.advanceBy('P10D', noSettle);

    expect(runs).toEqual(
      Array.from({ length: 10 }, (_, day) => `2025-03-${String(11 + day).padStart(2, '0')}T06:00:00.000Z`),
    );
  });

  it('follows Oslo summer time for the daily job', async () => {
    const { clock } = await openClock('2025-03-28T12:00:00Z');
    const runs: string[] = [];
    clock.daily(7, 0, 'Europe/Oslo', () => {
      runs.push(clock.now().toISOString());
    });

    await clock.advanceTo(new Date('2025-04-01T12:00:00Z'), noSettle);

    expect(runs).toEqual([
      '2025-03-29T06:00:00.000Z',
      '2025-03-30T05:00:00.000Z',
      '2025-03-31T05:00:00.000Z',
      '2025-04-01T05:00:00.000Z',
    ]);
  });

  it('does not back-fill days before the clock started', async () => {
    const { clock } = await openClock('2025-03-10T12:00:00Z');
    let runs = 0;
    clock.daily(7, 0, 'Europe/Oslo', () => {
      runs++;
    });

    await clock.advanceTo(new Date('2025-03-11T05:59:00Z'), noSettle);

    expect(runs).toBe(0);
  });

  it('neither repeats nor skips a day after a restart', async () => {
    const { clock, dir } = await openClock('2025-03-10T12:00:00Z');
    const runs: string[] = [];
    const job = (on: VirtualClock) => () => {
      runs.push(on.now().toISOString());
    };
    clock.daily(7, 0, 'Europe/Oslo', job(clock));
    await clock.advanceBy('P10D', noSettle);
    clock.stop();
    await clock.flushed();
    runs.length = 0;

    const reopened = await VirtualClock.open(dir);
    opened.push(reopened);
    reopened.daily(7, 0, 'Europe/Oslo', job(reopened));
    await reopened.advanceBy('PT1H', noSettle);
    expect(runs).toEqual([]);
    await reopened.advanceBy('P1D', noSettle);

    expect(runs).toEqual(['2025-03-21T06:00:00.000Z']);
  });
});
