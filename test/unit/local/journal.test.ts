import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLOSED_RETENTION_MS,
  ExecutionJournal,
  type ExecutionRecord,
  JOURNAL_FILE,
  LEGACY_JOURNAL_FILE,
  parseJournal,
} from '../../../functions/local/step-functions/journal.ts';
import { callbackTask, DAY_MS, openHarness, removeDir, START, tempDir } from './engine-fixture.ts';

const dirs: string[] = [];
const journals: ExecutionJournal[] = [];

async function dir(): Promise<string> {
  const created = await tempDir();
  dirs.push(created);
  return created;
}

function open(dataDir: string, now = START) {
  const opened = ExecutionJournal.open(dataDir, now);
  journals.push(opened.journal);
  return opened;
}

afterEach(async () => {
  for (const journal of journals.splice(0)) await journal.close();
  for (const created of dirs.splice(0)) await removeDir(created);
});

const ARN = 'arn:aws:states:eu-north-1:000000000000:execution:m:';

function running(name: string, startDate = START.toISOString()): ExecutionRecord {
  return {
    executionArn: `${ARN}${name}`,
    stateMachineArn: 'arn:aws:states:eu-north-1:000000000000:stateMachine:m',
    name,
    input: JSON.stringify({ name }),
    status: 'RUNNING',
    startDate,
  };
}

function closed(record: ExecutionRecord, stopDate: string, output = '{"done":true}'): ExecutionRecord {
  return { ...record, status: 'SUCCEEDED', stopDate, output };
}

const journalText = (dataDir: string) => readFile(join(dataDir, JOURNAL_FILE), 'utf8');
const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('ExecutionJournal: appends', () => {
  it('appends one JSON line per start and per end, never rewriting what is already there', async () => {
    const dataDir = await dir();
    const { journal, records } = open(dataDir);
    expect(records.size).toBe(0);
    const a = running('a');
    const b = running('b');

    await journal.started(a);
    const afterFirst = await journalText(dataDir);
    await journal.started(b);
    await journal.closedExecution(closed(a, '2025-01-07T00:00:00.000Z'));
    const text = await journalText(dataDir);

    expect(text.startsWith(afterFirst)).toBe(true);
    expect(lines(text).map((line) => JSON.parse(line).event)).toEqual(['started', 'started', 'closed']);
    expect(JSON.parse(lines(text)[2]!)).toEqual({
      event: 'closed',
      executionArn: a.executionArn,
      status: 'SUCCEEDED',
      stopDate: '2025-01-07T00:00:00.000Z',
      output: '{"done":true}',
    });
    await journal.close();

    const reopened = open(dataDir);
    expect([...reopened.records.values()]).toEqual([closed(a, '2025-01-07T00:00:00.000Z'), b]);
  });

  it('puts concurrent appends on disk before each one resolves, a burst sharing its syncs', async () => {
    const dataDir = await dir();
    const { journal } = open(dataDir);
    const burst = Array.from({ length: 200 }, (_, index) => running(`e-${index}`));

    await Promise.all(burst.map((record) => journal.started(record)));

    expect(lines(await journalText(dataDir))).toHaveLength(200);
    expect([...open(dataDir).records.keys()]).toEqual(burst.map((record) => record.executionArn));
  });

  it('refuses appends once closed', async () => {
    const { journal } = open(await dir());
    await journal.close();
    await expect(journal.started(running('late'))).rejects.toThrow(/closed/);
  });
});

