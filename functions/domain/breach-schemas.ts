import { z } from 'zod';
import { contactSchema } from './schemas.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const list = (max: number) => z.array(text(200)).min(1).max(max);

/** A breach report with the content 003 §10 a-f and 000 §14 require (rule 9). */
export const breachReportSchema = z.strictObject({
  becameAwareAt: z.iso.datetime({ offset: true }),
  nature: text(5000),
  dataSubjectCategories: list(50),
  approximateDataSubjects: z.int().min(0).max(100_000_000),
  personalDataCategories: list(100),
  approximateRecords: z.int().min(0).max(10_000_000_000),
  contactPoint: contactSchema,
  likelyConsequences: text(5000),
  measuresTaken: text(5000),
  measuresProposed: text(5000).optional(),
});

export type BreachReportRequest = z.infer<typeof breachReportSchema>;

export const breachRecordSchema = breachReportSchema.extend({
  id: z.string(),
  agreementId: z.string(),
  reportedAt: z.string(),
  reportedBy: z.strictObject({ orgNumber: z.string(), clientId: z.string(), person: z.string().optional() }),
  notificationDeadline: z.string(),
  reportedLate: z.boolean(),
  supervisoryAuthorityDeadline: z.string(),
});

export type BreachRecord = z.infer<typeof breachRecordSchema>;
