import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { orgNumberSchema } from '../domain/schemas.ts';
import * as z from '../domain/zod.ts';
import { parseWith } from '../shared/http.ts';
import { problem, problemResponse } from '../shared/problem.ts';
import { type LocalRoute, lambdaContext, matchRoute, toEvent } from './api-gateway.ts';
import type { LocalMailMessage } from './local-mail.ts';
import type { TokenIssuer } from './tokens.ts';

/** API Gateway's own payload limit; the handlers refuse smaller bodies with 413 themselves. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/**
 * A body over the limit is still read (and dropped) up to this size, so that the client gets its 413
 * and can go on using the connection; a client that sends more than this is cut off.
 */
const DRAIN_MAX_BYTES = 256 * 1024 * 1024;

export interface LocalClockControl {
  now(): Date;
  advance(request: { advanceBy?: string; set?: string }): Promise<Date>;
}

export interface LocalServerOptions {
  routes: LocalRoute[];
  tokens: TokenIssuer;
  clock: LocalClockControl;
  /** The mail the delivery function sent (rule 15), for `GET /local/mail`. */
  mail: { url: string; messages(): Promise<LocalMailMessage[]> };
}

const tokenRequestSchema = z
  .strictObject({
    orgNumber: orgNumberSchema,
    scopes: z.optional(z.array(z.enum(['dpa:read', 'dpa:write'])).check(z.maxLength(2))),
    name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    supplierOrgNumber: z.optional(orgNumberSchema),
    systemUser: z.optional(z.strictObject({ id: z.optional(z.uuid()) })),
  })
  .check(
    z.refine((request) => !request.systemUser || request.supplierOrgNumber !== undefined, {
      path: ['supplierOrgNumber'],
      message: 'A system user token needs supplierOrgNumber: the vendor whose system acts',
    }),
  );

const clockRequestSchema = z.union([
  z.strictObject({ advanceBy: z.string().check(z.minLength(2), z.maxLength(40)) }),
  z.strictObject({ set: z.iso.datetime({ offset: true }) }),
]);

export function createLocalServer(options: LocalServerOptions): Server {
  const server = createServer((request, response) => {
    void handle(options, request, response).catch((error: unknown) => {
      send(response, problemResponse(error));
    });
  });
  server.on('clientError', answerUnparsableRequest);
  return server;
}

/**
 * Node's HTTP parser refuses some requests before any handler sees them (a request line or headers over
 * its limit, a malformed request line): they get a problem+json answer too, and the connection closes,
 * since the parser cannot tell where the next request would begin.
 */
function answerUnparsableRequest(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const answer = tooLarge
    ? problem(
        431,
        'request-header-fields-too-large',
        'Request header fields too large',
        'The request line and headers exceed the gateway limit',
      )
    : problem(400, 'bad-request', 'Bad request', 'The request could not be parsed as HTTP/1.1');
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const headers = Object.entries({
    ...answer.headers,
    'content-length': String(Buffer.byteLength(answer.body)),
    connection: 'close',
  })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status}\r\n${headers}\r\n${answer.body}`);
}

async function handle(
  options: LocalServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = (request.method ?? 'GET').toUpperCase();
  const body = await readBody(request);
  if (body === 'too-large') {
    return send(
      response,
      problem(413, 'too-large', 'Request body too large', 'The gateway accepts at most 10 MB'),
    );
  }
  if (url.pathname.startsWith('/local/')) return handleLocal(options, method, url, body, response);

  const matched = matchRoute(options.routes, method, url.pathname);
  if (!('route' in matched)) {
    return matched.methodNotAllowed
      ? send(
          response,
          problem(
            405,
            'method-not-allowed',
            'Method not allowed',
            `${method} is not supported on ${url.pathname}`,
          ),
        )
      : send(response, problem(404, 'not-found', 'Not found', `No route for ${method} ${url.pathname}`));
  }
  const { route, pathParameters } = matched;
  // As on AWS, the Authorization header goes to the handler, which verifies the token itself.
  const event = toEvent({
    route,
    method,
    path: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: request.headers,
    body,
    pathParameters,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    now: options.clock.now(),
  });
  const result = await route.handler(event, lambdaContext(route.fn.id));
  send(response, {
    statusCode: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
    // As API Gateway does: a body marked base64 (a PDF) goes to the client as the bytes it encodes.
    body: result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''),
  });
}

async function handleLocal(
  options: LocalServerOptions,
  method: string,
  url: URL,
  body: Buffer,
  response: ServerResponse,
): Promise<void> {
  const path = url.pathname;
  if (path === '/local/tokens' && method === 'POST') {
    const request = parseWith(tokenRequestSchema, parseJson(body), 'Invalid token request')!;
    const accessToken = await options.tokens.issue(request);
    return sendJson(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
  }
  if (path === '/local/jwks.json' && method === 'GET') {
    // The issuer's public key, where the handlers' JWKS_URI points (Maskinporten's is its jwks_uri).
    return sendJson(response, 200, options.tokens.publicKeySet());
  }
  if (path === '/local/clock' && method === 'GET') {
    return sendJson(response, 200, { now: options.clock.now().toISOString() });
  }
  if (path === '/local/clock' && method === 'POST') {
    const request = parseWith(clockRequestSchema, parseJson(body), 'Invalid clock request')!;
    try {
      const now = await options.clock.advance(request);
      return sendJson(response, 200, { now: now.toISOString() });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return send(response, problem(400, 'validation', 'Invalid clock request', detail));
    }
  }
  if (path === '/local/mail' && method === 'GET') {
    // `?to=` keeps the mail to one address (case-insensitive), as a test or a user looks for theirs.
    const to = url.searchParams.get('to')?.toLowerCase();
    const messages = await options.mail.messages();
    return sendJson(response, 200, {
      viewer: options.mail.url,
      messages: to
        ? messages.filter((message) => message.destination.to.some((address) => address.toLowerCase() === to))
        : messages,
    });
  }
  send(response, problem(404, 'not-found', 'Not found', `No local endpoint ${method} ${path}`));
}

function parseJson(body: Buffer): unknown {
  try {
    return body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return Symbol('malformed');
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > DRAIN_MAX_BYTES) request.socket.destroy();
    else if (size <= GATEWAY_MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > GATEWAY_MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  send(response, {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  });
}

function send(
  response: ServerResponse,
  result: { statusCode: number; headers: Record<string, string>; body: string | Buffer },
): void {
  if (response.headersSent) return;
  response.writeHead(result.statusCode, result.headers);
  response.end(result.body);
}
