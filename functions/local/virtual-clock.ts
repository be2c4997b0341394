import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local stack's clock. Time is a port (functions/shared/clock.ts): on AWS it is real time, here it
 * is this clock, so a 92-day Wait or a 30-day signature deadline is crossed in seconds.
 *
 * Model: `now()` is real time plus a persisted offset. Between advances the clock keeps ticking with
 * real time, because handlers stamp records with it and a user clicking through the stack expects
 * time to move; an advance only ever adds to the offset, so the clock never goes back. While an
 * advance runs, the clock is frozen on the instant of the timer being run, so everything that timer
 * causes is stamped with exactly that instant.
 *
 * Timers never use `setTimeout` with their real delay: Node clamps delays above 2^31-1 ms (24.8 days)
 * to 1 ms, which is how a 92-day Wait fires at once. A due timer is found by an unref'd 1 s poll
 * (real-time ticking) or by `advanceTo`, which runs every due timer in time order. Timers wait in a
 * binary heap ordered by instant, then by when they were set (`TimerQueue`): finding, adding and
 * cancelling one costs O(log n) however many wait.
 */

export interface TimerHandle {
  cancel(): void;
}

export type ClockCallback = () => Promise<void> | void;

export type Settle = () => Promise<void>;

export interface VirtualClockOptions {
  /** Instant a fresh clock starts at (default: real now). Ignored when `clock.json` exists. */
  start?: Date;
  /** Real-time poll for timers reached by ticking (default 1000 ms). */
  pollIntervalMs?: number;
}

interface PersistedClock {
  offsetMs: number;
  /** The latest instant the clock has shown, so a real clock set back never moves it back. */
  lastInstant: string;
  /** Per daily job, the Europe/Oslo-style local date (YYYY-MM-DD) of its last run. */
  daily: Record<string, string>;
}

interface TimerEntry extends QueueItem {
  kind: 'timer';
  callback: ClockCallback;
  /** Cancelled after it was taken from the queue with others due at the same instant: not run. */
  cancelled: boolean;
}

interface DailyEntry extends QueueItem {
  kind: 'daily';
  key: string;
  hour: number;
  minute: number;
  timeZone: string;
  lastRunDate: string;
  callback: ClockCallback;
  /** Cancelled while running: not queued again. */
  cancelled: boolean;
}

type Entry = TimerEntry | DailyEntry;

const CLOCK_FILE = 'clock.json';
/**
 * Timers due at the same instant run this many at a time, then the clock settles: thousands of
 * workflows waiting for the same midnight move on together, as on AWS, instead of one at a time, and a
 * chunk is small enough that no task waits long enough in real time to hit its TimeoutSeconds.
 */
const SAME_INSTANT_BATCH = 64;

/** An element of a `TimerQueue`: due at `due` (ms), ties broken by `seq` (lower first). */
export interface QueueItem {
  due: number;
  seq: number;
  /** Position in the heap, maintained by the queue; -1 when not queued. */
  queueIndex: number;
}

/**
 * A binary min-heap of timers by (`due`, `seq`): the earliest first, and among timers due at the same
 * instant the one with the lower `seq` (set earlier) first. Each item knows its position, so removing
 * one (a cancelled timer) is O(log n) too. An item may be in one queue at a time.
 */
export class TimerQueue<T extends QueueItem> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.heap[0];
  }

  push(item: T): void {
    if (item.queueIndex >= 0) throw new Error('The item is already queued');
    item.queueIndex = this.heap.length;
    this.heap.push(item);
    this.up(item.queueIndex);
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const first = this.heap[0];
    if (first) this.remove(first);
    return first;
  }

  /** Takes `item` out of the queue; false when it was not in it (already fired or cancelled). */
  remove(item: T): boolean {
    const index = item.queueIndex;
    if (index < 0 || this.heap[index] !== item) return false;
    const last = this.heap.pop()!;
    item.queueIndex = -1;
    if (last !== item) {
      this.heap[index] = last;
      last.queueIndex = index;
      this.down(index);
      this.up(last.queueIndex);
    }
    return true;
  }

  private before(a: T, b: T): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private up(index: number): void {
    const heap = this.heap;
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.before(heap[child]!, heap[parent]!)) break;
      this.swap(child, parent);
      child = parent;
    }
  }

  private down(index: number): void {
    const heap = this.heap;
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === parent) return;
      this.swap(parent, smallest);
      parent = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const itemA = heap[a]!;
    const itemB = heap[b]!;
    heap[a] = itemB;
    heap[b] = itemA;
    itemA.queueIndex = b;
    itemB.queueIndex = a;
  }
}

