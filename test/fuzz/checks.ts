import { Agent, request as httpRequest } from 'node:http';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { HostileRequest } from './hostile-requests.ts';
import type { World } from './world.ts';

/**
 * What the fuzzer asserts about every answer, and how it sends and compares: requests go out byte for
 * byte as generated (node:http, so paths, content types and bodies are not tidied up on the way), and
 * the table is compared before and after with a Scan, which only a test may do.
 */

export interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when no HTTP answer came (reset connection, timeout). */
  transportError?: string;
  /**
   * The connection kept alive after this earlier request was unusable: the request was sent again on a
   * new connection (and this is its answer), and the earlier one is to blame.
   */
  brokenConnectionAfter?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let previous: { summary: string; endedAt: number } | undefined;
/**
 * A kept-alive connection idle for longer than this may have been closed by the server in the
 * meantime (Node's keepAliveTimeout is 5 s): a reset then blames no one.
 */
const IDLE_CLOSE_MS = 1_000;

export async function send(world: World, hostile: HostileRequest, timeoutMs = 30_000): Promise<Outcome> {
  const first = await sendOnce(world, hostile, agent, timeoutMs);
  const before = previous;
  if (first.transportError && first.reusedConnection) {
    const again = await sendOnce(world, hostile, false, timeoutMs);
    previous = { summary: summary(hostile, again), endedAt: Date.now() };
    const blame = before && first.startedAt - before.endedAt < IDLE_CLOSE_MS ? before.summary : undefined;
    return { ...again.outcome, ...(blame ? { brokenConnectionAfter: blame } : {}) };
  }
  previous = { summary: summary(hostile, first), endedAt: Date.now() };
  return first.outcome;
}

const summary = (hostile: HostileRequest, sent: { outcome: Outcome }) =>
  `${hostile.method} ${hostile.path.slice(0, 120)} (${hostile.defect.slice(0, 120)}${
    hostile.body ? `, a body of ${Buffer.byteLength(hostile.body)} bytes` : ''
  }) answered ${sent.outcome.transportError ?? sent.outcome.status}`;

