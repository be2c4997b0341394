import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { registeredClaims, signToken, useTestIssuer } from '../../support/bearer-tokens.ts';

export type ConsumerStyle = 'flattened' | 'json' | 'object';

/**
 * Maskinporten's `consumer` claim: the object is what a verified token carries; the flattened string
 * (API Gateway's JWT authorizer) and the JSON string (some other authorizers) are forms `callerFromClaims`
 * still reads.
 */
export function consumerClaim(orgNumber: string, style: ConsumerStyle = 'object'): unknown {
  const claim = { authority: 'iso6523-actorid-upis', ID: `0192:${orgNumber}` };
  if (style === 'object') return claim;
  if (style === 'json') return JSON.stringify(claim);
  return `map[ID:0192:${orgNumber} authority:iso6523-actorid-upis]`;
}

export function claimsFor(orgNumber: string, style: ConsumerStyle = 'object'): Record<string, unknown> {
  return { consumer: consumerClaim(orgNumber, style), scope: 'dpa:read dpa:write', client_id: 'test-client' };
}

export interface EventOptions {
  /** The caller's organisation; ignored when `claims` is given. */
  orgNumber?: string;
  /**
   * The token's claims (the payload of the signed bearer token sent; the issuer, audience, expiry and
   * an id are added unless given); `null` for a request without an Authorization header.
   */
  claims?: Record<string, unknown> | null;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as it is. */
  body?: unknown;
}

/**
 * An API Gateway HTTP API (payload 2.0) event carrying a bearer token signed by the tests' issuer, which
 * the handler verifies against that issuer's key set (a `data:` URL, see bearer-tokens.ts).
 */
export function httpEvent(routeKey: string, rawPath: string, options: EventOptions = {}) {
  const [method] = routeKey.split(' ');
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const claims = options.claims === undefined ? claimsFor(options.orgNumber ?? '954748634') : options.claims;
  if (claims !== null) useTestIssuer();
  const authorization =
    claims === null ? {} : { authorization: `Bearer ${signToken({ ...registeredClaims(), ...claims })}` };
  const event = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      host: 'api.example.test',
      ...authorization,
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
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
  return event as unknown as APIGatewayProxyEventV2;
}

export const lambdaContext = {} as Context;

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Response {
  statusCode: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted field by field in the tests
  body: any;
}

/** Invokes a handler and parses its JSON body. */
export async function invoke(handler: Handler, event: APIGatewayProxyEventV2): Promise<Response> {
  const result = await handler(event, lambdaContext);
  return {
    statusCode: result.statusCode ?? 0,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}
