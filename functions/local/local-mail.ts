import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The local stack's mail server: `aws-ses-v2-local`, a stand-in for Amazon SES's v2 API, so the
 * delivery function sends with the same `SendEmail` call as on AWS and only the endpoint differs. It
 * keeps the mail in memory (a restart empties the mailbox; the delivery states stay on the
 * notifications) and shows it in its web view at `url`; `GET /local/mail` on the API port lists it.
 */
export interface LocalMail {
  /** The SES endpoint (AWS_ENDPOINT_URL_SESV2) and the web view. */
  url: string;
  /** The mail received, oldest first, as the server keeps it. */
  messages(): Promise<LocalMailMessage[]>;
  /**
   * An outage of the mail service, for seeing deliveries retried: while out, the port refuses
   * connections (as an unreachable SES would); back, it listens on the same port with the same mail.
   */
  outage(out: boolean): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalMailMessage {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  /** Epoch seconds (real time) when it arrived. */
  at: number;
}

export async function startLocalMail(options: { port?: number } = {}): Promise<LocalMail> {
  const { default: mailServer } = (await import('aws-ses-v2-local')) as unknown as {
    default: (config: { host: string; port: number }) => Promise<Server>;
  };
  const server = await mailServer({ host: '127.0.0.1', port: options.port ?? 0 });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((done) => {
      if (!server.listening) return done();
      server.close(() => done());
      server.closeAllConnections();
    });
  return {
    url,
    async messages() {
      const response = await fetch(`${url}/store`);
      if (!response.ok) throw new Error(`The local mail server answered ${response.status}`);
      return ((await response.json()) as { emails: LocalMailMessage[] }).emails;
    },
    async outage(out) {
      if (out) return close();
      if (server.listening) return;
      await new Promise<void>((done, fail) => {
        server.once('error', fail);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', fail);
          done();
        });
      });
    },
    stop: close,
  };
}
