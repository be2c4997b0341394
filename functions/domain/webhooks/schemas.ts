import { lazySchema } from '../lazy-schema.ts';
import { type Actor, actorSchema } from '../schemas.ts';
import { lineText } from '../text.ts';
import * as z from '../zod.ts';
import { MAX_SUBSCRIBED_EVENTS, subscriptionProblems } from './events.ts';
import { secretRotatedAt, type WebhookSecret } from './secrets.ts';

/**
 * Request and response shapes of the webhook routes (rule 15). Strict, like every edge schema. The
 * URL's policy (https, public addresses) depends on the deployment and on DNS, so the handler checks it
 * after this shape (url-policy.ts, shared/webhook-target.ts).
 */

/** The 404 of an id the caller's organisation has no webhook with (another's included). */
export const NO_SUCH_WEBHOOK = 'No webhook with that id exists for your organisation';

/** A webhook's address is at most this long (url-policy.ts holds the rest of what it must be). */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** What an event type looks like (`agreement.in-force`); whether it is one is the subscription's check. */
const EVENT_TYPE_SHAPE = /^(\*|[a-z][a-z0-9-]*(\.[a-z0-9-]+)+)$/;

/** `["*"]` (every type, also those added later), or 1 to 100 distinct notification types. */
export const webhookEventsSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .array(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(100),
          z.regex(EVENT_TYPE_SHAPE, { message: 'must be "*" or an event type such as agreement.in-force' }),
        ),
    )
    .check(
      z.minLength(1),
      z.maxLength(MAX_SUBSCRIBED_EVENTS),
      z.superRefine((events, ctx) => {
        // A malformed type is refused on its own item already.
        const wellFormed = events.filter((type) => EVENT_TYPE_SHAPE.test(type));
        for (const message of subscriptionProblems(wellFormed)) ctx.addIssue({ code: 'custom', message });
      }),
    ),
);

const descriptionSchema = () => lineText(200);

/** POST /webhooks. */
export const createWebhookSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    url: z.string().check(z.minLength(1), z.maxLength(WEBHOOK_URL_MAX_LENGTH)),
    events: webhookEventsSchema,
    description: z.optional(descriptionSchema()),
  }),
);

/** PATCH /webhooks/{id}: at least one of these; `enabled: true` also clears why it was disabled. */
export const updateWebhookSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .partial(
      z.strictObject({
        events: webhookEventsSchema,
        enabled: z.boolean(),
        description: descriptionSchema(),
      }),
    )
    .check(z.refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' })),
);

/** A webhook as the API shows it: never a secret, which only the responses that make one carry. */
export const webhookSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.optional(z.string()),
    enabled: z.boolean(),
    createdAt: z.string(),
    createdBy: actorSchema,
    updatedAt: z.optional(z.string()),
    /** Set when deliveries kept failing and the service stopped sending (with the reason). */
    disabledAt: z.optional(z.string()),
    disabledReason: z.optional(z.string()),
    /** The first failed delivery of the failures going on now; cleared by a success. */
    failingSince: z.optional(z.string()),
    /** When the signing secret was last rotated. */
    secretRotatedAt: z.optional(z.string()),
  }),
);

/** The created webhook, with its signing secret (shown this once). */
export const createdWebhookSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    ...webhookSchema.shape,
    /** `whsec_` and base64 of 24 random bytes: the Standard Webhooks signing secret. */
    secret: z.string(),
  }),
);

/** POST /webhooks/{id}/rotate-secret: the new secret (shown this once), and until when the old one signs. */
export const rotatedSecretSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ secret: z.string(), previousSecretExpiresAt: z.string() }),
);

export type CreateWebhookRequest = z.infer<typeof createWebhookSchema>;
export type UpdateWebhookRequest = z.infer<typeof updateWebhookSchema>;
export type Webhook = z.infer<typeof webhookSchema>;
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;
export type RotatedSecret = z.infer<typeof rotatedSecretSchema>;

/** The webhook item as stored (without its key and entity): the representation's facts and the secrets. */
export interface StoredWebhook {
  id: string;
  orgNumber: string;
  url: string;
  /** `['*']` means every type. */
  events: string[];
  description?: string;
  enabled: boolean;
  createdAt: string;
  createdBy: Actor;
  updatedAt?: string;
  /** Newest first; the first signs. */
  secrets: WebhookSecret[];
  disabledAt?: string;
  disabledReason?: string;
  failingSince?: string;
}

/** The representation of a stored webhook: its facts, never its secrets. */
export function webhookOf(stored: StoredWebhook): Webhook {
  const rotatedAt = secretRotatedAt(stored);
  return {
    id: stored.id,
    url: stored.url,
    events: stored.events,
    ...(stored.description !== undefined ? { description: stored.description } : {}),
    enabled: stored.enabled,
    createdAt: stored.createdAt,
    createdBy: stored.createdBy,
    ...(stored.updatedAt !== undefined ? { updatedAt: stored.updatedAt } : {}),
    ...(stored.disabledAt !== undefined ? { disabledAt: stored.disabledAt } : {}),
    ...(stored.disabledReason !== undefined ? { disabledReason: stored.disabledReason } : {}),
    ...(stored.failingSince !== undefined ? { failingSince: stored.failingSince } : {}),
    ...(rotatedAt !== undefined ? { secretRotatedAt: rotatedAt } : {}),
  };
}
