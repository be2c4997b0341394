import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpFunctions } from '../../functions/catalogue.ts';
import { ApiClient, agreementRequest, CONTROLLER_ORG, PROCESSOR_ORG } from '../support/api-client.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

/**
 * The local API Gateway at its edges (issue 7, defects 1, 3 and 5): path ids that do not decode,
 * the Step Functions protocol knocking on the API port, and requests too large to parse or accept.
 */

let local: InProcessStack;
let controller: ApiClient;
let agreementId: string;

beforeAll(async () => {
  local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
  controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
  const created = await controller.post('/agreements', agreementRequest());
  agreementId = created.body.id as string;
});

afterAll(async () => {
  await local?.stop();
});

/** Raw HTTP/1.1 over one socket: what a client sends, byte for byte, and everything it gets back. */
function exchange(port: number, requests: string[], options: { settleMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(finish, options.settleMs ?? 300);
    });
    socket.on('end', finish);
    socket.on('error', (error) => (received ? finish() : reject(error)));
    socket.on('connect', () => {
      for (const text of requests) socket.write(text, 'latin1');
    });
  });
}

/** Splits a byte stream of HTTP/1.1 responses into status lines, headers and bodies. */
function responsesIn(stream: string): { status: number; headers: Record<string, string>; body: string }[] {
  const responses = [];
  let rest = stream;
  while (rest.startsWith('HTTP/1.1 ')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const [statusLine, ...headerLines] = rest.slice(0, headEnd).split('\r\n');
    const headers = Object.fromEntries(
      headerLines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    rest = rest.slice(headEnd + 4);
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const sizeEnd = rest.indexOf('\r\n');
        const size = Number.parseInt(rest.slice(0, sizeEnd), 16);
        body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
        rest = rest.slice(sizeEnd + 2 + size + 2);
        if (size === 0) break;
      }
    } else {
      const length = Number(headers['content-length'] ?? 0);
      body = rest.slice(0, length);
      rest = rest.slice(length);
    }
    responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
  }
  return responses;
}

const portOf = (url: string) => Number(new URL(url).port);
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** Every answer carries its own correlation id; the rest must be the same. */
const withoutCorrelation = ({ correlationId: _correlationId, ...rest }: Record<string, unknown>) => rest;

describe('path ids with badly formed percent-escapes (defect 1)', () => {
  const BAD_ESCAPES = ['%E0%A4%A', '%C0%AE%C0%AE', '%FF%FE', '%u0041', '%', '%ZZ'];
  const routesWithIds = httpFunctions.filter((fn) => fn.path.includes('{'));
  const cases = routesWithIds.flatMap((fn) => {
    const names = [...fn.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    return names.flatMap((position) => BAD_ESCAPES.map((badEscape) => ({ fn, position, badEscape })));
  });

  it.each(cases)('$fn.method $fn.path with $badEscape as {$position} is answered as an unknown id', async ({
    fn,
    position,
    badEscape,
  }) => {
    const query = fn.path.endsWith('/processing-authorization') ? `?subProcessorId=${UNKNOWN_ID}` : '';
    const pathWith = (value: string) =>
      fn.path.replace(/\{(\w+)\}/g, (_match, name: string) =>
        name === position ? value : name === 'id' ? agreementId : UNKNOWN_ID,
      ) + query;
    const caller =
      fn.path.includes('withdraw') || fn.path.endsWith('/attestation') || fn.path.endsWith('/breaches')
        ? await ApiClient.forOrganisation(local.url, PROCESSOR_ORG)
        : controller;
    const body = fn.method === 'GET' ? undefined : {};
    const headers: Record<string, string> = fn.method === 'PATCH' ? { 'if-match': '"1"' } : {};

    const response = await caller.request(fn.method, pathWith(badEscape), body, headers);
    const forUnknownId = await caller.request(fn.method, pathWith(UNKNOWN_ID), body, headers);

    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.status).toBe(forUnknownId.status);
    expect(withoutCorrelation(response.body)).toEqual(withoutCorrelation(forUnknownId.body));
    if (fn.method === 'GET') expect(response.status).toBe(404);
  });

  it('answers an undecodable agreement id exactly as an unknown one', async () => {
    const undecodable = await controller.get('/agreements/%E0%A4%A');
    const unknown = await controller.get(`/agreements/${UNKNOWN_ID}`);

    expect(undecodable.status).toBe(404);
    expect(withoutCorrelation(undecodable.body)).toEqual(withoutCorrelation(unknown.body));
  });
});

