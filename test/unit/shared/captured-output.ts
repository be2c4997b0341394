import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, vi } from 'vitest';

/**
 * What the handlers write to stdout and stderr (Powertools writes there, not through `console`), for
 * the tests of one file. Turns on the logs and metrics that vitest.config.ts turns off for the other
 * test files: Powertools reads these settings when the first handler runs, which is after this.
 */
export function useCapturedOutput(): { text: () => string; logs: () => LogLine[]; metrics: () => EmfLine[] } {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  let chunks: string[] = [];
  beforeEach(() => {
    chunks = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
        chunks.push(String(chunk));
        return true;
      }) as typeof stream.write);
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const records = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    text: () => chunks.join(''),
    logs: () => records().filter((record): record is LogLine => 'level' in record),
    metrics: () => records().filter((record): record is EmfLine => '_aws' in record),
  };
}

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

export interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** The metrics of the EMF lines written, as `{name: value}` per line, with their namespace and dimensions. */
export function emitted(lines: EmfLine[]) {
  return lines.flatMap((line) =>
    line._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        namespace: directive.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        value: line[metric.Name],
        dimensions: Object.fromEntries(directive.Dimensions.flat().map((key) => [key, line[key]])),
      })),
    ),
  );
}

/** The context Lambda hands a handler; `awsRequestId` is the request id every log line carries. */
export function lambdaContext(
  functionName: string,
  awsRequestId = 'c0ffee00-1111-4222-8333-444455556666',
): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-north-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
