import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSettings } from '../../../functions/shared/deployment-settings.ts';
import { openApiDocument } from '../../../functions/shared/openapi.ts';

/**
 * Issue 12: the OpenAPI document passes two independent linters with nothing to report, as a deployed
 * stage serves it (its scope names, audience and contact) and as the local stack does. The rulesets are
 * the linters' own, unchanged (`.spectral.yaml`, `redocly.yaml`).
 */
const run = promisify(execFile);
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
/** Neither linter may phone home (CI has no network but the npm registry). */
const quiet = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  NO_COLOR: '1',
};

const documents = {
  'a deployed stage': clientSettings({
    SCOPE_NAMES: JSON.stringify({ 'dpa:read': 'example:dpa.read', 'dpa:write': 'example:dpa.write' }),
    TOKEN_URL: 'https://test.maskinporten.no/token',
    JWT_AUDIENCE: 'https://dpa-test.example.kommune.no',
    API_CONTACT_EMAIL: 'dpa@example.kommune.no',
  }),
  'the local stack': clientSettings({
    TOKEN_URL: 'http://127.0.0.1:3000/local/tokens',
    JWT_AUDIENCE: 'dpa-local',
    API_BASE_URL: 'http://127.0.0.1:3000',
  }),
};

describe.each(Object.entries(documents))('the OpenAPI document of %s', (_, settings) => {
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpa-openapi-'));
    file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(openApiDocument(settings), null, 2));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has no error and no warning under Redocly recommended', async () => {
    const { stdout } = await run(bin('redocly'), ['lint', file, '--format=json'], { env: quiet }).catch(
      (failed: { stdout: string }) => failed,
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };

    expect(
      report.problems.map(({ ruleId, severity, message, location }) =>
        [severity, ruleId, location[0]?.pointer, message].join(' '),
      ),
    ).toEqual([]);
  });

  it('has no error and no warning under spectral:oas', async () => {
    const { stdout } = await run(
      bin('spectral'),
      ['lint', file, '--ruleset', join(process.cwd(), '.spectral.yaml'), '--format', 'json', '--quiet'],
      { env: quiet },
    ).catch((failed: { stdout: string }) => failed);
    const findings = JSON.parse(stdout || '[]') as { code: string; message: string; path: string[] }[];

    expect(findings.map(({ code, message, path }) => `${code} ${path.join('.')} ${message}`)).toEqual([]);
  });
});
