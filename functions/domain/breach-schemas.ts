import { containsIdentityNumber } from './identity-numbers.ts';
import { lazySchema } from './lazy-schema.ts';
import { actorSchema, contactSchema, partyRoleSchema } from './schemas.ts';
import { lineText, proseText } from './text.ts';
import * as z from './zod.ts';

/**
 * Request and response shapes of a breach report (avvik, product.md rules 9 and 16): what 003 §10 a-f
 * and 000 §14 require the reporting party to tell the other. Strict like every edge schema.
 */

/**
 * Who is affected is told as a count or a category (003 §10 b), never by national identity number:
 * free text of a breach case that holds one is refused, naming the field.
 */
const noIdentityNumber = () =>
  z.refine<string>((value) => !containsIdentityNumber(value), {
    message:
      'must not contain a national identity number (fødselsnummer or D-number): give a count or a category',
  });
const caseLine = (max: number) => lineText(max).check(noIdentityNumber());
const caseProse = (max: number) => proseText(max).check(noIdentityNumber());
const list = (max: number) => z.array(caseLine(200)).check(z.minLength(1), z.maxLength(max));
/** An approximate count; zero is allowed (e.g. records affected, no data subject identified yet). */
const approximateCount = /* @__PURE__ */ lazySchema(() =>
  z.int().check(z.minimum(0), z.maximum(10_000_000_000)),
);

const instant = () =>
  z.iso.datetime({
    offset: true,
    error: 'must be an ISO 8601 timestamp with a time zone offset, e.g. 2026-11-22T08:30:00+01:00',
  });

/** How serious the reporting party judges the breach to be (the controller decides on Datatilsynet). */
export const breachSeveritySchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
);

/** POST /agreements/{id}/breaches: by the processor (003 §10) or by the controller (000 §14). */
export const breachReportRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    /** When the reporting party became aware of the breach: its deadlines run from here. */
    becameAwareAt: instant(),
    nature: caseProse(4000),
    severity: breachSeveritySchema,
    /** Where it happened: a sub-processor request of this agreement (its id); absent, at the reporter. */
    subProcessorId: z.optional(z.uuid()),
    dataSubjectCategories: list(50),
    approximateDataSubjects: approximateCount,
    /** (b) Who is affected, where known, as a count or a category. */
    affectedIdentities: z.optional(caseProse(2000)),
    personalDataCategories: list(100),
    approximateRecords: approximateCount,
    contactPoint: contactSchema,
    /** Who follows the breach up for the reporting party, where not the contact point. */
    followUpBy: z.optional(contactSchema),
    likelyConsequences: caseProse(4000),
    measuresTaken: caseProse(4000),
    measuresProposed: z.optional(caseProse(4000)),
    /** (f) Other relevant information. */
    otherInformation: z.optional(caseProse(4000)),
  }),
);

/** Figures and categories of a report as corrected by a supplement. */
export const breachCorrectionsSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      severity: z.optional(breachSeveritySchema),
      dataSubjectCategories: z.optional(list(50)),
      approximateDataSubjects: z.optional(approximateCount),
      affectedIdentities: z.optional(caseProse(2000)),
      personalDataCategories: z.optional(list(100)),
      approximateRecords: z.optional(approximateCount),
    })
    .check(
      z.refine((corrections) => Object.keys(corrections).length > 0, { message: 'must correct something' }),
    ),
);

/**
 * POST /agreements/{id}/breaches/{breachId}/updates: the reporting party's supplement to its report
 * (rule 16): new facts, measures taken, corrected figures or categories; at least one of them.
 */
export const breachUpdateRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      facts: z.optional(caseProse(4000)),
      measuresTaken: z.optional(caseProse(4000)),
      corrections: z.optional(breachCorrectionsSchema),
    })
    .check(
      z.refine((update) => Object.keys(update).length > 0, {
        message: 'must hold facts, measuresTaken or corrections',
      }),
    ),
);

/** A supplement as kept on the report, in the order made. */
export const breachUpdateSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    /** 1, 2, ...: the order in which the supplements were made. */
    number: z.int(),
    at: z.string(),
    by: actorSchema,
    facts: z.optional(z.string()),
    measuresTaken: z.optional(z.string()),
    /** As sent: the figures and categories it corrects. */
    corrections: z.optional(
      z.strictObject({
        severity: z.optional(breachSeveritySchema),
        dataSubjectCategories: z.optional(z.array(z.string())),
        approximateDataSubjects: z.optional(z.int()),
        affectedIdentities: z.optional(z.string()),
        personalDataCategories: z.optional(z.array(z.string())),
        approximateRecords: z.optional(z.int()),
      }),
    ),
    /** Corrected personal data categories the agreement's scope does not cover. */
    outsideScope: z.optional(z.array(z.string())),
  }),
);

/** POST /agreements/{id}/breaches/{breachId}/questions: the party that received the report asks. */
export const breachQuestionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ question: caseProse(4000) }),
);

/** POST .../questions/{question}/answer: the party that reported answers, once. */
export const breachAnswerRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ answer: caseProse(4000) }),
);