describe('the Step Functions protocol on the API port (defect 3)', () => {
  const stepFunctionsCall = (operation: string, body: Record<string, unknown>) =>
    fetch(`${local.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AWSStepFunctions.${operation}`,
      },
      body: JSON.stringify(body),
    });

  it.each([
    'ListExecutions',
    'DescribeExecution',
    'StopExecution',
    'SendTaskSuccess',
    'StartExecution',
  ])('does not answer %s without a token: the API port serves only the API', async (operation) => {
    const response = await stepFunctionsCall(operation, {
      stateMachineArn: process.env.SIGNING_STATE_MACHINE_ARN,
      executionArn: `${process.env.SIGNING_STATE_MACHINE_ARN}:${agreementId}`,
    });

    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('executions');
  });

  it('cannot stop a live signing workflow from the API port: the agreement still enters into force', async () => {
    const created = await controller.post('/agreements', agreementRequest());
    const id = created.body.id as string;
    const submitted = await controller.post(`/agreements/${id}/submit`);
    const execution = `${id}-v${submitted.body.version as number}`;
    const executionArn = `${process.env.SIGNING_STATE_MACHINE_ARN!.replace(':stateMachine:', ':execution:')}:${execution}`;

    await stepFunctionsCall('StopExecution', { executionArn });
    const processor = await ApiClient.forOrganisation(local.url, PROCESSOR_ORG);
    await processor.post(`/agreements/${id}/signatures`, {
      signatory: { name: 'Per Hansen', title: 'Direktør' },
      place: 'Oslo',
      contentHash: submitted.body.contentHash,
    });
    await controller.post(`/agreements/${id}/signatures`, {
      signatory: { name: 'Kari Nordmann', title: 'Rådmann' },
      place: 'Radøy',
      contentHash: submitted.body.contentHash,
    });
    await local.stack.stepFunctions.idle();

    const history = await controller.get<{ items: { type: string }[] }>(`/agreements/${id}/history`);
    expect(history.body.items.map((entry) => entry.type)).toContain('ENTERED_INTO_FORCE');
    expect(history.body.items.map((entry) => entry.type)).not.toContain('WORKFLOW_FAILED');
    const executions = local.stack.stepFunctions.listExecutions(process.env.SIGNING_STATE_MACHINE_ARN!);
    expect(executions.find((item) => item.name === execution)?.status).toBe('SUCCEEDED');
  });
});

describe('requests too large to parse or to accept (defect 5)', () => {
  it('answers a request line over the limit with a 431 problem+json', async () => {
    const stream = await exchange(portOf(local.url), [
      `GET /agreements/${'a'.repeat(70_000)} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`,
    ]);

    const [response] = responsesIn(stream);
    expect(response?.status).toBe(431);
    expect(response?.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response!.body)).toMatchObject({ status: 431 });
  });

  it('answers headers over the limit with a 431 problem+json', async () => {
    const stream = await exchange(portOf(local.url), [
      `GET /openapi.json HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: ${'b'.repeat(70_000)}\r\n\r\n`,
    ]);

    const [response] = responsesIn(stream);
    expect(response?.status).toBe(431);
    expect(JSON.parse(response!.body)).toMatchObject({
      status: 431,
      title: 'Request header fields too large',
    });
  });

  it('answers a body over 10 MB with a 413 problem+json and keeps the connection usable', async () => {
    const body = 'x'.repeat(11 * 1024 * 1024);
    const stream = await exchange(
      portOf(local.url),
      [
        `POST /agreements HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        'GET /openapi.json HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n',
      ],
      { settleMs: 1000 },
    );

    const [tooLarge, next] = responsesIn(stream);
    expect(tooLarge?.status).toBe(413);
    expect(tooLarge?.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(tooLarge!.body)).toMatchObject({ status: 413 });
    expect(next?.status).toBe(200);
    expect(JSON.parse(next!.body)).toHaveProperty('openapi');
  });
});
