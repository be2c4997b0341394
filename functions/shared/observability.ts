import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  DimensionedMetric,
  type DimensionedMetricId,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  ServiceMetric,
} from './service-metrics.ts';
import { sourceMappedStack } from './source-mapped-stack.ts';

/**
 * Structured logs and business metrics of every function (Powertools Logger and Metrics):
 * one JSON line per invocation and per error, each carrying the Lambda request id, a correlation id
 * and the agreement id where there is one; metrics as CloudWatch EMF, flushed at the end of each
 * invocation. Nothing here logs a body, a token or a contact person: only ids, routes, statuses and
 * organisation numbers.
 *
 * Settings are the Powertools environment variables (`POWERTOOLS_LOG_LEVEL`,
 * `POWERTOOLS_METRICS_DISABLED`); CDK sets them on AWS, the local stack sets them for its process.
 */

/** Request and response header carrying the correlation id. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

let powertools:
  | { logger: Logger; metrics: Metrics; lambdaContext: ReturnType<typeof injectLambdaContext> }
  | undefined;

/**
 * Created on first use rather than on import, because Powertools reads its environment variables
 * when constructed and the local stack imports this module (through its server) before it sets them.
 */
function tools() {
  if (!powertools) {
    const logger = new Logger({ serviceName: SERVICE_NAME });
    powertools = {
      logger,
      metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
      // Never the event: bodies hold names, e-mail addresses and phone numbers; headers hold tokens.
      lambdaContext: injectLambdaContext(logger, { logEvent: false }),
    };
  }
  return powertools;
}

/** The service's logger. */
export const logger = (): Logger => tools().logger;

/** Logs an error once, with its stack, and without the data some errors carry (see `loggableError`). */
export function logError(message: string, error: unknown, keys: Record<string, unknown> = {}): void {
  logger().error(message, { ...keys, error: loggableError(error) });
}

/** Counts a committed change (call it after the write succeeded); flushed when the invocation ends. */
export function countMetric(metric: keyof typeof ServiceMetric, count = 1): void {
  tools().metrics.addMetric(ServiceMetric[metric], MetricUnit.Count, count);
}

/** Counts a committed change under one value of the metric's extra dimension; emitted at once. */
export function countMetricBy(id: DimensionedMetricId, value: string): void {
  const { name, dimension } = DimensionedMetric[id];
  const single = tools().metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, 1);
}

/**
 * A correlation id from a client is taken when it is a plain token (letters, digits and `._:/+=-`,
 * at most 128 characters); anything else, including a bare number (it could be a national identity
 * number) and anything with an `@`, is replaced by a generated one.
 */
const SANE_CORRELATION_ID = /^[\w.:/+=-]{1,128}$/;

