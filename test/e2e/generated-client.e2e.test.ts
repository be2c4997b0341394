import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONTROLLER_ORG, PROCESSOR_ORG } from '../support/api-client.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

/**
 * Issue 12: a client generated from the OpenAPI document the local stack serves works. openapi-typescript
 * generates the types (as an integrator would, from `GET /openapi.json`), `tsc` checks a small program
 * written against them (test/client/sign-an-agreement.ts), and the program creates, submits and signs
 * an agreement on the stack through openapi-fetch.
 */
const run = promisify(execFile);
const clientDir = join(process.cwd(), 'test', 'client');
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
type Party = 'controller' | 'processor';

describe('a TypeScript client generated from the OpenAPI document', () => {
  let local: InProcessStack;

  beforeAll(async () => {
    local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
    const served = await fetch(`${local.url}/openapi.json`);
    await mkdir(join(clientDir, 'generated'), { recursive: true });
    await writeFile(join(clientDir, 'generated', 'openapi.json'), await served.text());
    await run(bin('openapi-typescript'), [
      join(clientDir, 'generated', 'openapi.json'),
      '--output',
      join(clientDir, 'generated', 'openapi.ts'),
    ]);
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('type-checks a program that creates, submits and signs an agreement', async () => {
    const checked = await run(bin('tsc'), ['--noEmit', '-p', join(clientDir, 'tsconfig.json')]).catch(
      (failed: { stdout: string }) => ({ stdout: failed.stdout, failed: true }),
    );

    expect(checked.stdout).toBe('');
  });

  it('runs that program against the local stack: the agreement ends in force, signed by both', async () => {
    // Imported by its path: the root type check leaves test/client to its own (the test above).
    const { signAnAgreement } = (await import(join(clientDir, 'sign-an-agreement.ts'))) as {
      signAnAgreement: (
        baseUrl: string,
        parties: Record<Party, { orgNumber: string; token: string }>,
      ) => Promise<{
        status: string;
        contentHash: string;
        signatures: { party: Party; contentHash?: string }[];
      }>;
    };
    const token = async (orgNumber: string) => {
      const issued = await fetch(`${local.url}/local/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orgNumber }),
      });
      return { orgNumber, token: ((await issued.json()) as { access_token: string }).access_token };
    };

    const agreement = await signAnAgreement(local.url, {
      controller: await token(CONTROLLER_ORG),
      processor: await token(PROCESSOR_ORG),
    });

    expect(agreement.status).toBe('IN_FORCE');
    expect(agreement.signatures.map((signature) => signature.party).sort()).toEqual([
      'controller',
      'processor',
    ]);
    expect(agreement.signatures.every((signature) => signature.contentHash === agreement.contentHash)).toBe(
      true,
    );
  });
});
