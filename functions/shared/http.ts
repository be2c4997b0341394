import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, validationError } from '../domain/errors.ts';
import type * as z from '../domain/zod.ts';
import { authenticate } from './authentication.ts';
import type { Caller } from './caller.ts';
import { httpObservability, lambdaContextInLogs, logger } from './observability.ts';
import { problemResponse } from './problem.ts';

/** Bodies above this size are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

export type HttpEvent = APIGatewayProxyEventV2;

export interface HttpRequest<Body, Query> {
  caller: Caller;
  body: Body;
  query: Query;
  params: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** `METHOD /path` as routed, for the audit log. */
  route: string;
}

export interface HttpResult {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as these bytes instead of a JSON body (e.g. a PDF). */
  file?: { contentType: string; bytes: Uint8Array };
  headers?: Record<string, string>;
}

interface RouteSpec<Body, Query> {
  body?: z.ZodMiniType<Body>;
  query?: z.ZodMiniType<Query>;
}

/**
 * The one middy stack every HTTP handler uses: headers normalised, the caller taken from the bearer
 * token it verifies itself (authentication.ts: signature, issuer, audience, expiry, the method's scope), body and query validated with the route's zod schemas, errors turned into problem+json
 * (the error middleware is last, so every failure is answered the same way).
 */
export function httpHandler<Body = undefined, Query = undefined>(
  spec: RouteSpec<Body, Query>,
  handle: (request: HttpRequest<Body, Query>) => Promise<HttpResult>,
) {
  return middy<HttpEvent, APIGatewayProxyStructuredResultV2>(httpObservability)
    .use(lambdaContextInLogs)
    .use(problemOnError())
    .use(httpHeaderNormalizer())
    .handler(async (event) => {
      const caller = await authenticate(event.headers ?? {}, event.requestContext.http.method);
      logger().appendKeys({ caller_org: caller.orgNumber, client_id: caller.clientId });
      const body = parseBody(event, spec.body);
      const query = parseWith(spec.query, event.queryStringParameters ?? {}, 'Invalid query parameters');
      const result = await handle({
        caller,
        body: body as Body,
        query: query as Query,
        params: (event.pathParameters ?? {}) as Record<string, string>,
        headers: event.headers ?? {},
        route: event.routeKey,
      });
      return toResponse(result);
    });
}

/**
 * For the public routes (no token): the same error handling, no caller; the path parameters for a
 * route whose credential is in its path (the calendar feed's secret address).
 */
export function publicHttpHandler(
  handle: (request: { params: Record<string, string> }) => Promise<HttpResult>,
) {
  return middy<HttpEvent, APIGatewayProxyStructuredResultV2>(httpObservability)
    .use(lambdaContextInLogs)
    .use(problemOnError())
    .handler(async (event) =>
      toResponse(await handle({ params: (event.pathParameters ?? {}) as Record<string, string> })),
    );
}

function problemOnError(): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      request.response = problemResponse(request.error);
    },
  };
}

function toResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result.file) {
    // Payload format 2.0: API Gateway decodes a base64 body marked so and sends the bytes.
    return {
      statusCode: result.status,
      headers: { 'content-type': result.file.contentType, 'cache-control': 'no-store', ...result.headers },
      body: Buffer.from(result.file.bytes).toString('base64'),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: result.status,
    headers: {
      ...(result.body === undefined ? {} : { 'content-type': 'application/json' }),
      'cache-control': 'no-store',
      ...result.headers,
    },
    ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
  };
}

function parseBody<Body>(event: HttpEvent, schema: z.ZodMiniType<Body> | undefined): Body | undefined {
  if (!schema) return undefined;
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new DomainError('too-large', `The request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  let json: unknown = {};
  if (raw.trim() !== '') {
    const contentType = event.headers?.['content-type'] ?? '';
    if (!/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
      throw new DomainError('unsupported-media-type', 'The request body must be application/json');
    }
    try {
      json = JSON.parse(raw);
    } catch {
      throw validationError('The request body is not valid JSON', [
        { field: '(body)', message: 'malformed JSON' },
      ]);
    }
  }
  return parseWith(schema, json, 'The request body is invalid');
}

export function parseWith<T>(
  schema: z.ZodMiniType<T> | undefined,
  input: unknown,
  message: string,
): T | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...base, key].join('.'), message: 'unknown field' }));
    }
    return [{ field: base.join('.') || '(body)', message: issue.message }];
  });
  const fields = [...new Set(errors.map((e) => e.field))].join(', ');
  throw validationError(`${message}: ${fields}`, errors);
}

/** Strong ETag of an agreement version. */
export const etagOf = (version: number) => `"${version}"`;