export function correlationIdFrom(candidate: unknown): string {
  return typeof candidate === 'string' && SANE_CORRELATION_ID.test(candidate) && !/^\d+$/.test(candidate)
    ? candidate
    : crypto.randomUUID();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Only an id of the shape we issue is logged: a path segment can hold anything a client typed. */
const agreementIdFrom = (candidate: unknown): string | undefined =>
  typeof candidate === 'string' && UUID.test(candidate) ? candidate : undefined;

/** Powertools' own middleware: the Lambda context (request id, function, cold start) in every line. */
export const lambdaContextInLogs: middy.MiddlewareObj = {
  before: (request) => tools().lambdaContext.before?.(request as never),
  after: (request) => tools().lambdaContext.after?.(request as never),
  onError: (request) => tools().lambdaContext.onError?.(request as never),
};

interface Invocation {
  correlationId: string;
  startedAt: number;
}

const INVOCATION = 'dpa:observability';

function begin(request: middy.Request, correlationId: string, agreementId: string | undefined): void {
  const log = logger();
  log.resetKeys(); // nothing of the previous invocation
  log.appendKeys({ correlation_id: correlationId, ...(agreementId ? { agreement_id: agreementId } : {}) });
  const invocation: Invocation = { correlationId, startedAt: performance.now() };
  (request.internal as Record<string, unknown>)[INVOCATION] = invocation;
}

function invocationOf(request: middy.Request): Invocation {
  const invocation = (request.internal as Record<string, unknown>)[INVOCATION] as Invocation | undefined;
  return invocation ?? { correlationId: crypto.randomUUID(), startedAt: performance.now() };
}

const durationMs = (invocation: Invocation) => Math.round(performance.now() - invocation.startedAt);

function flushMetrics(): void {
  const { metrics } = tools();
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

interface HttpEventLike {
  routeKey?: string;
  headers?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
}

interface HttpResponseLike {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
}

const headerOf = (headers: HttpEventLike['headers'], name: string): string | undefined =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/**
 * The correlation id goes into the response header and, for problem+json, into the body as the
 * extension member `correlationId` (RFC 9457 §3.2).
 */
function stampCorrelationId(response: HttpResponseLike, correlationId: string): void {
  response.headers = { ...response.headers, [CORRELATION_ID_HEADER]: correlationId };
  const contentType = String(headerOf(response.headers as HttpEventLike['headers'], 'content-type') ?? '');
  if (!contentType.startsWith('application/problem+json') || typeof response.body !== 'string') return;
  try {
    const problem: unknown = JSON.parse(response.body);
    if (problem && typeof problem === 'object' && !Array.isArray(problem)) {
      response.body = JSON.stringify({ ...problem, correlationId });
    }
  } catch {
    // Not JSON after all: the header still carries the id.
  }
}

/**
 * The middy plugin of every HTTP handler. A plugin rather than a middleware because its end hook runs
 * for every outcome, including a response a `before` middleware returns early (which skips every
 * `after`), so the correlation id is on every response.
 */
export const httpObservability: middy.PluginObject = {
  requestStart: (request) => {
    const event = (request.event ?? {}) as HttpEventLike;
    begin(
      request,
      correlationIdFrom(headerOf(event.headers, CORRELATION_ID_HEADER)),
      agreementIdFrom(event.pathParameters?.id),
    );
  },
  requestEnd: (request) => {
    const invocation = invocationOf(request);
    const response = request.response as HttpResponseLike | undefined;
    const route = ((request.event ?? {}) as HttpEventLike).routeKey;
    if (response && typeof response === 'object') {
      // The response object is the one middy returns: it is changed in place, not replaced.
      stampCorrelationId(response, invocation.correlationId);
      logger().info('Request completed', {
        route,
        status: response.statusCode,
        duration_ms: durationMs(invocation),
        correlation_id: invocation.correlationId,
      });
    } else {
      logError('Request failed', request.error, { route, correlation_id: invocation.correlationId });
    }
    flushMetrics();
  },
};

/** The middy plugin of task and scheduled handlers: one line per invocation, the error once. */
const taskObservability: middy.PluginObject = {
  requestStart: (request) => {
    const event = request.event as { agreementId?: unknown } | null | undefined;
    begin(request, crypto.randomUUID(), agreementIdFrom(event?.agreementId));
  },
  requestEnd: (request) => {
    const invocation = invocationOf(request);
    if (request.error === undefined) {
      logger().info('Task completed', { duration_ms: durationMs(invocation) });
    } else {
      logError('Task failed', request.error, { duration_ms: durationMs(invocation) });
    }
    flushMetrics();
  },
  // A task that runs out of time fails as Lambda fails it, which the workflows' policies expect.
  timeoutEarlyInMillis: 0,
};

/**
 * A handler invoked by a state machine or a schedule, in the one middy stack: JSON logs with the
 * Lambda context, the agreement id of its input, the error once, and its metrics flushed at the end.
 */
export function observedTask<Event, Output>(
  handle: (event: Event) => Promise<Output>,
): (event?: Event, context?: Context) => Promise<Output> {
  const run = middy<Event, Output>(taskObservability)
    .use(lambdaContextInLogs)
    .handler((event) => handle(event));
  return (event, context) => run(event as Event, (context ?? {}) as Context);
}

/**
 * An error as it may be logged: name, message, stack (in the original sources) and cause. Powertools would also copy every
 * other enumerable field, and some errors carry data: a cancelled DynamoDB transaction carries the
 * items it read (with names and e-mail addresses of contact persons).
 */
export function loggableError(error: unknown, depth = 0): Error {
  if (!(error instanceof Error)) return new Error(`A non-error was thrown (${typeof error})`);
  const cause = error.cause !== undefined && depth < 3 ? loggableError(error.cause, depth + 1) : undefined;
  const copy = new Error(error.message, cause ? { cause } : undefined);
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = sourceMappedStack(error.stack);
  return copy;
}
