import { performance } from 'node:perf_hooks';
import { agreementRequest, CONTROLLER_ORG, PROCESSOR_ORG, signature } from '../support/api-client.ts';
import { osloDateOf, osloMidday, plusDays } from '../support/in-process-stack.ts';
import { percentile, round } from './stats.ts';

/**
 * The scale figures, over HTTP against a local stack started as `npm start` starts it:
 *
 * (a) `agreements` agreements created and put in force (create, submit, the processor's and the
 *     controller's signatures) by `concurrency` clients at once. Throughput and latency of the requests
 *     of the first 100 and of the last 100 agreements; the cost of a request at the end over its cost
 *     at the start (median latency, at the same concurrency and the same mix of requests) shows whether
 *     anything grows with the number of agreements. A warm-up of 2 x concurrency agreements (not among
 *     the measured ones) runs first, so that the first 100 are not slowed by a cold JIT.
 * (b) Notice on every fifth of them, then the virtual clock moved by P100D in one request (budget 60 s):
 *     every noticed agreement must be TERMINATED, with the change in its history on the day after its
 *     terminatesOn (Oslo), and every other agreement (warm-up included) must be as it was: the same
 *     status and updatedAt in the controller's listing (all of them), and the same status and ETag
 *     (version) when read one by one (every 40th, to keep the check's requests few).
 */

export interface WindowStats {
  agreements: number;
  requests: number;
  /** Requests of the window over the time from its first request's start to its last one's end. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface ScaleResult {
  agreements: number;
  concurrency: number;
  warmUpAgreements: number;
  /** Requests that failed (status other than expected, or no answer), and the first 20 of them. */
  failedRequests: number;
  failures: string[];
  create: {
    requests: number;
    elapsedMs: number;
    requestsPerSecond: number;
    first: WindowStats;
    last: WindowStats;
    /** Median latency of the last window over the first. */
    costRatio: number;
    /** Throughput of the first window over the last (> 1 when the end is slower). */
    throughputRatio: number;
    byKind: Record<string, { p50Ms: number; p99Ms: number }>;
  };
  notice?: { agreements: number; elapsedMs: number; requestsPerSecond: number };
  advance?: { by: string; elapsedMs: number; status: number };
  check?: {
    noticed: number;
    terminatedOnTheDayAfter: number;
    /** Noticed agreements not TERMINATED, or TERMINATED on another day (the first 20: id: what was found). */
    wrong: string[];
    others: number;
    /** Others read one by one (status and ETag) besides the listing (status and updatedAt of all). */
    othersReadOneByOne: number;
    /** Other agreements whose status or version changed (the first 20: id: before -> after). */
    changed: string[];
    changedCount: number;
    elapsedMs: number;
  };
}

const REQUEST_TIMEOUT_MS = 60_000;
const ADVANCE = 'P100D';
/** Besides the listing of all, every n-th of the other agreements is read one by one, before and after. */
const OTHERS_SAMPLE_EVERY = 40;
const KINDS = ['create', 'submit', 'sign (processor)', 'sign (controller)'] as const;
type Kind = (typeof KINDS)[number];