function sendOnce(
  world: World,
  hostile: HostileRequest,
  through: Agent | false,
  timeoutMs: number,
): Promise<{ outcome: Outcome; transportError?: string; reusedConnection: boolean; startedAt: number }> {
  const startedAt = Date.now();
  const url = new URL(world.url);
  const body = hostile.body === undefined ? undefined : Buffer.from(hostile.body, 'utf8');
  const headers: Record<string, string> = {
    ...(hostile.caller === 'none' ? {} : { authorization: `Bearer ${world.tokens[hostile.caller]}` }),
    ...hostile.headers,
    ...(body ? { 'content-length': String(body.length) } : {}),
  };
  return new Promise((resolve) => {
    const failed = (error: Error) => {
      const transportError = `${error.name}: ${error.message}`;
      resolve({
        outcome: { status: 0, headers: {}, body: '', transportError },
        transportError,
        reusedConnection: outgoing.reusedSocket,
        startedAt,
      });
    };
    const outgoing = httpRequest(
      {
        agent: through,
        host: url.hostname,
        port: url.port,
        method: hostile.method,
        path: hostile.path,
        headers,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', failed);
        response.on('end', () =>
          resolve({
            outcome: {
              status: response.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([name, value]) => [
                  name,
                  Array.isArray(value) ? value.join(', ') : String(value ?? ''),
                ]),
              ),
              body: Buffer.concat(chunks).toString('utf8'),
            },
            reusedConnection: outgoing.reusedSocket,
            startedAt,
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', failed);
    outgoing.end(body);
  });
}

/** Closes the kept-alive connection (at the end of a run, so the process can exit). */
export function closeConnections(): void {
  agent.destroy();
}

interface ProblemBody {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: { field?: unknown }[];
}

/** Every way the answer breaks the contract for this request; empty when it holds. */
export function violationsOf(hostile: HostileRequest, outcome: Outcome): string[] {
  const violations: string[] = [];
  if (outcome.brokenConnectionAfter) {
    violations.push(
      `the kept-alive connection was unusable after the request before this one: ${outcome.brokenConnectionAfter}`,
    );
  }
  if (outcome.transportError) return [...violations, `no HTTP answer: ${outcome.transportError}`];
  const { status } = outcome;
  if (status >= 500) violations.push(`answered ${status}: no input may cause a server error`);
  else if (status < 200 || (status >= 300 && status < 400)) violations.push(`answered ${status}`);
  if (status >= 400 && status < 500) violations.push(...problemViolations(hostile, outcome));
  if (hostile.mustRefuse && status >= 200 && status < 300) {
    violations.push(`accepted with ${status}: ${hostile.defect} must be refused`);
  }
  if (hostile.expect && !hostile.expect.includes(status)) {
    violations.push(`expected ${hostile.expect.join(' or ')} for ${hostile.defect}, got ${status}`);
  }
  const polluted = prototypePollution();
  if (polluted) violations.push(`Object.prototype was polluted: ${polluted}`);
  return violations;
}

function problemViolations(hostile: HostileRequest, outcome: Outcome): string[] {
  const contentType = outcome.headers['content-type'] ?? '';
  if (!/^application\/problem\+json\b/i.test(contentType)) {
    return [`a ${outcome.status} must be application/problem+json, was "${contentType}"`];
  }
  let problem: ProblemBody;
  try {
    problem = JSON.parse(outcome.body) as ProblemBody;
  } catch {
    return [`a ${outcome.status} problem body is not JSON: ${outcome.body.slice(0, 200)}`];
  }
  if (typeof problem !== 'object' || problem === null) return ['the problem body is not an object'];
  const violations: string[] = [];
  if (problem.status !== outcome.status) {
    violations.push(
      `problem status ${String(problem.status)} differs from the HTTP status ${outcome.status}`,
    );
  }
  if (typeof problem.title !== 'string' || typeof problem.detail !== 'string') {
    violations.push('a problem needs a title and a human-readable detail');
  }
  if (hostile.field !== undefined && outcome.status === 400) {
    const fields = (problem.errors ?? []).map((error) => error.field);
    if (!fields.includes(hostile.field)) {
      violations.push(`the 400 must name the field "${hostile.field}"; it named ${JSON.stringify(fields)}`);
    }
  }
  return violations;
}

const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The handlers run in this process: a `__proto__` key that got merged would show here. */
function prototypePollution(): string | undefined {
  const added = Object.getOwnPropertyNames(Object.prototype).filter((name) => !PROTOTYPE_KEYS.has(name));
  const probe = {} as Record<string, unknown>;
  if (added.length > 0) return added.join(', ');
  return probe.polluted !== undefined ? 'polluted' : undefined;
}

// --- the table before and after ------------------------------------------------------------------

/**
 * Every item but the traces a read may leave, by its key: the audit log's reads, and what an evidence
 * export seals (its audit entry, the seal, and the `audit.sealed` notifications of rule 14).
 */
export type Snapshot = Map<string, string>;

export async function snapshotTable(endpoint: string, tableName: string): Promise<Snapshot> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const snapshot: Snapshot = new Map();
  try {
    for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
      for (const item of page.Items ?? []) {
        const value = unmarshall(item) as Record<string, unknown>;
        if (value.entity === 'audit' && /\.read$|^evidence\.exported$/.test(String(value.action))) continue;
        if (value.entity === 'seal' || value.type === 'audit.sealed') continue;
        snapshot.set(`${String(value.pk)} | ${String(value.sk)}`, canonicalJson(value));
      }
    }
  } finally {
    client.destroy();
  }
  return snapshot;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** Items added, removed or changed, each with enough of the item to see which request did it. */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const changes: string[] = [];
  for (const [key, value] of after) {
    const previous = before.get(key);
    if (previous === undefined) changes.push(`added   ${key}: ${value.slice(0, 400)}`);
    else if (previous !== value)
      changes.push(`changed ${key}: ${previous.slice(0, 300)} -> ${value.slice(0, 300)}`);
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push(`removed ${key}`);
  return changes;
}
