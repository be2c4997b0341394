import { lazySchema } from '../lazy-schema.ts';
import { deliverySchema, pageCursor, pageLimit } from '../schemas.ts';
import * as z from '../zod.ts';

/** `GET /webhooks/{id}/deliveries`: a page, newest first. */
export const webhookDeliveriesQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ limit: z._default(pageLimit, 25), cursor: pageCursor }),
);

/** One notification's delivery to one endpoint (see webhook-message.ts), as listed. */
export const webhookDeliverySchema = /* @__PURE__ */ lazySchema(() =>
  z.extend(z.omit(deliverySchema, { channel: true }), {
    id: z.string(),
    webhookId: z.string(),
    messageId: z.string(),
    notificationId: z.string(),
    type: z.string(),
    agreementId: z.string(),
    responseStatus: z.optional(z.int()),
  }),
);

export const webhookDeliveriesPageSchema = /* @__PURE__ */ lazySchema(() =>
  z.object({ items: z.array(webhookDeliverySchema), nextCursor: z.optional(z.string()) }),
);