interface Sample {
  agreement: number;
  kind: Kind;
  startMs: number;
  endMs: number;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

class Client {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async forOrganisation(baseUrl: string, orgNumber: string): Promise<Client> {
    const answer = await send(baseUrl, 'POST', '/local/tokens', undefined, { orgNumber });
    const token = answer.body.access_token;
    if (answer.status !== 200 || typeof token !== 'string') {
      throw new Error(`POST /local/tokens: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return new Client(baseUrl, token);
  }

  request(method: string, path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer> {
    return send(this.baseUrl, method, path, this.token, body, timeoutMs);
  }

  async expect(method: string, path: string, status: number, body?: unknown): Promise<Answer> {
    const answer = await this.request(method, path, body);
    if (answer.status !== status) {
      throw new Error(
        `${method} ${path}: ${answer.status} (expected ${status}) ${JSON.stringify(answer.body)}`,
      );
    }
    return answer;
  }
}

async function send(
  baseUrl: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text: text.slice(0, 500) };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Runs `work(i)` for i in [0, count) on `concurrency` workers; the first error stops the rest. */
async function pool(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < count) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failed !== undefined) throw failed;
}

function windowStats(samples: readonly Sample[], agreements: number): WindowStats {
  const latencies = samples.map((sample) => sample.endMs - sample.startMs);
  const span = Math.max(...samples.map((s) => s.endMs)) - Math.min(...samples.map((s) => s.startMs));
  return {
    agreements,
    requests: samples.length,
    requestsPerSecond: round((samples.length / span) * 1000, 1),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    meanMs: round(latencies.reduce((sum, value) => sum + value, 0) / latencies.length, 1),
  };
}

export async function measureScale(
  baseUrl: string,
  options: {
    agreements: number;
    concurrency: number;
    noticeEvery: number;
    progress: (line: string) => void;
  },
): Promise<ScaleResult> {
  const { agreements, concurrency, progress } = options;
  const controller = await Client.forOrganisation(baseUrl, CONTROLLER_ORG);
  const processor = await Client.forOrganisation(baseUrl, PROCESSOR_ORG);

  // A quiet hour: midday in Oslo tomorrow (forward only), so that no daily run falls in the run.
  const now = (await controller.expect('GET', '/local/clock', 200)).body.now as string;
  await controller.expect('POST', '/local/clock', 200, {
    set: osloMidday(plusDays(osloDateOf(new Date(now)), 1)),
  });

  const body = agreementRequest();
  const putInForce = async (record?: (kind: Kind, startMs: number, endMs: number) => void) => {
    const timed = async (kind: Kind, run: () => Promise<Answer>) => {
      const startMs = performance.now();
      const answer = await run();
      record?.(kind, startMs, performance.now());
      return answer;
    };
    const created = await timed('create', () => controller.expect('POST', '/agreements', 201, body));
    const id = created.body.id as string;
    await timed('submit', () => controller.expect('POST', `/agreements/${id}/submit`, 200));
    await timed('sign (processor)', () =>
      processor.expect(
        'POST',
        `/agreements/${id}/signatures`,
        201,
        signature('Per Hansen', 'Oslo', created.body.contentHash as string),
      ),
    );
    await timed('sign (controller)', () =>
      controller.expect(
        'POST',
        `/agreements/${id}/signatures`,
        201,
        signature('Kari Nordmann', 'Radøy', created.body.contentHash as string),
      ),
    );
    return id;
  };

  // A request that fails (a 5xx, a timeout, an unexpected status) is counted and its agreement left
  // out of what follows; too many failures end the run.
  const failures: string[] = [];
  const maxFailures = Math.max(10, Math.ceil(agreements / 100));
  const tolerate = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
      if (failures.length > maxFailures) {
        throw new Error(`${failures.length} requests failed; the first: ${failures[0]}`);
      }
      return undefined;
    }
  };

  const warmUpAgreements = 2 * concurrency;
  const warmUpIds: string[] = [];
  await pool(warmUpAgreements, concurrency, async () => {
    const id = await tolerate(() => putInForce());
    if (id) warmUpIds.push(id);
  });

  // (a) The measured agreements.
  const ids: (string | undefined)[] = new Array(agreements).fill(undefined);
  const samples: Sample[] = [];
  const started = performance.now();
  let lastReport = started;
  let done = 0;
  await pool(agreements, concurrency, async (index) => {
    const id = await tolerate(() =>
      putInForce((kind, startMs, endMs) => samples.push({ agreement: index, kind, startMs, endMs })),
    );
    if (id) ids[index] = id;
    done++;
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      const elapsed = (lastReport - started) / 1000;
      progress(`  ${done} of ${agreements} in force after ${Math.round(elapsed)} s`);
    }
  });
  const elapsedMs = performance.now() - started;
  const windowSize = Math.min(100, agreements);
  const first = windowStats(
    samples.filter((sample) => sample.agreement < windowSize),
    windowSize,
  );
  const last = windowStats(
    samples.filter((sample) => sample.agreement >= agreements - windowSize),
    windowSize,
  );
  const byKind: Record<string, { p50Ms: number; p99Ms: number }> = {};
  for (const kind of KINDS) {
    const latencies = samples.filter((sample) => sample.kind === kind).map((s) => s.endMs - s.startMs);
    byKind[kind] = { p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1) };
  }
  const result: ScaleResult = {
    agreements,
    concurrency,
    warmUpAgreements,
    failedRequests: 0,
    failures: [],
    create: {
      requests: samples.length,
      elapsedMs: Math.round(elapsedMs),
      requestsPerSecond: round((samples.length / elapsedMs) * 1000, 1),
      first,
      last,
      costRatio: round(last.p50Ms / first.p50Ms, 2),
      throughputRatio: round(first.requestsPerSecond / last.requestsPerSecond, 2),
      byKind,
    },
  };
  progress(
    `  ${agreements} in force in ${Math.round(elapsedMs / 1000)} s (${result.create.requestsPerSecond} requests/s); ` +
      `p50 ${first.p50Ms} ms at the first 100, ${last.p50Ms} ms at the last 100`,
  );

  // (b) Notice on every fifth; the others, warm-up included, must not change.
  const toNotice = ids.filter(
    (id, index): id is string => id !== undefined && index % options.noticeEvery === 0,
  );
  const terminatesOn = new Map<string, string>();
  const noticeStarted = performance.now();
  await pool(toNotice.length, concurrency, async (index) => {
    const id = toNotice[index]!;
    const answer = await tolerate(() =>
      processor.expect('POST', `/agreements/${id}/termination-notice`, 200, {
        reason: 'Fagsystemet erstattes',
      }),
    );
    if (answer) terminatesOn.set(id, answer.body.terminatesOn as string);
  });
  // A notice that failed leaves its agreement out of both checks (it may or may not have changed).
  const noticed = toNotice.filter((id) => terminatesOn.has(id));
  const failedNotices = new Set(toNotice.filter((id) => !terminatesOn.has(id)));
  const noticeMs = performance.now() - noticeStarted;
  result.notice = {
    agreements: noticed.length,
    elapsedMs: Math.round(noticeMs),
    requestsPerSecond: round((noticed.length / noticeMs) * 1000, 1),
  };
  // A one-second step settles the workflows the notices started (the clock answers once all is idle).
  await controller.expect('POST', '/local/clock', 200, { advanceBy: 'PT1S' });

  const noticedSet = new Set(noticed);
  const others = [
    ...warmUpIds,
    ...ids.filter((id): id is string => id !== undefined && !noticedSet.has(id) && !failedNotices.has(id)),
  ];
  const sample = others.filter((_, index) => index % OTHERS_SAMPLE_EVERY === 0);
  const exactStateOf = async (id: string) => {
    const answer = await controller.expect('GET', `/agreements/${id}`, 200);
    return `${answer.body.status} version ${answer.headers.get('etag')}`;
  };
  const listed = async () => {
    const states = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await controller.expect(
        'GET',
        `/agreements?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        200,
      );
      for (const item of page.body.items as { id: string; status: string; updatedAt: string }[]) {
        states.set(item.id, `${item.status} updated ${item.updatedAt}`);
      }
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    return states;
  };
  const listedBefore = await listed();
  const exactBefore = new Map<string, string>();
  await pool(sample.length, concurrency, async (index) => {
    exactBefore.set(sample[index]!, await exactStateOf(sample[index]!));
  });
  progress(
    `  notice on ${noticed.length} in ${Math.round(noticeMs / 1000)} s; moving the clock by ${ADVANCE}...`,
  );