describe('ExecutionJournal: a torn last line (kill -9 in the middle of an append)', () => {
  it('ignores a last line cut off before its newline, and compacts it away', async () => {
    const dataDir = await dir();
    const { journal } = open(dataDir);
    const a = running('a');
    await journal.started(a);
    await journal.close();
    const torn = JSON.stringify({ event: 'closed', executionArn: a.executionArn, status: 'SUCC' });
    await appendFile(join(dataDir, JOURNAL_FILE), torn.slice(0, 40));

    const reopened = open(dataDir);

    expect(reopened.stats.tornTail).toBe(true);
    expect([...reopened.records.values()]).toEqual([a]);
    const text = await journalText(dataDir);
    expect(text.endsWith('\n')).toBe(true);
    expect(lines(text).map((line) => JSON.parse(line))).toEqual([{ event: 'execution', ...a }]);
  });

  it('ignores a last line of garbage (zero bytes a crash can leave) and appends cleanly after it', async () => {
    const dataDir = await dir();
    const { journal } = open(dataDir);
    const a = running('a');
    await journal.started(a);
    await journal.close();
    await appendFile(join(dataDir, JOURNAL_FILE), '\0\0\0\0\n');

    const reopened = open(dataDir);
    const b = running('b');
    await reopened.journal.started(b);

    expect(reopened.stats.tornTail).toBe(true);
    expect([...open(dataDir).records.values()]).toEqual([a, b]);
  });

  it('parses the lines before a torn tail whatever the tail holds', () => {
    const a = running('a');
    const text = `${JSON.stringify({ event: 'started', ...a })}\n{"event":"clo`;
    const { records, stats } = parseJournal(text);
    expect([...records.values()]).toEqual([a]);
    expect(stats).toEqual({ lines: 1, tornTail: true, skipped: 0 });
  });

  it('resumes a running execution after a kill -9 that tore the journal’s last line', async () => {
    const first = await openHarness();
    dirs.push(first.dir);
    const definition = {
      StartAt: 'Await',
      States: { Await: callbackTask('await', { 'token.$': '$$.Task.Token' }, { End: true }) },
    };
    const issued: string[] = [];
    const handlers = { await: (payload: unknown) => void issued.push((payload as { token: string }).token) };
    first.register('torn', definition, handlers);
    const arn = await first.start('torn', { id: 'a-1' }, 'a-1');
    // Killed in the middle of appending the next event: part of a line, no newline.
    await appendFile(join(first.dir, JOURNAL_FILE), '{"event":"started","executionArn":"arn:aws:sta');

    const second = await openHarness(first.dir);
    second.register('torn', definition, handlers);
    try {
      expect(await second.engine.resumeInFlight()).toEqual([arn]);
      await second.engine.idle();
      expect(issued).toHaveLength(2);
      await second.engine.sendTaskSuccess(issued[1]!, '{"ok":true}');
      await second.engine.idle();
      expect(second.status(arn)).toBe('SUCCEEDED');
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe('ExecutionJournal: compaction at start', () => {
  it('keeps one line per execution: every running one, and closed ones within the 90 days AWS keeps them', async () => {
    const dataDir = await dir();
    const { journal } = open(dataDir);
    const now = new Date(START.getTime() + 200 * DAY_MS);
    const stillRunning = running('still-running');
    const recent = running('closed-recently');
    const old = running('closed-long-ago');
    for (const record of [stillRunning, recent, old]) await journal.started(record);
    const recentStop = new Date(now.getTime() - CLOSED_RETENTION_MS + DAY_MS).toISOString();
    const oldStop = new Date(now.getTime() - CLOSED_RETENTION_MS - DAY_MS).toISOString();
    await journal.closedExecution(closed(recent, recentStop));
    await journal.closedExecution({ ...old, status: 'FAILED', stopDate: oldStop, error: 'E', cause: 'c' });
    await journal.close();
    expect(lines(await journalText(dataDir))).toHaveLength(5);

    const reopened = open(dataDir, now);

    expect(reopened.stats.expired).toBe(1);
    expect([...reopened.records.values()]).toEqual([stillRunning, closed(recent, recentStop)]);
    expect(lines(await journalText(dataDir)).map((line) => JSON.parse(line))).toEqual([
      { event: 'execution', ...stillRunning },
      { event: 'execution', ...closed(recent, recentStop) },
    ]);
  });

  it('takes over the whole-file executions.json of earlier versions and removes it', async () => {
    const dataDir = await dir();
    const a = running('a');
    const b = closed(running('b'), '2025-01-06T09:00:00.000Z');
    await writeFile(
      join(dataDir, LEGACY_JOURNAL_FILE),
      JSON.stringify({ version: 1, executions: [a, b] }, null, 2),
    );

    const { records } = open(dataDir);

    expect([...records.values()]).toEqual([a, b]);
    await expect(readFile(join(dataDir, LEGACY_JOURNAL_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(lines(await journalText(dataDir))).toHaveLength(2);
  });
});
