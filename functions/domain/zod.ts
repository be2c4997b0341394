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
 */
config(en());

export * from 'zod/mini';
