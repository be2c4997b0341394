/**
 * `npm run bench`: every figure of issue 8 ("A lean runtime") against its budget, side by side in one
 * run, then a summary table (figure | measured | budget | ok/OVER) and `.local/bench-results.json`.
 *
 *   bundles      the size of every handler bundle, built as CDK builds it (bundles.ts)
 *   cold start   a fresh process importing each bundle vs a bare bundle of the same AWS SDK clients
 *                (cold-start.ts)
 *   start-up     the local stack (`npm start`) until ready vs DynamoDB Local alone (start-up.ts)
 *   round trips  DynamoDB round trips of every API route, Scans, the daily run when nothing is due,
 *                and the billed state transitions of a whole lifecycle (round-trips.ts)
 *   scale        10,000 agreements put in force at concurrency 16, notice on 2,000 and P100D of
 *                virtual time (scale.ts)
 *
 * Flags:
 *   --check                  exit 1 when a figure is over its budget (a failed measurement always does)
 *   --bundles-only           only the bundle sizes
 *   --no-scale / --scale     leave out / include the scale figures (included by default)
 *   --scale-agreements N     agreements for the scale figures (default 10000; a few hundred for a try)
 *   --only LIST              only these sections: bundles,cold-start,start-up,round-trips,scale
 *   --cold-start-runs N      fresh processes per bundle and per baseline (default 7)
 *   --cold-start-bundles all|largest   every bundle (default) or the largest http and task bundle
 *   --start-up-runs N        local stack and DynamoDB Local starts (default 5 each)
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { httpFunctions, taskFunctions } from '../../functions/catalogue.ts';
import { CATALOGUE_BUNDLING } from '../../infra/constructs/catalogue-function.ts';
import { fromRepoRoot } from '../../infra/paths.ts';
import { type BundleSize, measureBundle } from './bundles.ts';
import { type ColdStartResult, measureColdStarts, projectClients } from './cold-start.ts';
import { killAllLocalStacks, startLocalStack } from './local-stack-process.ts';
import { measureRoundTrips, type RoundTripResults } from './round-trips.ts';
import { measureScale, type ScaleResult } from './scale.ts';
import { measureStartUp, type StartUpResult } from './start-up.ts';
import { formatBytes, round, table } from './stats.ts';

/**
 * The budgets of issue 8, and the figures already within budget that must stay there.
 * - A bundle is its `index.mjs` as CDK writes it: minified ESM, AWS SDK included, source map excluded
 *   (the map ships beside it). 400 KB = 400,000 bytes (decimal), per function.
 * - Cold start and start-up are ratios to a floor measured in the same run, so a busy machine slows
 *   both sides alike.
 */
const BUDGETS = {
  bundleCodeBytes: 400_000,
  coldStartRatio: 1.3,
  roundTripsPerRequest: 2,
  scans: 0,
  startUpRatio: 3,
  lifecycleTransitions: 30,
  amendmentTransitions: 10,
  reminderRunRoundTrips: 1,
  scaleCostRatio: 1.2,
  advanceMs: 60_000,
} as const;

const SECTIONS = ['bundles', 'cold-start', 'start-up', 'round-trips', 'scale'] as const;
type Section = (typeof SECTIONS)[number];

const { values: flags } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    'bundles-only': { type: 'boolean', default: false },
    scale: { type: 'boolean' },
    'no-scale': { type: 'boolean' },
    'scale-agreements': { type: 'string' },
    only: { type: 'string' },
    'cold-start-runs': { type: 'string', default: '7' },
    'cold-start-bundles': { type: 'string', default: 'all' },
    'start-up-runs': { type: 'string', default: '5' },
  },
});

function positiveInteger(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    console.error(`--${name} must be a positive integer (got ${value})`);
    process.exit(2);
  }
  return parsed;
}

const scaleAgreements = positiveInteger('scale-agreements', flags['scale-agreements'] ?? '10000');
const coldStartRuns = positiveInteger('cold-start-runs', flags['cold-start-runs']);
const startUpRuns = positiveInteger('start-up-runs', flags['start-up-runs']);
if (!['all', 'largest'].includes(flags['cold-start-bundles'])) {
  console.error('--cold-start-bundles is all or largest');
  process.exit(2);
}
const sections = new Set<Section>(
  flags['bundles-only']
    ? ['bundles']
    : flags.only
      ? flags.only.split(',').map((name) => {
          if (!SECTIONS.includes(name as Section)) {
            console.error(`--only takes ${SECTIONS.join(',')} (got ${name})`);
            process.exit(2);
          }
          return name as Section;
        })
      : SECTIONS,
);
if (flags['no-scale']) sections.delete('scale');
if ((flags.scale || flags['scale-agreements']) && !flags['bundles-only']) sections.add('scale');
if (sections.has('cold-start')) sections.add('bundles');

