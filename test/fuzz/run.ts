import { parseArgs } from 'node:util';
import { httpFunctions } from '../../functions/catalogue.ts';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.ts';
import { startInProcessStack } from '../support/in-process-stack.ts';
import { closeConnections, diffSnapshots, snapshotTable } from './checks.ts';
import { describeViolation, fuzzRoute, type RouteReport } from './fuzz-route.ts';
import { routesWithoutGenerator } from './hostile-requests.ts';
import { buildWorld, type World } from './world.ts';

/**
 * `npm run fuzz -- --runs 10000 --seed 42`: the fuzz test's generators and checks, at any scale, on a
 * local stack and DynamoDB Local of its own. Every request is sent (a violation does not stop the run),
 * and the run ends with the status histogram and every violation; the exit code is 1 if there was any.
 */

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000_007) },
    route: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed S] [--route <route id>]');
  process.exit(2);
}
const missing = routesWithoutGenerator();
if (missing.length > 0) {
  console.error(`No hostile request generator for: ${missing.join(', ')}`);
  process.exit(1);
}
const routes = httpFunctions.filter((fn) => !values.route || fn.id === values.route);
if (routes.length === 0) {
  console.error(`No route with the id ${values.route}; the ids are in functions/catalogue.ts`);
  process.exit(2);
}
const perRoute = Math.ceil(runs / routes.length);

console.log(`fuzz: seed ${seed}, ${perRoute} requests on each of ${routes.length} routes`);
const started = Date.now();
const dynamo = await startDynamoDbLocal();
const local = await startInProcessStack({ dynamoEndpoint: dynamo.endpoint });
const reports: RouteReport[] = [];
const stateChanges: { route: string; changes: string[] }[] = [];
try {
  const settle = () => local.stack.stepFunctions.idle();
  let world: World = await buildWorld(local.url, settle);
  console.log(`fuzz: local stack and agreements ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let sent = 0;
  const total = perRoute * routes.length;
  for (const fn of routes) {
    const before = await snapshotTable(local.dynamoEndpoint, local.tableName);
    const report = await fuzzRoute(fn, world, {
      seed,
      numRuns: perRoute,
      stopAtFirst: false,
      onSent: () => {
        sent += 1;
        if (sent % 500 === 0) console.log(`fuzz: ${sent}/${total} sent (${fn.method} ${fn.path})`);
      },
    });
    reports.push(report);
    const changes = diffSnapshots(before, await snapshotTable(local.dynamoEndpoint, local.tableName));
    if (changes.length > 0) {
      stateChanges.push({ route: `${fn.method} ${fn.path}`, changes });
      world = await buildWorld(local.url, settle);
    }
    if (report.violations.length > 0) {
      console.log(`fuzz: ${report.violations.length} violation(s) on ${fn.method} ${fn.path}`);
    }
  }
} finally {
  closeConnections();
  await local.stop();
  await dynamo.stop();
}

const histogram = new Map<number, number>();
for (const report of reports) {
  for (const [status, count] of report.statuses) histogram.set(status, (histogram.get(status) ?? 0) + count);
}
const sentTotal = reports.reduce((sum, report) => sum + report.sent, 0);
console.log(`\nfuzz: ${sentTotal} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}`);
console.log('status histogram:');
for (const [status, count] of [...histogram].sort(([a], [b]) => a - b)) {
  console.log(`  ${status === 0 ? 'no answer' : status}: ${count}`);
}
const serverErrors = [...histogram].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
const violations = reports.flatMap((report) => report.violations);
for (const report of reports.filter((candidate) => candidate.violations.length > 0)) {
  console.log(`\n${report.route}: ${report.violations.length} violation(s); the first ones:`);
  for (const violation of report.violations.slice(0, 5)) console.log(describeViolation(violation));
}
for (const { route, changes } of stateChanges) {
  console.log(`\n${route} changed the table:\n  ${changes.slice(0, 20).join('\n  ')}`);
}
console.log(
  `\nfuzz: ${serverErrors} answer(s) >= 500, ${violations.length} violation(s), ${stateChanges.length} route(s) that changed state` +
    (violations.length + stateChanges.length > 0 ? `; reproduce with --seed ${seed}` : ''),
);
process.exit(violations.length + stateChanges.length + serverErrors > 0 ? 1 : 0);
