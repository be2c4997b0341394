import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';

export type ConsumerStyle = 'flattened' | 'json' | 'object';

/**
 * Maskinporten's `consumer` claim as a handler may see it: API Gateway hands nested claims over
 * flattened into a string, a JSON string is what some authorizers pass on, the object is the raw claim.
 */
export function consumerClaim(orgNumber: string, style: ConsumerStyle = 'flattened'): unknown {
  const claim = { authority: 'iso6523-actorid-upis', ID: `0192:${orgNumber}` };
  if (style === 'object') return claim;
  if (style === 'json') return JSON.stringify(claim);
  return `map[ID:0192:${orgNumber} authority:iso6523-actorid-upis]`;
}

export function claimsFor(orgNumber: string, style: ConsumerStyle = 'flattened'): Record<string, unknown> {
  return { consumer: consumerClaim(orgNumber, style), scope: 'dpa:read dpa:write', client_id: 'test-client' };
}

export interface EventOptions {
  /** The caller's organisation; ignored when `claims` is given. */
  orgNumber?: string;
  /** Raw JWT claims; `null` for a request without any. */
  claims?: Record<string, unknown> | null;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as it is. */
  body?: unknown;
}

/** An API Gateway HTTP API (payload 2.0) event with a JWT authorizer's claims. */
export function httpEvent(routeKey: string, rawPath: string, options: EventOptions = {}) {
  const [method] = routeKey.split(' ');
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const claims = options.claims === undefined ? claimsFor(options.orgNumber ?? '954748634') : options.claims;
  const event = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      host: 'api.example.test',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: '22/Nov/2026:10:00:00 +0000',
      timeEpoch: Date.parse('2026-11-22T10:00:00Z'),
      ...(claims === null
        ? {}
        : { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: null } } }),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
  return event as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export const lambdaContext = {} as Context;

type Handler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Response {
  statusCode: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted field by field in the tests
  body: any;
}

/** Invokes a handler and parses its JSON body. */
export async function invoke(
  handler: Handler,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<Response> {
  const result = await handler(event, lambdaContext);
  return {
    statusCode: result.statusCode ?? 0,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}