const CONCURRENCY = 16;
const NOTICE_EVERY = 5;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/**
 * Past this the benchmark gives up (it writes what it has): a guard against a hang, not a budget.
 * The scale part adds a second per agreement (four requests), what a busy 2-core machine needs.
 */
const WATCHDOG_MS = 30 * 60_000 + (sections.has('scale') ? scaleAgreements * 1_000 : 0);

const RESULTS_FILE = fromRepoRoot('.local/bench-results.json');

interface Figure {
  figure: string;
  measured: string;
  budget: string;
  /** undefined: informational, no budget. */
  ok: boolean | undefined;
}

interface Results {
  startedAt: string;
  finishedAt?: string;
  machine: { node: string; platform: string; arch: string; cpus: number; cpuModel: string | undefined };
  options: Record<string, unknown>;
  budgets: typeof BUDGETS;
  bundles?: { bundleMs: number; functions: (BundleSize & { kind: 'http' | 'task' })[] };
  coldStart?: { runs: number; results: ColdStartResult[] };
  startUp?: StartUpResult;
  roundTrips?: RoundTripResults;
  scale?: ScaleResult;
  figures: Figure[];
  violations: string[];
  errors: string[];
}

const results: Results = {
  startedAt: new Date().toISOString(),
  machine: {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
  },
  options: {
    sections: [...sections],
    check: flags.check,
    coldStartRuns,
    coldStartBundles: flags['cold-start-bundles'],
    startUpRuns,
    ...(sections.has('scale') ? { scaleAgreements, concurrency: CONCURRENCY } : {}),
  },
  budgets: BUDGETS,
  figures: [],
  violations: [],
  errors: [],
};

/** Temporary data directories, removed even when the benchmark is interrupted. */
const temporary = new Set<string>();
process.on('exit', () => {
  killAllLocalStacks();
  for (const dir of temporary) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      console.error(`Could not remove ${dir}`);
    }
  }
});
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    killAllLocalStacks();
    process.exit(code);
  });
}
setTimeout(() => {
  console.error(`\nThe benchmark took longer than ${Math.round(WATCHDOG_MS / 60_000)} min; stopping it.`);
  results.errors.push(`watchdog: stopped after ${Math.round(WATCHDOG_MS / 60_000)} min`);
  killAllLocalStacks();
  void writeResults().finally(() => process.exit(2));
}, WATCHDOG_MS).unref();

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temporary.add(dir);
  return dir;
}

