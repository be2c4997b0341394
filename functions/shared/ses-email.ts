import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { defaultProvider } from './lambda-credentials.ts';

/**
 * Amazon SES's v2 `SendEmail`, as one signed HTTPS request (SigV4 by `@smithy/signature-v4`, which
 * every SDK client bundles anyway). The SES client would have cost the two delivery functions about
 * 80 KB of their 400 KB each (its operations, errors and the REST-JSON protocol) for this one call.
 * The endpoint is the standard `AWS_ENDPOINT_URL_SESV2` (the local stack's mail server) or SES's own
 * in `AWS_REGION`; the credentials are the function's role, as the SDK clients take them.
 */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A refusal by SES, or no answer: named as SES names it (e.g. `TooManyRequestsException`), with its HTTP status. */
export class SesError extends Error {
  readonly $metadata: { httpStatusCode?: number };

  constructor(name: string, status: number | undefined) {
    super(`SES answered ${name}`);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

const SEND_TIMEOUT_MS = 10_000;
const PATH = '/v2/email/outbound-emails';

/** Node's own SHA-256 and HMAC in the shape SignatureV4 takes (a constructor with update and digest). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

let credentials: ReturnType<typeof defaultProvider> | undefined;

/** Sends one message; answers SES's MessageId, or throws SesError. */
export async function sendSesEmail(email: OutgoingEmail): Promise<string> {
  const region = process.env.AWS_REGION ?? 'eu-north-1';
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_SESV2 ?? `https://email.${region}.amazonaws.com`);
  const body = JSON.stringify({
    FromEmailAddress: email.from,
    Destination: { ToAddresses: [email.to] },
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
      },
    },
  });
  credentials ??= defaultProvider();
  const signer = new SignatureV4({ service: 'ses', region, credentials, sha256: NodeSha256 });
  const path = `${endpoint.pathname.replace(/\/$/, '')}${PATH}`;
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path,
    query: {},
    headers: { 'content-type': 'application/json', host: endpoint.host },
    body,
  });
  let response: Response;
  try {
    response = await fetch(new URL(path, endpoint), {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    // fetch's own TypeError says only "fetch failed"; its cause names what happened (ECONNREFUSED, ...).
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    throw new SesError(
      typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error',
      undefined,
    );
  }
  const answer = (await response.json().catch(() => ({}))) as { MessageId?: string };
  if (!response.ok) throw new SesError(errorTypeOf(response), response.status);
  return answer.MessageId ?? '';
}

/** `x-amzn-ErrorType` is `Name` or `Name:documentation-url`. */
function errorTypeOf(response: Response): string {
  const type = response.headers.get('x-amzn-errortype')?.split(':')[0];
  return type && /^\w+$/.test(type) ? type : `HTTP${response.status}`;
}