/** A question on a breach report and, once given, its answer; numbered in the order asked. */
export const breachQuestionSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    number: z.int(),
    askedAt: z.string(),
    askedBy: actorSchema,
    question: z.string(),
    answer: z.optional(z.string()),
    answeredAt: z.optional(z.string()),
    answeredBy: z.optional(actorSchema),
  }),
);

/**
 * POST /agreements/{id}/breaches/{breachId}/decision: the controller's decision (GDPR Art. 33 and 34)
 * on notifying Datatilsynet (when and under which reference, or why not) and on telling the data
 * subjects (when, or why not); the reasons for a delay once the 72 hours have passed (Art. 33(1)).
 */
export const breachDecisionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    datatilsynet: z.discriminatedUnion('notified', [
      z.strictObject({ notified: z.literal(true), notifiedAt: instant(), reference: caseLine(200) }),
      z.strictObject({ notified: z.literal(false), reason: caseProse(4000) }),
    ]),
    dataSubjects: z.discriminatedUnion('informed', [
      z.strictObject({ informed: z.literal(true), informedAt: instant() }),
      z.strictObject({ informed: z.literal(false), reason: caseProse(4000) }),
    ]),
    delayReason: z.optional(caseProse(4000)),
  }),
);

/** The decision as recorded on the breach: as made, when, by whom, and whether after the 72 hours. */
export const breachDecisionSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    datatilsynet: z.discriminatedUnion('notified', [
      z.strictObject({ notified: z.literal(true), notifiedAt: z.string(), reference: z.string() }),
      z.strictObject({ notified: z.literal(false), reason: z.string() }),
    ]),
    dataSubjects: z.discriminatedUnion('informed', [
      z.strictObject({ informed: z.literal(true), informedAt: z.string() }),
      z.strictObject({ informed: z.literal(false), reason: z.string() }),
    ]),
    delayReason: z.optional(z.string()),
    decidedAt: z.string(),
    decidedBy: actorSchema,
    /** Decided (or Datatilsynet notified) after supervisoryAuthorityDeadline. */
    late: z.boolean(),
  }),
);

/** A breach report as stored and returned: the report, who made it when, and its deadlines. */
export const breachRecordSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    /** The party that reported it: the processor (003 §10), or the controller (000 §14). */
    reporter: partyRoleSchema,
    reportedAt: z.string(),
    reportedBy: actorSchema,
    /** The instant the reporting party became aware, in UTC. */
    becameAwareAt: z.string(),
    nature: z.string(),
    severity: z.optional(breachSeveritySchema),
    /** Where it happened, when at a sub-processor: the request's id and the sub-processor's name. */
    subProcessor: z.optional(z.strictObject({ id: z.string(), name: z.string() })),
    dataSubjectCategories: z.array(z.string()),
    approximateDataSubjects: z.int(),
    affectedIdentities: z.optional(z.string()),
    personalDataCategories: z.array(z.string()),
    /** The personal data categories the agreement's scope does not cover: the controller must know. */
    outsideScope: z.array(z.string()),
    approximateRecords: z.int(),
    contactPoint: contactSchema,
    followUpBy: z.optional(contactSchema),
    likelyConsequences: z.string(),
    measuresTaken: z.string(),
    measuresProposed: z.optional(z.string()),
    otherInformation: z.optional(z.string()),
    /** becameAwareAt + the agreement's breachNotificationHours: the processor's deadline (003 §10). */
    notificationDeadline: z.optional(z.string()),
    /** True when the processor reported after notificationDeadline. */
    reportedLate: z.optional(z.boolean()),
    /**
     * When the controller became aware: when the processor's report arrived, or when the controller,
     * reporting itself, became aware.
     */
    controllerAwareAt: z.string(),
    /** controllerAwareAt + 72 hours: the controller's deadline towards Datatilsynet (GDPR Art. 33). */
    supervisoryAuthorityDeadline: z.string(),
    /** The reporting party's supplements, in order (rule 16). */
    updates: z.optional(z.array(breachUpdateSchema)),
    /** The other party's questions and their answers, in the order asked (rule 16). */
    questions: z.optional(z.array(breachQuestionSchema)),
    /** When the 72 hours passed with no decision recorded (the workflow's DEADLINE_PASSED). */
    deadlinePassedAt: z.optional(z.string()),
    /** The controller's decision on Datatilsynet and the data subjects, once made. */
    decision: z.optional(breachDecisionSchema),
  }),
);

export type BreachReportRequest = z.infer<typeof breachReportRequestSchema>;
export type BreachRecord = z.infer<typeof breachRecordSchema>;
export type BreachDecisionRequest = z.infer<typeof breachDecisionRequestSchema>;
export type BreachDecision = z.infer<typeof breachDecisionSchema>;
export type BreachUpdateRequest = z.infer<typeof breachUpdateRequestSchema>;
export type BreachUpdate = z.infer<typeof breachUpdateSchema>;
export type BreachQuestion = z.infer<typeof breachQuestionSchema>;
