import fc from 'fast-check';
import type { HttpFunction } from '../../functions/catalogue.ts';
import { type Outcome, send, violationsOf } from './checks.ts';
import { type HostileRequest, hostileRequests, printRequest } from './hostile-requests.ts';
import type { World } from './world.ts';

/**
 * One route under fire: `numRuns` hostile requests from the seeded generator, each answer checked.
 * With `stopAtFirst`, fast-check stops at the first violation and shrinks it to a small request that
 * still fails (the test); without, every request is sent and every violation kept (`npm run fuzz`).
 */
export interface RouteReport {
  route: string;
  sent: number;
  statuses: Map<number, number>;
  violations: { request: HostileRequest; outcome: Outcome; problems: string[] }[];
  /** fast-check's report of the (shrunk) counterexample, with its seed and path. */
  counterexample?: string;
}

export async function fuzzRoute(
  fn: HttpFunction,
  world: World,
  options: { seed: number; numRuns: number; stopAtFirst: boolean; onSent?: () => void },
): Promise<RouteReport> {
  const report: RouteReport = { route: fn.id, sent: 0, statuses: new Map(), violations: [] };
  const property = fc.asyncProperty(fc.limitShrink(hostileRequests(fn, world), 60), async (hostile) => {
    const outcome = await send(world, hostile);
    report.sent += 1;
    report.statuses.set(outcome.status, (report.statuses.get(outcome.status) ?? 0) + 1);
    options.onSent?.();
    const problems = violationsOf(hostile, outcome);
    if (problems.length === 0) return true;
    report.violations.push({ request: hostile, outcome, problems });
    if (!options.stopAtFirst) return true;
    throw new Error(`${problems.join('; ')}\n${describeOutcome(outcome)}`);
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.numRuns,
    includeErrorInReport: true,
  });
  if (details.failed) {
    const last = report.violations.at(-1);
    report.counterexample = [
      fc.defaultReportMessage(details),
      ...(last ? ['The shrunk request:', describeViolation(last)] : []),
    ].join('\n');
  }
  return report;
}

export function describeOutcome(outcome: Outcome): string {
  if (outcome.transportError) return `no answer: ${outcome.transportError}`;
  const body = outcome.body.length > 500 ? `${outcome.body.slice(0, 500)}…` : outcome.body;
  return `answer: ${outcome.status} ${outcome.headers['content-type'] ?? '(no content type)'} ${body}`;
}

export const describeViolation = (violation: RouteReport['violations'][number]) =>
  `${printRequest(violation.request)}\n  => ${violation.problems.join('; ')}\n  ${describeOutcome(violation.outcome)}`;
