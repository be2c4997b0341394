import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * The one way the code imports zod: `import * as z from './zod.ts'` (or `../domain/zod.ts`). It is
 * `zod/mini`, whose functions and checks are separate exports, so a handler's bundle holds only the
 * checks its schemas use (the classic `zod` object drags in every schema type, the JSON-schema
 * converters and every locale, about 450 KB of each handler). `zod/mini` has no messages of its own
 * ("Invalid input"); the English locale, configured here once before any schema parses, keeps the 400
 * problems' messages (e.g. "Too big: expected string to have <=200 characters") for about 3 KB.
 *
 * Style: checks go in `.check(...)` (`z.minLength`, `z.maximum`, `z.regex`, `z.refine`, ...), wrappers
 * are functions (`z.optional(x)`, `z._default(x, value)`, `z.partial(object)`). A namespace import of
 * this module is tree-shaken by esbuild; a re-exported namespace object (`export * as z`) would not be.
 *
 * A schema at a module's top level is a `lazySchema` (lazy-schema.ts) marked with a `@__PURE__` comment
 * (`export const xSchema = <the mark> lazySchema(() => z.strictObject({ ... }));`): a cold start makes it
 * only when it is first used, and a bundle that never reads it leaves it out. esbuild does not carry
 * zod's own `@__NO_SIDE_EFFECTS__` marks across modules (evanw/esbuild#4369), so to esbuild a bare
 * top-level `z.strictObject(...)` or `.check(...)` might do something, and it keeps (and runs) it in
 * every bundle importing the module. test/unit/domain/schema-tree-shaking.test.ts and
 * lazy-schema.test.ts check both.
 */
config(en());

export * from 'zod/mini';
