import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local Step Functions engine's record of its executions, kept so that a restart (even after
 * `kill -9`) knows which executions were running and which have closed.
 *
 * `<dataDir>/executions.jsonl` is append-only: one JSON line per event, `started` (the whole record,
 * RUNNING) when an execution starts and `closed` (its status, stop date and output or error) when it
 * ends. An append resolves only once its line is on disk (written and `fdatasync`ed), the same
 * guarantee the earlier whole-file journal gave with its fsync before rename. Appends that arrive
 * while a sync is under way are written together with the next one (group commit), so a burst costs
 * one sync, not one each, and nothing is ever rewritten: the cost of an event does not grow with the
 * number of executions.
 *
 * Opening the journal reads it and compacts it: the file is replaced (atomically: a temporary file,
 * synced, renamed) by one `execution` line per execution still worth keeping, which is every running
 * one and every closed one within AWS's retention (90 days after it closed: as on AWS, DescribeExecution
 * answers for it and its name cannot be used again; after that it is forgotten). A last line cut off by a
 * kill in the middle of an append is ignored: its caller was never told the event was recorded.
 *
 * An `executions.json` written by earlier versions (the whole journal as one JSON document) is read
 * once, compacted into `executions.jsonl` and removed.
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** What a `closed` event records. */
export type ClosedExecution = Pick<
  ExecutionRecord,
  'executionArn' | 'status' | 'stopDate' | 'output' | 'error' | 'cause'
>;

type JournalLine =
  | ({ event: 'started' | 'execution' } & ExecutionRecord)
  | ({ event: 'closed' } & ClosedExecution);

export const JOURNAL_FILE = 'executions.jsonl';
/** The whole-file journal of earlier versions, migrated on open. */
export const LEGACY_JOURNAL_FILE = 'executions.json';
/** Step Functions keeps a closed Standard execution (and its name) for 90 days. */
export const CLOSED_RETENTION_MS = 90 * 86_400_000;

export interface OpenedJournal {
  journal: ExecutionJournal;
  /** Every execution kept, by ARN, in the order they started. */
  records: Map<string, ExecutionRecord>;
  /** What compaction found: lines read, torn tail dropped, closed executions past retention dropped. */
  stats: { lines: number; tornTail: boolean; skipped: number; expired: number };
}

export class ExecutionJournal {
  private handle: Promise<FileHandle> | undefined;
  private queue: Array<{ line: string; resolve: () => void; reject: (error: Error) => void }> = [];
  private writing: Promise<void> | undefined;
  /** A write failed part-way: the next one starts on a fresh line so the torn one stays alone. */
  private needsNewline = false;
  private closed = false;

  private constructor(readonly file: string) {}

