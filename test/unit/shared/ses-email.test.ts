import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SesError, sendSesEmail } from '../../../functions/shared/ses-email.ts';
import { failureOf } from '../../../functions/tasks/delivery/failure.ts';
import { acceptEmail, refuseEmail, WebhookReceiver } from '../tasks/delivery/delivery-fixture.ts';

const EMAIL = {
  from: 'varsel@dpa.example.no',
  to: 'ola@example.no',
  subject: 'Avtalen er signert',
  text: 'Hei Ola',
  html: '<p>Hei Ola</p>',
};

const ses = new WebhookReceiver();
const saved = { ...process.env };

beforeAll(() => ses.start());
afterAll(() => ses.stop());
beforeEach(() => {
  ses.reset();
  ses.answerWith(acceptEmail);
  process.env.AWS_ENDPOINT_URL_SESV2 = ses.origin;
  process.env.AWS_REGION = 'eu-north-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  process.env.AWS_SESSION_TOKEN = 'session-token';
});
afterEach(() => {
  process.env = { ...saved };
});

describe('sendSesEmail (SES v2 SendEmail as one signed request)', () => {
  it("posts SES v2's SendEmail body, signed with SigV4 for ses in the function's region, and answers the MessageId", async () => {
    expect(await sendSesEmail(EMAIL)).toBe('message-1');

    expect(ses.requests).toHaveLength(1);
    const [request] = ses.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v2/email/outbound-emails' });
    expect(JSON.parse(request!.body)).toEqual({
      FromEmailAddress: 'varsel@dpa.example.no',
      Destination: { ToAddresses: ['ola@example.no'] },
      Content: {
        Simple: {
          Subject: { Data: 'Avtalen er signert', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Hei Ola', Charset: 'UTF-8' },
            Html: { Data: '<p>Hei Ola</p>', Charset: 'UTF-8' },
          },
        },
      },
    });
    const { authorization, 'x-amz-date': date, 'x-amz-security-token': token } = request!.headers;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(token).toBe('session-token');
    expect(date).toMatch(/^\d{8}T\d{6}Z$/);
    expect(authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date!.slice(0, 8)}/eu-north-1/ses/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
      ),
    );
  });

  it("names a refusal as SES does, with the HTTP status, and keeps SES's message (which may quote the address) out of it", async () => {
    ses.answerWith(
      refuseEmail(429, 'TooManyRequestsException', 'Maximum sending rate exceeded for ola@example.no'),
    );

    const error = (await sendSesEmail(EMAIL).catch((caught: unknown) => caught)) as SesError;

    expect(error.name).toBe('TooManyRequestsException');
    expect(error.$metadata.httpStatusCode).toBe(429);
    expect(failureOf(error)).toBe('TooManyRequestsException HTTP 429');
    expect(`${error.message} ${failureOf(error)}`).not.toContain('ola@example.no');
  });

  it('reads an error type given with its documentation address', async () => {
    ses.answerWith(refuseEmail(400, 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/'));

    const error = (await sendSesEmail(EMAIL).catch((caught: unknown) => caught)) as SesError;

    expect(failureOf(error)).toBe('MessageRejected HTTP 400');
  });

  it('names a mail service that does not answer by what happened (the connection refused)', async () => {
    const closed = new WebhookReceiver();
    await closed.start();
    process.env.AWS_ENDPOINT_URL_SESV2 = closed.origin;
    await closed.stop();

    const error = (await sendSesEmail(EMAIL).catch((caught: unknown) => caught)) as SesError;

    expect(failureOf(error)).toBe('ECONNREFUSED');
  });
});