export class VirtualClock {
  private offsetMs: number;
  private frozenAt: number | undefined;
  private readonly queue = new TimerQueue<Entry>();
  private readonly dailyState: Record<string, string>;
  private seq = 0;
  private work: Promise<unknown> = Promise.resolve();
  private tickQueued = false;
  private writes: Promise<void> = Promise.resolve();
  /** The latest `lastInstant` known to be on disk. */
  private persistedInstant = Number.NEGATIVE_INFINITY;
  private readonly poll: NodeJS.Timeout;
  private stopped = false;

  private constructor(
    private readonly file: string,
    persisted: PersistedClock,
    pollIntervalMs: number,
  ) {
    this.offsetMs = persisted.offsetMs;
    this.dailyState = { ...persisted.daily };
    const lastInstant = Date.parse(persisted.lastInstant);
    if (Date.now() + this.offsetMs < lastInstant) this.offsetMs = lastInstant - Date.now();
    this.persistedInstant = lastInstant;
    this.poll = setInterval(() => this.scheduleTick(), pollIntervalMs);
    this.poll.unref();
  }

  /** Opens the clock persisted in `<dataDir>/clock.json`, or starts a fresh one there. */
  static async open(dataDir: string, options: VirtualClockOptions = {}): Promise<VirtualClock> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, CLOCK_FILE);
    let persisted = await readClockFile(file);
    const fresh = persisted === undefined;
    if (!persisted) {
      const start = options.start?.getTime() ?? Date.now();
      persisted = { offsetMs: start - Date.now(), lastInstant: new Date(start).toISOString(), daily: {} };
    }
    const clock = new VirtualClock(file, persisted, options.pollIntervalMs ?? 1000);
    if (fresh) await clock.persist();
    return clock;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /**
   * Runs `callback` once the clock passes `instant`: during an advance at exactly that instant, in
   * time order with every other timer; when reached by real-time ticking (or already past), soon after.
   */
  at(instant: Date, callback: ClockCallback): TimerHandle {
    const due = instant.getTime();
    if (Number.isNaN(due)) throw new Error('VirtualClock.at needs a valid instant');
    const entry: TimerEntry = {
      kind: 'timer',
      due,
      seq: this.seq++,
      queueIndex: -1,
      callback,
      cancelled: false,
    };
    this.queue.push(entry);
    if (due <= this.nowMs() && this.frozenAt === undefined) this.scheduleTick();
    return {
      cancel: () => {
        entry.cancelled = true;
        this.queue.remove(entry);
      },
    };
  }

  /**
   * Runs `callback` once for every day the clock passes `hour:minute` wall-clock time in `timeZone`.
   * The date of the last run is persisted, so a restart after an advance or a run has settled neither
   * repeats nor skips a day (a kill while one runs repeats it: jobs are idempotent); a job seen for
   * the first time starts with the next occurrence after now (no back-fill before the clock's start).
   */
  daily(hour: number, minute: number, timeZone: string, callback: ClockCallback): TimerHandle {
    if (
      !Number.isInteger(hour) ||
      hour < 0 ||
      hour > 23 ||
      !Number.isInteger(minute) ||
      minute < 0 ||
      minute > 59
    ) {
      throw new Error(`Invalid daily time ${hour}:${minute}`);
    }
    new Intl.DateTimeFormat('en-GB', { timeZone }); // throws RangeError on an unknown zone
    const key = `${pad(hour)}:${pad(minute)} ${timeZone}`;
    let lastRunDate = this.dailyState[key];
    if (!lastRunDate) {
      const now = this.nowMs();
      const today = localDate(now, timeZone);
      lastRunDate = zonedInstant(today, hour, minute, timeZone) < now ? today : addDays(today, -1);
      this.dailyState[key] = lastRunDate;
      this.persist().catch(() => undefined); // logged by persist; the next write retries
    }
    const entry: DailyEntry = {
      kind: 'daily',
      key,
      hour,
      minute,
      timeZone,
      lastRunDate,
      callback,
      seq: this.seq++,
      queueIndex: -1,
      cancelled: false,
      due: zonedInstant(addDays(lastRunDate, 1), hour, minute, timeZone),
    };
    this.queue.push(entry);
    if (entry.due <= this.nowMs() && this.frozenAt === undefined) this.scheduleTick();
    return {
      cancel: () => {
        entry.cancelled = true;
        this.queue.remove(entry);
      },
    };
  }

  /**
   * Moves the clock forward to `target`, running in time order every timer and daily job falling due
   * on the way: the clock is set to exactly each one's instant, it runs, then `settle()` is awaited (all
   * resulting work done; new timers it schedules before `target` run in turn). Advances are serialised.
   * Callbacks must not advance the clock themselves (that would wait on itself).
   */
  advanceTo(target: Date, settle: Settle): Promise<void> {
    const targetMs = target.getTime();
    if (Number.isNaN(targetMs)) return Promise.reject(new Error('advanceTo needs a valid date'));
    return this.serialised(async () => {
      if (targetMs < this.nowMs()) {
        throw new Error(
          `The clock only moves forward: ${target.toISOString()} is before now (${this.now().toISOString()})`,
        );
      }
      await this.runUntil(() => targetMs, settle);
    });
  }

  /** Moves the clock forward by an ISO 8601 duration (P30D, PT1H, P1DT2H, P3M, P1Y; months and years by the UTC calendar). */
  advanceBy(isoDuration: string, settle: Settle): Promise<void> {
    let duration: IsoDuration;
    try {
      duration = parseIsoDuration(isoDuration);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.serialised(() => this.runUntil((from) => addIsoDuration(from, duration), settle));
  }

  /** Stops the real-time poll; pending timers stay registered but only fire through `advanceTo`. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
  }

  /** Resolves when every write of `clock.json` started so far is on disk. */
  async flushed(): Promise<void> {
    await this.writes;
  }

  private nowMs(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  private async runUntil(targetOf: (fromMs: number) => number, settle: Settle): Promise<void> {
    // Work already under way registers its timers before the clock moves.
    await settle();
    const from = this.nowMs();
    const targetMs = Math.max(targetOf(from), from);
    this.frozenAt = from;
    try {
      for (let next = this.nextDue(targetMs); next; next = this.nextDue(targetMs)) {
        this.frozenAt = Math.max(this.frozenAt, next.due);
        // On disk before anything happens at this instant: after a kill -9 the clock resumes here or
        // later, never behind data the timer wrote. Once per instant: timers due together share it.
        if (this.frozenAt > this.persistedInstant) await this.persist();
        // The date the daily job ran goes to disk with the next instant (or the end of the advance).
        if (next.kind === 'daily') await this.fire(next, { persist: false });
        else await this.fireTogether(this.takeDue(next));
        await settle();
      }
      this.frozenAt = Math.max(this.frozenAt, targetMs);
    } finally {
      this.offsetMs = (this.frozenAt ?? from) - Date.now();
      this.frozenAt = undefined;
      await this.persist();
    }
  }

  private nextDue(limitMs: number): Entry | undefined {
    const first = this.queue.peek();
    return first && first.due <= limitMs ? first : undefined;
  }

  /**
   * `first` and the timers queued behind it for the same instant (not a daily job), up to
   * SAME_INSTANT_BATCH, in the order they were set, taken out of the queue.
   */
  private takeDue(first: TimerEntry): TimerEntry[] {
    const batch: TimerEntry[] = [];
    for (let next = this.queue.peek(); next; next = this.queue.peek()) {
      if (next.kind !== 'timer' || next.due !== first.due || batch.length >= SAME_INSTANT_BATCH) break;
      this.queue.remove(next);
      batch.push(next);
    }
    return batch;
  }

  /**
   * Starts each timer's callback in the order they were set, then waits for all. One that an earlier
   * one cancels (synchronously, as ending an execution cancels its timers) does not run.
   */
  private async fireTogether(batch: TimerEntry[]): Promise<void> {
    const running: Promise<void>[] = [];
    for (const entry of batch) if (!entry.cancelled) running.push(runSafely(entry.callback, 'timer'));
    await Promise.all(running);
  }

  /**
   * Runs a due timer or daily job. The date a daily job ran is persisted after it (`persist: false`
   * leaves that to the caller's next write): a kill before that runs the job again for that day
   * after the restart, as a kill while it runs does; the daily jobs are idempotent.
   */
  private async fire(entry: Entry, options: { persist: boolean } = { persist: true }): Promise<void> {
    this.queue.remove(entry);
    if (entry.kind === 'timer') {
      await runSafely(entry.callback, 'timer');
      return;
    }
    const runDate = addDays(entry.lastRunDate, 1);
    await runSafely(entry.callback, `daily job ${entry.key}`);
    entry.lastRunDate = runDate;
    entry.due = zonedInstant(addDays(runDate, 1), entry.hour, entry.minute, entry.timeZone);
    if (!entry.cancelled) this.queue.push(entry);
    this.dailyState[entry.key] = runDate;
    if (options.persist) await this.persist();
  }

  /** Fires what real-time ticking made due; an advance in progress handles its own timers. */
  private scheduleTick(): void {
    if (this.tickQueued || this.stopped) return;
    this.tickQueued = true;
    void this.serialised(async () => {
      this.tickQueued = false;
      for (let next = this.nextDue(this.nowMs()); next; next = this.nextDue(this.nowMs()))
        await this.fire(next);
    });
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.work.then(work);
    this.work = result.catch(() => undefined);
    return result;
  }

  private persist(): Promise<void> {
    const write = this.writes.then(() => {
      const instant = this.nowMs();
      const state: PersistedClock = {
        offsetMs: this.offsetMs,
        lastInstant: new Date(instant).toISOString(),
        daily: { ...this.dailyState },
      };
      return writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`).then(() => {
        this.persistedInstant = Math.max(this.persistedInstant, instant);
      });
    });
    this.writes = write.catch((error: unknown) =>
      console.error('Could not persist the virtual clock', error),
    );
    return write;
  }
}

async function readClockFile(file: string): Promise<PersistedClock | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<PersistedClock>;
  if (typeof parsed.offsetMs !== 'number' || typeof parsed.lastInstant !== 'string') {
    throw new Error(`${file} is not a virtual clock file`);
  }
  return { offsetMs: parsed.offsetMs, lastInstant: parsed.lastInstant, daily: parsed.daily ?? {} };
}

async function runSafely(callback: ClockCallback, what: string): Promise<void> {
  try {
    await callback();
  } catch (error) {
    console.error(`Virtual clock: ${what} failed`, error);
  }
}

/**
 * Replaces `file` in one step: the data goes to a temporary file that is flushed and then renamed over
 * the target, so a reader (or a restart after `kill -9`) sees the old content or the new, never a mix.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const ISO_DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** Parses a non-negative ISO 8601 duration such as P30D, PT1H, P1DT2H, P3M, P1Y or P2W. */
export function parseIsoDuration(text: string): IsoDuration {
  const trimmed = text.trim();
  if (trimmed.startsWith('-'))
    throw new Error(`Negative durations are not allowed: "${text}" (the clock only moves forward)`);
  const match = ISO_DURATION.exec(trimmed);
  if (!match || trimmed === 'P' || trimmed.endsWith('T')) {
    throw new Error(`Malformed ISO 8601 duration "${text}" (expected e.g. P30D, PT1H, P1DT2H, P3M, P1Y)`);
  }
  const number = (index: number) => Number((match[index] ?? '0').replace(',', '.'));
  return {
    years: number(1),
    months: number(2),
    weeks: number(3),
    days: number(4),
    hours: number(5),
    minutes: number(6),
    seconds: number(7),
  };
}

/** Adds a duration: years and months by the UTC calendar (day clamped to the month's end), the rest exactly. */
export function addIsoDuration(fromMs: number, duration: IsoDuration): number {
  const from = new Date(fromMs);
  const totalMonths = from.getUTCMonth() + duration.months + 12 * duration.years;
  const year = from.getUTCFullYear() + Math.floor(totalMonths / 12);
  const month = ((totalMonths % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const calendar = Date.UTC(
    year,
    month,
    Math.min(from.getUTCDate(), lastDay),
    from.getUTCHours(),
    from.getUTCMinutes(),
    from.getUTCSeconds(),
    from.getUTCMilliseconds(),
  );
  const exact =
    ((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 3_600_000 +
    duration.minutes * 60_000 +
    Math.round(duration.seconds * 1000);
  return calendar + exact;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** The calendar date (YYYY-MM-DD) at `ms` in `timeZone`. */
function localDate(ms: number, timeZone: string): string {
  const parts = zonedParts(ms, timeZone);
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
}

function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** One formatter per time zone: making one costs many times what formatting does. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function zonedParts(ms: number, timeZone: string) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const values: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year!,
    month: values.month!,
    day: values.day!,
    hour: values.hour!,
    minute: values.minute!,
    second: values.second!,
  };
}

function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = zonedParts(ms, timeZone);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant at which the wall clock in `timeZone` shows `hour:minute` on `date` (YYYY-MM-DD). */
export function zonedInstant(date: string, hour: number, minute: number, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - zoneOffsetMs(wall, timeZone);
  const second = wall - zoneOffsetMs(first, timeZone);
  return second;
}