  /**
   * Reads and compacts the journal in `dataDir` (synchronously: this runs once, at start-up, before
   * anything else may touch the executions). `now` decides which closed executions are past retention.
   */
  static open(dataDir: string, now: Date, retentionMs = CLOSED_RETENTION_MS): OpenedJournal {
    const file = join(dataDir, JOURNAL_FILE);
    const legacyFile = join(dataDir, LEGACY_JOURNAL_FILE);
    const stats = { lines: 0, tornTail: false, skipped: 0, expired: 0 };
    let records = new Map<string, ExecutionRecord>();
    const text = readIfExists(file);
    if (text !== undefined) {
      const read = parseJournal(text, file);
      records = read.records;
      Object.assign(stats, read.stats);
    } else {
      const legacy = readIfExists(legacyFile);
      if (legacy !== undefined)
        for (const record of parseLegacy(legacy, legacyFile)) records.set(record.executionArn, record);
    }
    const oldest = now.getTime() - retentionMs;
    for (const [arn, record] of records) {
      if (record.status !== 'RUNNING' && Date.parse(record.stopDate ?? record.startDate) < oldest) {
        records.delete(arn);
        stats.expired++;
      }
    }
    const compacted = [...records.values()].map((record) => line({ event: 'execution', ...record })).join('');
    writeFileDurably(file, compacted);
    // Everything it held is in executions.jsonl now (left over if a start was killed right here).
    try {
      unlinkSync(legacyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return { journal: new ExecutionJournal(file), records, stats };
  }

  /** Records that `record` started (RUNNING); resolves when the line is on disk. */
  started(record: ExecutionRecord): Promise<void> {
    return this.append({ event: 'started', ...record });
  }

  /** Records how `record` closed; resolves when the line is on disk. */
  closedExecution(record: ExecutionRecord): Promise<void> {
    const { executionArn, status, stopDate, output, error, cause } = record;
    return this.append({ event: 'closed', executionArn, status, stopDate, output, error, cause });
  }

  /** Resolves once every append made so far is on disk (or has failed). */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Waits for the appends under way, then closes the file; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushed();
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }

  private append(entry: JournalLine): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`The journal ${this.file} is closed`));
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.queue.push({ line: line(entry), resolve, reject });
    this.kick();
    return promise;
  }

  /** Starts a writer unless one runs; a line queued as the last one finished gets a writer of its own. */
  private kick(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      this.kick();
    });
  }

  /** Writes what is queued, one batch per sync, until the queue is empty. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        this.handle ??= open(this.file, 'a');
        const handle = await this.handle;
        const text = (this.needsNewline ? '\n' : '') + batch.map((entry) => entry.line).join('');
        this.needsNewline = true;
        await handle.appendFile(text, 'utf8');
        await handle.datasync();
        this.needsNewline = false;
        for (const entry of batch) entry.resolve();
      } catch (error) {
        if (this.handle) {
          const failed = this.handle;
          this.handle = undefined;
          void failed.then((handle) => handle.close()).catch(() => undefined);
        }
        for (const entry of batch) entry.reject(error as Error);
      }
    }
  }
}

function line(entry: JournalLine): string {
  return `${JSON.stringify(entry)}\n`;
}

/**
 * The executions a journal's lines describe. The last line may be torn (no newline, or not JSON):
 * it is ignored. A line that does not parse elsewhere can only be left by an append that failed (and
 * said so to its caller); it is skipped with a warning.
 */
export function parseJournal(
  text: string,
  file = JOURNAL_FILE,
): { records: Map<string, ExecutionRecord>; stats: { lines: number; tornTail: boolean; skipped: number } } {
  const records = new Map<string, ExecutionRecord>();
  const stats = { lines: 0, tornTail: false, skipped: 0 };
  const lines = text.split('\n');
  // Text after the last newline is an append cut off before it completed.
  const tail = lines.pop();
  if (tail !== undefined && tail.trim() !== '') stats.tornTail = true;
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    let entry: JournalLine;
    try {
      entry = JSON.parse(raw) as JournalLine;
    } catch {
      if (index === lines.length - 1) stats.tornTail = true;
      else {
        stats.skipped++;
        console.warn(`${file}: line ${index + 1} is not JSON (an append that failed); skipped`);
      }
      continue;
    }
    stats.lines++;
    apply(records, entry, file, index + 1);
  }
  return { records, stats };
}

function apply(
  records: Map<string, ExecutionRecord>,
  entry: JournalLine,
  file: string,
  lineNo: number,
): void {
  if (entry.event === 'started' || entry.event === 'execution') {
    const { event: _, ...record } = entry;
    if (typeof record.executionArn !== 'string' || typeof record.status !== 'string')
      throw new Error(`${file}: line ${lineNo} is not an execution`);
    records.set(record.executionArn, record);
    return;
  }
  if (entry.event === 'closed') {
    const record = records.get(entry.executionArn);
    if (!record) {
      console.warn(`${file}: line ${lineNo} closes ${entry.executionArn}, which never started; skipped`);
      return;
    }
    record.status = entry.status;
    for (const field of ['stopDate', 'output', 'error', 'cause'] as const) {
      const value = entry[field];
      if (value === undefined) delete record[field];
      else record[field] = value;
    }
    return;
  }
  throw new Error(
    `${file}: line ${lineNo} has an unknown event ${JSON.stringify((entry as { event?: unknown }).event)}`,
  );
}

function parseLegacy(text: string, file: string): ExecutionRecord[] {
  const journal = JSON.parse(text) as { executions?: ExecutionRecord[] };
  if (!Array.isArray(journal.executions)) throw new Error(`${file} is not a Step Functions journal`);
  return journal.executions;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces `file` atomically: a temporary file written and synced, renamed over it, the folder synced. */
function writeFileDurably(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeFileSync(fd, text, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
    throw error;
  }
  const folder = openSync(join(file, '..'), 'r');
  try {
    fsyncSync(folder);
  } catch {
    // some file systems refuse to sync a folder; the rename is still atomic
  } finally {
    closeSync(folder);
  }
}
