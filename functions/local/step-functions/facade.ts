import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionListItem, ExecutionStatus, LocalStepFunctions } from './engine.ts';
import { StepFunctionsError } from './errors.ts';

/**
 * The Step Functions API over the local engine, in the AWS JSON 1.0 protocol `@aws-sdk/client-sfn`
 * speaks (POST, `x-amz-target: AWSStepFunctions.<Operation>`), so handlers reach it with the real SDK
 * and only an endpoint override (`AWS_ENDPOINT_URL_SFN`). Errors are HTTP 400 with `__type` set to the
 * AWS error name, which the SDK turns into the matching named exception. Dates are epoch seconds.
 */

type Body = Record<string, unknown>;
type Operation = (engine: LocalStepFunctions, body: Body) => Promise<unknown> | unknown;

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];

const operations: Record<string, Operation> = {
  StartExecution: async (engine, body) => {
    const started = await engine.startExecution({
      stateMachineArn: requiredString(body, 'stateMachineArn'),
      name: optionalString(body, 'name'),
      input: optionalString(body, 'input'),
    });
    return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
  },
  DescribeExecution: (engine, body) => {
    const execution = engine.describeExecution(requiredString(body, 'executionArn'));
    return {
      ...execution,
      startDate: epochSeconds(execution.startDate),
      stopDate: execution.stopDate && epochSeconds(execution.stopDate),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  },
  StopExecution: async (engine, body) => {
    const stopped = await engine.stopExecution(requiredString(body, 'executionArn'), {
      error: optionalString(body, 'error'),
      cause: optionalString(body, 'cause'),
    });
    return { stopDate: epochSeconds(stopped.stopDate) };
  },
  SendTaskSuccess: async (engine, body) => {
    await engine.sendTaskSuccess(requiredString(body, 'taskToken'), requiredString(body, 'output'));
    return {};
  },
  SendTaskFailure: async (engine, body) => {
    await engine.sendTaskFailure(
      requiredString(body, 'taskToken'),
      optionalString(body, 'error'),
      optionalString(body, 'cause'),
    );
    return {};
  },
  SendTaskHeartbeat: async (engine, body) => {
    await engine.sendTaskHeartbeat(requiredString(body, 'taskToken'));
    return {};
  },
  ListExecutions: (engine, body) => {
    const statusFilter = optionalString(body, 'statusFilter');
    if (statusFilter !== undefined && !STATUSES.includes(statusFilter as ExecutionStatus)) {
      throw new StepFunctionsError('ValidationException', `Invalid statusFilter '${statusFilter}'`);
    }
    const all = engine.listExecutions(
      requiredString(body, 'stateMachineArn'),
      statusFilter as ExecutionStatus | undefined,
    );
    const maxResults =
      typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : 100;
    const offset = optionalString(body, 'nextToken') === undefined ? 0 : Number(body.nextToken);
    if (!Number.isInteger(offset) || offset < 0)
      throw new StepFunctionsError('ValidationException', 'Invalid nextToken');
    const page = all.slice(offset, offset + maxResults);
    return {
      executions: page.map((item: ExecutionListItem) => ({
        ...item,
        startDate: epochSeconds(item.startDate),
        stopDate: item.stopDate && epochSeconds(item.stopDate),
      })),
      nextToken: offset + maxResults < all.length ? String(offset + maxResults) : undefined,
    };
  },
};

/**
 * Returns a request handler for the local HTTP server. `body` may be given when the server has already
 * read the request; otherwise the handler reads it from `request`.
 */
export function createStepFunctionsFacade(
  engine: LocalStepFunctions,
): (request: IncomingMessage, response: ServerResponse, body?: Buffer) => Promise<void> {
  return async (request, response, body) => {
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX)
        ? operations[target.slice(TARGET_PREFIX.length)]
        : undefined;
      if ((request.method ?? 'POST').toUpperCase() !== 'POST' || !operation) {
        return sendError(response, 'UnknownOperationException', `Unsupported operation '${target}'`);
      }
      const text = (body ?? (await readBody(request))).toString('utf8');
      let parsed: unknown;
      try {
        parsed = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return sendError(response, 'SerializationException', 'The request body is not JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return sendError(response, 'SerializationException', 'The request body must be a JSON object');
      }
      send(response, 200, await operation(engine, parsed as Body));
    } catch (error) {
      if (error instanceof StepFunctionsError) return sendError(response, error.name, error.message);
      console.error('Step Functions facade: unexpected error', error);
      send(response, 500, { __type: 'InternalServerError', message: (error as Error).message });
    }
  };
}

function requiredString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new StepFunctionsError(
      'ValidationException',
      `1 validation error detected: '${field}' must not be null`,
    );
  }
  return value;
}

function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new StepFunctionsError('ValidationException', `'${field}' must be a string`);
  return value;
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

function sendError(response: ServerResponse, type: string, message: string): void {
  send(response, 400, { __type: type, message }, { 'x-amzn-errortype': type });
}

function send(
  response: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}
