import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../../functions/shared/lambda-credentials.ts';

const ENVIRONMENT_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENT',
  AWS_SECRET_ACCESS_KEY: 'environment-secret',
  AWS_SESSION_TOKEN: 'environment-session',
};
const CREDENTIAL_VARIABLES = [
  ...Object.keys(ENVIRONMENT_CREDENTIALS),
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
];

function withOnly(variables: Record<string, string>) {
  for (const name of CREDENTIAL_VARIABLES) vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
}

let server: Server | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A container credentials endpoint on loopback, as some runtimes serve the role's credentials. */
async function containerEndpoint(): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        AccessKeyId: 'AKIACONTAINER',
        SecretAccessKey: 'container-secret',
        Token: 'container-session',
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/role`, requests };
}

describe('the credential chain bundled into the functions', () => {
  it('takes the role credentials Lambda puts in the environment', async () => {
    withOnly(ENVIRONMENT_CREDENTIALS);

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({
      accessKeyId: 'AKIAENVIRONMENT',
      secretAccessKey: 'environment-secret',
      sessionToken: 'environment-session',
    });
  });

  it('asks the container credentials endpoint when the environment has none', async () => {
    const endpoint = await containerEndpoint();
    withOnly({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-authorization',
    });

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({ accessKeyId: 'AKIACONTAINER', sessionToken: 'container-session' });
    expect(endpoint.requests).toEqual(['GET /role container-authorization']);
  });

  it('prefers the environment over a container endpoint', async () => {
    const endpoint = await containerEndpoint();
    withOnly({ ...ENVIRONMENT_CREDENTIALS, AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url });

    const credentials = await defaultProvider()();

    expect(credentials.accessKeyId).toBe('AKIAENVIRONMENT');
    expect(endpoint.requests).toEqual([]);
  });

  it('fails with the SDK credentials error when neither is there', async () => {
    withOnly({});

    await expect(defaultProvider()()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });
});
