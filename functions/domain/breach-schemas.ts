import { lazySchema } from './lazy-schema.ts';
import { actorSchema, contactSchema } from './schemas.ts';
import { lineText, proseText } from './text.ts';
import * as z from './zod.ts';

/**
 * Request and response shapes of a breach report (avvik, product.md rule 9): what 003 §10 a-f and
 * 000 §14 require the processor to tell the controller. Strict like every edge schema.
 */

const list = (max: number) => z.array(lineText(200)).check(z.minLength(1), z.maxLength(max));
/** An approximate count; zero is allowed (e.g. records affected, no data subject identified yet). */
const approximateCount = /* @__PURE__ */ lazySchema(() =>
  z.int().check(z.minimum(0), z.maximum(10_000_000_000)),
);

/** POST /agreements/{id}/breaches. */
export const breachReportRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    /** When the processor became aware of the breach: the notification deadline runs from here. */
    becameAwareAt: z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 timestamp with a time zone offset, e.g. 2026-11-22T08:30:00+01:00',
    }),
    nature: proseText(4000),
    dataSubjectCategories: list(50),
    approximateDataSubjects: approximateCount,
    personalDataCategories: list(100),
    approximateRecords: approximateCount,
    contactPoint: contactSchema,
    likelyConsequences: proseText(4000),
    measuresTaken: proseText(4000),
    measuresProposed: z.optional(proseText(4000)),
  }),
);

/** A breach report as stored and returned: the report, who made it when, and its deadlines. */
export const breachRecordSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    reportedAt: z.string(),
    reportedBy: actorSchema,
    /** The instant the processor became aware, in UTC. */
    becameAwareAt: z.string(),
    nature: z.string(),
    dataSubjectCategories: z.array(z.string()),
    approximateDataSubjects: z.int(),
    personalDataCategories: z.array(z.string()),
    approximateRecords: z.int(),
    contactPoint: contactSchema,
    likelyConsequences: z.string(),
    measuresTaken: z.string(),
    measuresProposed: z.optional(z.string()),
    /** becameAwareAt + the agreement's breachNotificationHours: the processor's deadline (003 §10). */
    notificationDeadline: z.string(),
    /** True when reported after notificationDeadline. */
    reportedLate: z.boolean(),
    /** becameAwareAt + 72 hours: the controller's deadline towards Datatilsynet (GDPR Art. 33). */
    supervisoryAuthorityDeadline: z.string(),
  }),
);

export type BreachReportRequest = z.infer<typeof breachReportRequestSchema>;
export type BreachRecord = z.infer<typeof breachRecordSchema>;