  const advanceStarted = performance.now();
  const advanced = await controller.request('POST', '/local/clock', { advanceBy: ADVANCE }, 30 * 60_000);
  result.advance = {
    by: ADVANCE,
    elapsedMs: Math.round(performance.now() - advanceStarted),
    status: advanced.status,
  };
  progress(`  clock moved by ${ADVANCE} in ${(result.advance.elapsedMs / 1000).toFixed(1)} s; checking...`);
  if (advanced.status !== 200)
    throw new Error(`POST /local/clock: ${advanced.status} ${JSON.stringify(advanced.body)}`);

  const checkStarted = performance.now();
  const wrong: string[] = [];
  await pool(noticed.length, concurrency, async (index) => {
    const id = noticed[index]!;
    const agreement = await controller.expect('GET', `/agreements/${id}`, 200);
    const expectedDay = plusDays(terminatesOn.get(id)!, 1);
    const entries: { at: string; toStatus?: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await controller.expect(
        'GET',
        `/agreements/${id}/history?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        200,
      );
      entries.push(...(page.body.items as typeof entries));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    const terminated = entries.filter((entry) => entry.toStatus === 'TERMINATED');
    const day = terminated.length === 1 ? osloDateOf(new Date(terminated[0]!.at)) : undefined;
    if (agreement.body.status !== 'TERMINATED' || day !== expectedDay) {
      wrong.push(
        `${id}: ${agreement.body.status}, ${terminated.length} TERMINATED entries ${terminated.map((e) => e.at).join(' ')} (expected on ${expectedDay})`,
      );
    }
  });
  const changed: string[] = [];
  const listedAfter = await listed();
  for (const id of others) {
    const [was, is] = [listedBefore.get(id), listedAfter.get(id)];
    if (was === undefined || was !== is)
      changed.push(`${id}: ${was ?? 'not listed'} -> ${is ?? 'not listed'}`);
  }
  await pool(sample.length, concurrency, async (index) => {
    const id = sample[index]!;
    const after = await exactStateOf(id);
    if (after !== exactBefore.get(id)) changed.push(`${id}: ${exactBefore.get(id)} -> ${after}`);
  });
  result.failedRequests = failures.length;
  result.failures = failures.slice(0, 20);
  result.check = {
    noticed: noticed.length,
    terminatedOnTheDayAfter: noticed.length - wrong.length,
    wrong: wrong.slice(0, 20),
    others: others.length,
    othersReadOneByOne: sample.length,
    changed: changed.slice(0, 20),
    changedCount: changed.length,
    elapsedMs: Math.round(performance.now() - checkStarted),
  };
  return result;
}
