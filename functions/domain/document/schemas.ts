import { lazySchema } from '../lazy-schema.ts';
import * as z from '../zod.ts';

/**
 * `GET /agreements/{id}/document?version=N`: the content version to render (rule 13: 1 as first
 * signed, 2 after the first amendment, ...); without it, the current one. A whole number of at least
 * 1, as the paging limit is read; whether that version exists is the handler's question (404).
 */
export const documentQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    version: z.optional(z.coerce.number().check(z.int(), z.minimum(1))),
  }),
);

export type DocumentQuery = z.infer<typeof documentQuerySchema>;
