import { containsIdentityNumber } from '../identity-numbers.ts';
import { lazySchema } from '../lazy-schema.ts';
import { actorSchema, calendarDateSchema } from '../schemas.ts';
import { lineText, proseText } from '../text.ts';
import * as z from '../zod.ts';

/**
 * Requests the processor received that belong to the controller (rule 16, 003 §5, 000 §11): a data
 * subject's request under GDPR Art. 15-21, or Datatilsynet's. Strict like every edge schema; free
 * text never holds a national identity number (who asked is told by category, not by number).
 */

const noIdentityNumber = () =>
  z.refine<string>((value) => !containsIdentityNumber(value), {
    message:
      'must not contain a national identity number (fødselsnummer or D-number): describe the request without it',
  });
const requestLine = (max: number) => lineText(max).check(noIdentityNumber());
const requestProse = (max: number) => proseText(max).check(noIdentityNumber());

const instant = () =>
  z.iso.datetime({
    offset: true,
    error: 'must be an ISO 8601 timestamp with a time zone offset, e.g. 2027-01-31T09:15:00+01:00',
  });

/** Who made the request the processor received. */
export const requestOriginSchema = /* @__PURE__ */ lazySchema(() => z.enum(['DATA_SUBJECT', 'DATATILSYNET']));

/** The data subject's right invoked (GDPR Art. 15, 16, 17, 18, 20, 21). */
export const dataSubjectRightSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['ACCESS', 'RECTIFICATION', 'ERASURE', 'RESTRICTION', 'PORTABILITY', 'OBJECTION']),
);

/**
 * POST /agreements/{id}/requests: the processor forwards a request. `kind` is required for a data
 * subject's request and refused for Datatilsynet's; `datatilsynetDeadline` the other way round (the
 * domain names the field).
 */
export const forwardRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    from: requestOriginSchema,
    kind: z.optional(dataSubjectRightSchema),
    /** When the processor received it: the data subject's month runs from this day (Oslo). */
    receivedAt: instant(),
    /** What was asked, without national identity numbers. */
    asked: requestProse(4000),
    /** The sender's or the processor's own reference (a case number). */
    reference: z.optional(requestLine(200)),
    /** The deadline Datatilsynet set in its letter (a day in Oslo). */
    datatilsynetDeadline: z.optional(calendarDateSchema),
  }),
);

/** POST .../requests/{requestId}/extension: the controller extends a data subject's month (Art. 12(3)). */
export const extensionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    /** Up to two further months (Art. 12(3)): 1 or 2. */
    months: z.int().check(z.minimum(1), z.maximum(2)),
    reason: requestProse(2000),
  }),
);

/** POST .../requests/{requestId}/tasks: the controller asks the processor for assistance. */
export const taskRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ description: requestProse(2000), dueOn: calendarDateSchema }),
);

/** POST .../tasks/{taskId}/done: the processor tells what it did. */
export const taskDoneRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ note: requestProse(2000) }),
);

export const requestOutcomeKindSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['ANSWERED', 'PARTLY_ANSWERED', 'REFUSED']),
);

/** POST .../requests/{requestId}/outcome: the controller records how it answered, once. */
export const outcomeRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    outcome: requestOutcomeKindSchema,
    /** The day the controller answered the data subject or Datatilsynet (Oslo). */
    answeredOn: calendarDateSchema,
    summary: requestProse(4000),
  }),
);

/** An assistance task, numbered in the order the controller asked. */
export const requestTaskSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    number: z.int(),
    description: z.string(),
    dueOn: z.string(),
    assignedAt: z.string(),
    assignedBy: actorSchema,
    status: z.enum(['OPEN', 'DONE']),
    note: z.optional(z.string()),
    doneAt: z.optional(z.string()),
    doneBy: z.optional(actorSchema),
    /** Done after its dueOn. */
    doneLate: z.optional(z.boolean()),
  }),
);

export const requestExtensionSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    months: z.int(),
    reason: z.string(),
    at: z.string(),
    by: actorSchema,
    /** The deadline before the extension. */
    previousDeadline: z.string(),
  }),
);

export const requestOutcomeSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    outcome: requestOutcomeKindSchema,
    answeredOn: z.string(),
    summary: z.string(),
    recordedAt: z.string(),
    recordedBy: actorSchema,
    /** Answered after answerDeadline. */
    late: z.boolean(),
  }),
);

/** A forwarded request as stored and returned, with its tasks in order. */
export const forwardedRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    from: requestOriginSchema,
    kind: z.optional(dataSubjectRightSchema),
    receivedAt: z.string(),
    /** The day it was received in Oslo: a data subject's month runs from here. */
    receivedOn: z.string(),
    asked: z.string(),
    reference: z.optional(z.string()),
    datatilsynetDeadline: z.optional(z.string()),
    forwardedAt: z.string(),
    forwardedBy: actorSchema,
    /** Days from receivedOn to the day it was forwarded (Oslo): 0 the same day. */
    forwardedAfterDays: z.int(),
    /**
     * The controller's last day to answer (Oslo): receivedOn + 1 month (end-of-month rule) for a data
     * subject, later by an extension; Datatilsynet's own deadline as given.
     */
    answerDeadline: z.string(),
    extension: z.optional(requestExtensionSchema),
    status: z.enum(['OPEN', 'CLOSED']),
    outcome: z.optional(requestOutcomeSchema),
    tasks: z.array(requestTaskSchema),
  }),
);

/** What the routes that change a request answer: the request without its tasks, with how many were asked. */
export const forwardedRequestStateSchema = /* @__PURE__ */ lazySchema(() =>
  z.extend(z.omit(forwardedRequestSchema, { tasks: true }), {
    /** Assistance tasks asked so far (read them with GET). */
    taskCount: z.optional(z.int()),
  }),
);

export type ForwardRequest = z.infer<typeof forwardRequestSchema>;
export type ExtensionRequest = z.infer<typeof extensionRequestSchema>;
export type TaskRequest = z.infer<typeof taskRequestSchema>;
export type TaskDoneRequest = z.infer<typeof taskDoneRequestSchema>;
export type OutcomeRequest = z.infer<typeof outcomeRequestSchema>;
export type RequestTask = z.infer<typeof requestTaskSchema>;
export type ForwardedRequest = z.infer<typeof forwardedRequestSchema>;
