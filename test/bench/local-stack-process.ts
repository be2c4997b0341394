import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { freePort } from '../../functions/local/free-port.ts';
import { repoRoot } from '../../infra/paths.ts';
import { round } from './stats.ts';

/**
 * The local stack as `npm start` runs it, in its own process group so that the benchmark can take
 * down the stack and everything it started (DynamoDB Local's shell and Java) if anything goes wrong.
 */

const running = new Set<ChildProcess>();

/**
 * The environment as the benchmark found it: a local stack started in the benchmark's own process
 * (the round-trip figures) sets AWS endpoints and a table name in `process.env`, which must not
 * reach the stacks spawned after it.
 */
const ENVIRONMENT_AT_LOAD = { ...process.env };

/** Kills every process group still running; synchronous, so it also works in an `exit` handler. */
export function killAllLocalStacks(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * The commands still running in the child's process group. Zombies do not count: where PID 1 does
 * not reap orphans (some containers) an exited process lingers in the table without running.
 */
function groupMembers(child: ChildProcess): string[] {
  if (child.pid === undefined) return [];
  try {
    return execFileSync('ps', ['-eo', 'pgid=,stat=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
      .filter((match) => match !== null && Number(match[1]) === child.pid && !match[2]!.startsWith('Z'))
      .map((match) => match![3]!.slice(0, 120));
  } catch {
    return groupAlive(child) ? ['(ps failed; the group still exists)'] : [];
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface StartedStack {
  url: string;
  /** From spawning `node` to the ready line on stdout. */
  readyMs: number;
  /** What `main.ts` reports for its own start-up (without Node and tsx), when it says. */
  inProcessMs: number | undefined;
  /** SIGTERM, then waits for the process and its children; returns how long that took. */
  stop(): Promise<StopResult>;
}

export interface StopResult {
  stopMs: number;
  exitCode: number | null;
  /** Commands of the group that outlived the stack's own exit by the grace period and were killed. */
  leftover: string[];
}

const tail = (text: string, lines = 30) => text.trimEnd().split('\n').slice(-lines).join('\n');

export async function startLocalStack(options: {
  dataDir: string;
  timeoutMs: number;
  stopTimeoutMs: number;
}): Promise<StartedStack> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const readyLine = `Local stack ready at ${url}`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
    cwd: repoRoot,
    env: { ...ENVIRONMENT_AT_LOAD, PORT: String(port), LOCAL_DATA_DIR: options.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready within ${options.timeoutMs} ms:\n${tail(output)}`)),
        options.timeoutMs,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(readyLine)) {
          clearTimeout(timer);
          resolve(round(performance.now() - started));
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before it was ready:\n${tail(output)}`));
      });
    });
    const inProcess = /started in (\d+) ms/.exec(output)?.[1];
    return {
      url,
      readyMs,
      inProcessMs: inProcess === undefined ? undefined : Number(inProcess),
      stop: () => stop(child, exited, options.stopTimeoutMs),
    };
  } catch (error) {
    killGroup(child, 'SIGKILL');
    running.delete(child);
    throw error;
  }
}

async function stop(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<StopResult> {
  const started = performance.now();
  // Only the stack's own process is signalled, as a user's `kill` would: it stops DynamoDB Local itself.
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const exitCode = await Promise.race([
    exited,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const stopMs = round(performance.now() - started);
  // Give the group a moment to follow its leader; whatever still runs then is a leak, killed and reported.
  const graceUntil = performance.now() + 5_000;
  let leftover = groupMembers(child);
  while (leftover.length > 0 && performance.now() < graceUntil) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftover = groupMembers(child);
  }
  killGroup(child, 'SIGKILL');
  if (exitCode === 'timeout') await exited;
  running.delete(child);
  if (exitCode === 'timeout') throw new Error(`did not stop within ${timeoutMs} ms of SIGTERM`);
  return { stopMs, exitCode, leftover };
}
