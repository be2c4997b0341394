import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { HttpFunction } from '../catalogue.ts';

/**
 * What API Gateway (HTTP API, payload v2) does in front of the handlers, reproduced for the local stack:
 * routing and the event; no authorizer, as on AWS (the handlers verify the bearer token themselves).
 */
export interface LocalRoute {
  fn: HttpFunction;
  pattern: RegExp;
  parameterNames: string[];
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
}

export function compileRoute(fn: HttpFunction, handler: LocalRoute['handler']): LocalRoute {
  const parameterNames: string[] = [];
  const source = fn.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{(\w+)\\?\}/g, (_match, name: string) => {
      parameterNames.push(name);
      return '([^/]+)';
    });
  return { fn, pattern: new RegExp(`^${source}$`), parameterNames, handler };
}

export function matchRoute(
  routes: LocalRoute[],
  method: string,
  path: string,
): { route: LocalRoute; pathParameters: Record<string, string> } | { methodNotAllowed: boolean } {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.fn.method !== method) continue;
    const pathParameters = Object.fromEntries(
      route.parameterNames.map((name, index) => [name, decodePathSegment(match[index + 1]!)]),
    );
    return { route, pathParameters };
  }
  return { methodNotAllowed: pathMatched };
}

/**
 * A segment with a badly formed percent-escape (`%E0%A4%A`, `%u0041`) names nothing: it reaches the
 * handler as it was sent, which answers 404 as for any unknown id, never a 500 from a URIError.
 */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function toEvent(request: {
  route: LocalRoute;
  method: string;
  path: string;
  rawQueryString: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  pathParameters: Record<string, string>;
  sourceIp: string;
  now: Date;
}): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(',') : value]),
  );
  const query = new URLSearchParams(request.rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of query) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const routeKey = `${request.route.fn.method} ${request.route.fn.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    headers,
    ...(query.size > 0 ? { queryStringParameters } : {}),
    ...(request.route.parameterNames.length > 0 ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey,
      stage: '$default',
      time: request.now.toUTCString(),
      timeEpoch: request.now.getTime(),
    },
    ...(request.body.length > 0 ? { body: request.body.toString('utf8') } : {}),
    isBase64Encoded: false,
  };
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-north-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