async function removeTemp(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  temporary.delete(dir);
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
const bytes = (value: number) => `${value.toLocaleString('en-US')} B`;
const section = (title: string) => console.log(`\n${title}\n${'='.repeat(title.length)}`);
const log = (line: string) => console.log(line);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function figure(name: string, measured: string, budget: string, ok: boolean | undefined): void {
  results.figures.push({ figure: name, measured, budget, ok });
  if (ok === false) results.violations.push(`${name}: ${measured} (budget ${budget})`);
}

async function benchBundles(): Promise<void> {
  section('Handler bundles (esbuild with the CDK construct options)');
  const functions = [
    ...httpFunctions.map((fn) => ({ ...fn, kind: 'http' as const })),
    ...taskFunctions.map((fn) => ({ ...fn, kind: 'task' as const })),
  ];
  const clients = await projectClients();
  const started = performance.now();
  const sizes = await Promise.all(
    functions.map(async (fn) => ({
      ...(await measureBundle(CATALOGUE_BUNDLING, fn, clients)),
      kind: fn.kind,
    })),
  );
  results.bundles = { bundleMs: Math.round(performance.now() - started), functions: sizes };

  const over = sizes.filter((size) => size.codeBytes > BUDGETS.bundleCodeBytes);
  console.log(
    table([
      ['function', 'kind', 'code bytes', 'code', 'code gzip', 'source map', 'budget'],
      ...sizes.map((size) => [
        size.id,
        size.kind,
        size.codeBytes.toLocaleString('en-US'),
        formatBytes(size.codeBytes),
        formatBytes(size.codeGzipBytes),
        formatBytes(size.mapBytes),
        size.codeBytes > BUDGETS.bundleCodeBytes ? 'OVER' : 'ok',
      ]),
    ]),
  );
  const largest = sizes.reduce((a, b) => (b.codeBytes > a.codeBytes ? b : a));
  console.log(
    `\nLargest: ${largest.id}, ${bytes(largest.codeBytes)}; mostly ${largest.largestInputs
      .slice(0, 4)
      .map((input) => `${input.source} ${formatBytes(input.bytes)}`)
      .join(', ')}. ${sizes.length} bundles in ${ms(results.bundles.bundleMs)}. ` +
      `The figure is index.mjs (minified ESM, AWS SDK included, source map excluded) in bytes; budget ${bytes(BUDGETS.bundleCodeBytes)} each.`,
  );
  figure(
    `handler bundle, largest (${largest.id})`,
    `${bytes(largest.codeBytes)}; ${over.length} of ${sizes.length} over`,
    `each <= ${bytes(BUDGETS.bundleCodeBytes)}`,
    over.length === 0,
  );
}

async function benchColdStart(): Promise<void> {
  const all = results.bundles?.functions;
  if (!all?.length) throw new Error('no bundles to start');
  const largestOf = (kind: 'http' | 'task') =>
    all.filter((fn) => fn.kind === kind).reduce((a, b) => (b.codeBytes > a.codeBytes ? b : a));
  const chosen = flags['cold-start-bundles'] === 'all' ? all : [largestOf('http'), largestOf('task')];
  section(
    `Cold start: fresh process importing each bundle vs a bare bundle of the same AWS SDK clients ` +
      `(${chosen.length} bundles, medians of ${coldStartRuns} alternating runs)`,
  );
  const measured = await measureColdStarts(CATALOGUE_BUNDLING, chosen, {
    runs: coldStartRuns,
    confirmAbove: BUDGETS.coldStartRatio,
    confirmRuns: 3 * coldStartRuns,
    progress: log,
  });
  results.coldStart = { runs: coldStartRuns, results: measured };
  const nodeOptions = [...new Set(measured.map((result) => result.nodeOptions ?? '(not set)'))];
  console.log();
  console.log(
    table([
      [
        'function',
        'kind',
        'clients',
        'whole: handler',
        'baseline',
        'ratio',
        'import: handler',
        'baseline',
        'ratio',
        'runs',
      ],
      ...measured.map((result) => [
        result.id,
        result.kind,
        result.clients.map((client) => client.replace('@aws-sdk/client-', '')).join('+'),
        ms(result.handler.wholeMedianMs),
        ms(result.baseline.wholeMedianMs),
        `${result.wholeRatio}x`,
        ms(result.handler.importMedianMs),
        ms(result.baseline.importMedianMs),
        `${result.importRatio}x`,
        String(result.runs),
      ]),
    ]),
  );
  console.log(
    `\nNODE_OPTIONS as deployed (from the synthesized template): ${nodeOptions.join(', ')}. ` +
      'Whole = spawn to exit of `node runner.mjs bundle`; import = `await import(bundle)` inside it. ' +
      `A bundle over ${BUDGETS.coldStartRatio}x after ${coldStartRuns} runs is measured ${3 * coldStartRuns} runs more ` +
      '(runs column) and judged on the median of all.',
  );
  const largest = measured.reduce((a, b) => (b.handler.codeBytes > a.handler.codeBytes ? b : a));
  // A bundle without AWS SDK clients (getOpenApi) has an empty baseline: its ratio says nothing about
  // the SDK, so it is shown above but left out of the worst ratio.
  const withClients = measured.filter((result) => result.clients.length > 0);
  const worst = (key: 'wholeRatio' | 'importRatio') =>
    withClients.reduce((a, b) => (b[key] > a[key] ? b : a));
  const within = (ratio: number) => ratio <= BUDGETS.coldStartRatio;
  const budget = `<= ${BUDGETS.coldStartRatio}x`;
  figure(
    `cold start, whole process, largest (${largest.id})`,
    `${largest.wholeRatio}x (${ms(largest.handler.wholeMedianMs)} vs ${ms(largest.baseline.wholeMedianMs)})`,
    budget,
    within(largest.wholeRatio),
  );
  figure(
    `cold start, import alone, largest (${largest.id})`,
    `${largest.importRatio}x (${ms(largest.handler.importMedianMs)} vs ${ms(largest.baseline.importMedianMs)})`,
    budget,
    within(largest.importRatio),
  );
  if (withClients.length > 1) {
    const whole = worst('wholeRatio');
    const imported = worst('importRatio');
    const over = (key: 'wholeRatio' | 'importRatio') =>
      `${withClients.filter((result) => !within(result[key])).length} of ${withClients.length} over`;
    figure(
      `cold start, whole process, worst of ${withClients.length} (${whole.id})`,
      `${whole.wholeRatio}x; ${over('wholeRatio')}`,
      budget,
      within(whole.wholeRatio),
    );
    figure(
      `cold start, import alone, worst of ${withClients.length} (${imported.id})`,
      `${imported.importRatio}x; ${over('importRatio')}`,
      budget,
      within(imported.importRatio),
    );
  }
}

async function benchStartUp(): Promise<void> {
  section(`Local stack start-up vs DynamoDB Local alone (${startUpRuns} alternating runs, empty data)`);
  const root = await tempDir('dpa-bench-start-up-');
  try {
    const { result, errors } = await measureStartUp({
      runs: startUpRuns,
      dataRoot: root,
      timeoutMs: START_TIMEOUT_MS,
      stopTimeoutMs: STOP_TIMEOUT_MS,
      progress: log,
    });
    results.errors.push(...errors);
    if (!result) return;
    results.startUp = result;
    console.log(
      `\nMedians: stack ${ms(result.stackMedianMs)}, DynamoDB Local ${ms(result.dynamoMedianMs)}: ` +
        `${result.ratio}x; stop after SIGTERM ${ms(result.stopMedianMs)}.`,
    );
    figure(
      'local stack ready vs DynamoDB Local alone',
      `${result.ratio}x (${ms(result.stackMedianMs)} vs ${ms(result.dynamoMedianMs)})`,
      `<= ${BUDGETS.startUpRatio}x`,
      result.ratio <= BUDGETS.startUpRatio,
    );
    if (result.runs.length < startUpRuns) {
      results.errors.push(`start-up: only ${result.runs.length} of ${startUpRuns} runs succeeded`);
    }
  } finally {
    await removeTemp(root);
  }
}

async function benchRoundTrips(): Promise<void> {
  section('DynamoDB round trips per API request (counted by a proxy in front of DynamoDB Local)');
  const measured = await measureRoundTrips();
  results.roundTrips = measured;
  const row = (entry: RoundTripResults['routes'][number]) => [
    entry.route,
    entry.variant,
    entry.sequence.join(', ') || '-',
    String(entry.status),
    String(entry.roundTrips),
    entry.idempotencyKey ? '(info)' : entry.roundTrips <= BUDGETS.roundTripsPerRequest ? 'ok' : 'OVER',
  ];
  // Pass 1 is the figure; of pass 2 only the POSTs, which carried a key (its GETs repeat pass 1's).
  const unkeyed = measured.routes.filter((entry) => entry.pass === 1);
  const keyed = measured.routes.filter((entry) => entry.pass === 2 && entry.idempotencyKey);
  console.log(table([['route', 'state', 'DynamoDB calls', 'status', 'n', 'budget'], ...unkeyed.map(row)], 3));
  console.log('\nWith an Idempotency-Key on every POST (informational, no budget):\n');
  console.log(table([['route', 'state', 'DynamoDB calls', 'status', 'n', ''], ...keyed.map(row)], 3));
  console.log(
    `\nAll SDK calls of the run (requests, workflow tasks, daily runs, set-up): ${JSON.stringify(measured.allCalls)}; ` +
      `the commit barrier's read-backs (local stack only, not counted): ${measured.barrierReadBacks}.`,
  );
  if (measured.unmeasured.length) {
    results.errors.push(`round trips: routes not measured: ${measured.unmeasured.join(', ')}`);
  }

  const worstByRoute = new Map<string, number>();
  for (const entry of unkeyed) {
    worstByRoute.set(entry.route, Math.max(worstByRoute.get(entry.route) ?? 0, entry.roundTrips));
  }
  const over = [...worstByRoute].filter(([, count]) => count > BUDGETS.roundTripsPerRequest);
  const worst = unkeyed.reduce((a, b) => (b.roundTrips > a.roundTrips ? b : a));
  figure(
    `DynamoDB round trips per request, worst route (${worst.route})`,
    `${worst.roundTrips}; ${over.length} of ${worstByRoute.size} routes over${over.length ? ` (${over.map(([route, count]) => `${route} ${count}`).join(', ')})` : ''}`,
    `<= ${BUDGETS.roundTripsPerRequest} every route`,
    over.length === 0,
  );
  const worstKeyed = keyed.reduce((a, b) => (b.roundTrips > a.roundTrips ? b : a), keyed[0]!);
  if (worstKeyed) {
    figure(
      `  with Idempotency-Key, worst POST (${worstKeyed.route})`,
      String(worstKeyed.roundTrips),
      'none (info)',
      undefined,
    );
  }
  figure('Scans (whole run: requests, tasks, daily runs)', String(measured.scans), '0', measured.scans === 0);

  const lifecycle = measured.lifecycle;
  console.log(
    `\nLifecycle ${lifecycle.agreementId} (signing to IN_FORCE, termination to ${lifecycle.finalStatus}): ` +
      lifecycle.executions
        .map((run) => `${run.stateMachine} ${run.entered} states entered, ${run.retried} retries`)
        .join('; ') +
      `. Billed transitions = states entered + retries = ${lifecycle.transitions}.`,
  );
  if (lifecycle.finalStatus !== 'CLOSED') {
    results.errors.push(`lifecycle: the agreement ended ${lifecycle.finalStatus}, not CLOSED`);
  }
  figure(
    'billed state transitions, signing + termination lifecycle',
    String(lifecycle.transitions),
    `<= ${BUDGETS.lifecycleTransitions}`,
    lifecycle.transitions <= BUDGETS.lifecycleTransitions,
  );
  const amendments = measured.amendments.map((run) => run.entered + run.retried);
  const worstAmendment = Math.max(0, ...amendments);
  console.log(`Amendment workflows of the scenario: ${amendments.join(', ')} billed transitions.`);
  if (amendments.length === 0) results.errors.push('amendments: the scenario ran no amendment workflow');
  figure(
    'billed state transitions, one amendment (worst)',
    String(worstAmendment),
    `<= ${BUDGETS.amendmentTransitions}`,
    amendments.length > 0 && worstAmendment <= BUDGETS.amendmentTransitions,
  );
  const reminder = measured.reminderRun;
  console.log(`Daily reminder run with nothing due: ${JSON.stringify(reminder.byOperation)}.`);
  const onlyOneQuery =
    reminder.roundTrips === BUDGETS.reminderRunRoundTrips && reminder.byOperation.Query === 1;
  figure(
    'daily reminder run, nothing due',
    Object.entries(reminder.byOperation)
      .map(([operation, count]) => `${count} ${operation}`)
      .join(', ') || '0 calls',
    '1 Query',
    onlyOneQuery,
  );
}

async function benchScale(): Promise<void> {
  section(
    `Scale: ${scaleAgreements.toLocaleString('en-US')} agreements put in force at concurrency ${CONCURRENCY}, ` +
      `notice on every ${NOTICE_EVERY}th, P100D of virtual time`,
  );
  const root = await tempDir('dpa-bench-scale-');
  try {
    const stack = await startLocalStack({
      dataDir: join(root, 'stack'),
      timeoutMs: START_TIMEOUT_MS,
      stopTimeoutMs: STOP_TIMEOUT_MS,
    });
    log(`  local stack ready in ${ms(stack.readyMs)} (npm start, empty data)`);
    try {
      results.scale = await measureScale(stack.url, {
        agreements: scaleAgreements,
        concurrency: CONCURRENCY,
        noticeEvery: NOTICE_EVERY,
        progress: log,
      });
    } finally {
      const stopped = await stack.stop();
      if (stopped.leftover.length) {
        results.errors.push(
          `scale: still running 5 s after the stack exited: ${stopped.leftover.join(' | ')}`,
        );
      }
    }
  } finally {
    await removeTemp(root);
  }
  const scale = results.scale;
  const { create } = scale;
  const window = (label: string, stats: ScaleResult['create']['first']) => [
    label,
    String(stats.requests),
    `${stats.requestsPerSecond}/s`,
    ms(stats.p50Ms),
    ms(stats.p99Ms),
    ms(stats.meanMs),
  ];
  console.log();
  console.log(
    table([
      ['requests of', 'n', 'throughput', 'p50', 'p99', 'mean'],
      window('the first 100 agreements', create.first),
      window('the last 100 agreements', create.last),
    ]),
  );
  console.log(
    `\nAll ${create.requests.toLocaleString('en-US')} requests in ${ms(create.elapsedMs)}: ${create.requestsPerSecond}/s; by kind ` +
      Object.entries(create.byKind)
        .map(([kind, stats]) => `${kind} p50 ${ms(stats.p50Ms)} p99 ${ms(stats.p99Ms)}`)
        .join(', ') +
      `. Warm-up before the measured agreements: ${scale.warmUpAgreements} agreements.`,
  );
  figure(
    `scale: ${scaleAgreements.toLocaleString('en-US')} in force at concurrency ${CONCURRENCY}`,
    `${create.requestsPerSecond} req/s; p50/p99 ${round(create.first.p50Ms, 0)}/${round(create.first.p99Ms, 0)} ms first 100, ${round(create.last.p50Ms, 0)}/${round(create.last.p99Ms, 0)} ms last 100`,
    'none (info)',
    undefined,
  );
  figure(
    'scale: cost per request, last 100 / first 100 (p50)',
    `${create.costRatio}x (throughput ${create.throughputRatio}x)`,
    `<= ${BUDGETS.scaleCostRatio}x`,
    create.costRatio <= BUDGETS.scaleCostRatio,
  );
  for (const failure of scale.failures) console.log(`  failed: ${failure.slice(0, 300)}`);
  figure(
    'scale: failed requests (any status but the expected one)',
    String(scale.failedRequests),
    '0',
    scale.failedRequests === 0,
  );
  if (scale.notice && scale.advance && scale.check) {
    const { notice, advance, check } = scale;
    console.log(
      `Notice on ${notice.agreements.toLocaleString('en-US')} in ${ms(notice.elapsedMs)} (${notice.requestsPerSecond}/s); ` +
        `clock moved by ${advance.by} in ${ms(advance.elapsedMs)}; checked in ${ms(check.elapsedMs)}.`,
    );
    for (const line of [...check.wrong, ...check.changed]) console.log(`  ${line}`);
    figure(
      `scale: clock moved ${advance.by} (${notice.agreements.toLocaleString('en-US')} terminations)`,
      ms(advance.elapsedMs),
      `<= ${ms(BUDGETS.advanceMs)}`,
      advance.elapsedMs <= BUDGETS.advanceMs,
    );
    figure(
      'scale: noticed ones TERMINATED the day after terminatesOn',
      `${check.terminatedOnTheDayAfter.toLocaleString('en-US')} of ${check.noticed.toLocaleString('en-US')}`,
      'all',
      check.terminatedOnTheDayAfter === check.noticed,
    );
    figure(
      'scale: other agreements changed',
      `${check.changedCount} of ${check.others.toLocaleString('en-US')}`,
      '0',
      check.changedCount === 0,
    );
  }
}

async function writeResults(): Promise<void> {
  results.finishedAt = new Date().toISOString();
  await mkdir(fromRepoRoot('.local'), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}

async function main(): Promise<number> {
  const steps: [Section, string, () => Promise<void>][] = [
    ['bundles', 'bundles', benchBundles],
    ['cold-start', 'cold start', benchColdStart],
    ['start-up', 'start-up', benchStartUp],
    ['round-trips', 'round trips', benchRoundTrips],
    ['scale', 'scale', benchScale],
  ];
  const started = performance.now();
  for (const [id, label, run] of steps) {
    if (!sections.has(id)) continue;
    try {
      await run();
    } catch (error) {
      results.errors.push(`${label}: ${message(error)}`);
      console.log(`\n${label} FAILED: ${message(error)}`);
    }
  }
  await writeResults();

  section('Summary');
  const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'ok' : 'OVER');
  console.log(
    table(
      [
        ['figure', 'measured', 'budget', 'ok/OVER'],
        ...results.figures.map((entry) => [entry.figure, entry.measured, entry.budget, verdict(entry.ok)]),
      ],
      3,
    ),
  );
  console.log();
  for (const error of results.errors) console.log(`ERROR  ${error}`);
  console.log(
    `${results.violations.length} figure(s) over budget, ${results.errors.length} error(s); ` +
      `${Math.round((performance.now() - started) / 1000)} s. Results written to ${RESULTS_FILE}`,
  );
  if (results.errors.length > 0) return 1;
  return flags.check && results.violations.length > 0 ? 1 : 0;
}

process.exit(await main());
