import { readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRepoRoot, repoRoot } from '../../../infra/paths.ts';

/**
 * Issue 8 (a lean runtime): a handler bundles only the zod checks its schemas use. That holds while the
 * code imports zod through `functions/domain/zod.ts` (zod/mini, English messages configured once) and
 * only the getOpenApi handler reaches the JSON-schema generation in `functions/shared/openapi.ts`.
 */
const sources = readdirSync(fromRepoRoot('functions'), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => {
    const path = relative(repoRoot, `${entry.parentPath}/${entry.name}`);
    return { path, text: readFileSync(fromRepoRoot(path), 'utf8') };
  });

const importersOf = (specifier: RegExp) =>
  sources
    .filter(({ text }) =>
      [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'/g)].some(([, from, bare]) =>
        specifier.test((from ?? bare)!),
      ),
    )
    .map(({ path }) => path)
    .sort();

describe('how the code imports zod', () => {
  it('only functions/domain/zod.ts imports the zod package', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(importersOf(/^zod(\/|$)/)).toEqual(['functions/domain/zod.ts']);
  });

  it('only the getOpenApi handler imports the OpenAPI generation', () => {
    expect(importersOf(/(^|\/)openapi\.ts$/)).toEqual(['functions/http/get-openapi.ts']);
  });
});
