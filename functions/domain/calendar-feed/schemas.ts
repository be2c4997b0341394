import { lazySchema } from '../lazy-schema.ts';
import { actorSchema } from '../schemas.ts';
import { lineText } from '../text.ts';
import * as z from '../zod.ts';

/** Request and response shapes of the calendar feed routes (rule 15). Strict, like every edge schema. */

/** POST /calendar-feeds: an optional name, to tell the organisation's feeds apart. */
export const createCalendarFeedSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ name: z.optional(lineText(100)) }),
);

/** A feed as listed: never its secret, which only the response that created it carries. */
export const calendarFeedSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    name: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: actorSchema,
  }),
);

/** The created feed: its secret address, shown this once (only its SHA-256 is stored). */
export const createdCalendarFeedSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    ...calendarFeedSchema.shape,
    /** `/calendar/<token>.ics`, relative to the API's base URL. */
    path: z.string(),
    /** The whole address to give a calendar client. */
    url: z.string(),
  }),
);

export type CreateCalendarFeedRequest = z.infer<typeof createCalendarFeedSchema>;
export type CalendarFeed = z.infer<typeof calendarFeedSchema>;
export type CreatedCalendarFeed = z.infer<typeof createdCalendarFeedSchema>;
