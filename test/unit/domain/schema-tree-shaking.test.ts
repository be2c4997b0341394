import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { lineText, proseText } from '../../../functions/domain/text.ts';
import { repoRoot } from '../../../infra/paths.ts';

/**
 * Issue 8 (a lean runtime): a handler makes only the schemas it uses. Every top-level schema of the
 * schema modules is a `@__PURE__` `lazySchema(...)`, so esbuild drops the ones a bundle never reads (it
 * does not carry zod's `@__NO_SIDE_EFFECTS__` across modules, so a bare `z.strictObject(...)` at the
 * top level would be kept, and made at import, in every handler importing the module).
 */
const bundleOf = async (contents: string) => {
  const result = await build({
    stdin: { contents, resolveDir: repoRoot, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
};

/** A message (or pattern) only the named schema has. */
const DISTINCTIVE = {
  createAgreementSchema: 'controller and processor must be different organisations',
  patchAgreementSchema: 'must change at least one field',
  calendarDateSchema: 'must be a calendar date YYYY-MM-DD',
  orgNumberSchema: 'modulus 11',
  contactSchema: 'must be a phone number',
  listSubProcessorsQuerySchema: 'needs status=APPROVED',
  processingAuthorizationQuerySchema: 'the id of the sub-processor to ask about',
  breachReportRequestSchema: 'with a time zone offset',
} as const;

describe('schemas a bundle does not use', () => {
  it('are not in the bundle', async () => {
    const code = await bundleOf(
      "import { dataDispositionRequestSchema } from './functions/domain/termination-schemas.ts';\n" +
        'export const parse = (body: unknown) => dataDispositionRequestSchema.parse(body);',
    );
    for (const message of Object.values(DISTINCTIVE)) expect(code).not.toContain(message);
    // What it uses is there: the prose text of `instructions`.
    expect(code).toContain('must not contain control characters other than tab and newline');
    expect(code).not.toContain('must not contain control characters or line breaks');
  });

  it('are not made by a handler that reads none of them (listNotifications, AWS SDK and all)', async () => {
    const code = await bundleOf("export { handler } from './functions/http/list-notifications.ts';");
    for (const message of Object.values(DISTINCTIVE)) expect(code).not.toContain(message);
    // Not even the agreement's: the store's key order is made only where an agreement is read.
    expect(code).not.toContain('must not contain unpaired surrogates');
  });

  it('are there when used (each message above does find its schema)', async () => {
    const code = await bundleOf(
      Object.keys(DISTINCTIVE)
        .map((name) => `export { ${name} } from './functions/domain/${moduleOf(name)}';`)
        .join('\n'),
    );
    for (const message of Object.values(DISTINCTIVE)) expect(code).toContain(message);
  });
});

function moduleOf(name: string): string {
  if (name.startsWith('breach')) return 'breach-schemas.ts';
  if (/SubProcessors?|processingAuthorization/.test(name)) return 'sub-processor-schemas.ts';
  return 'schemas.ts';
}

describe('free-text schemas', () => {
  it('are made once per kind and maximum, and shared', () => {
    expect(lineText(200)).toBe(lineText(200));
    expect(proseText(2000)).toBe(proseText(2000));
    expect(lineText(200)).not.toBe(lineText(300));
    expect(lineText(200)).not.toBe(proseText(200));
  });
});
