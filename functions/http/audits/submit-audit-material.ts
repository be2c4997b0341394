import { materialHistory, materialNotifications, newMaterial } from '../../domain/audits/audits.ts';
import { auditMaterialRequestSchema } from '../../domain/audits/schemas.ts';
import { osloDate } from '../../domain/calendar.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveAuditMaterial } from '../../store/audits-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadAuditForParty } from './audit-access.ts';

/**
 * Rule 16: the processor submits its material for an open oversight audit: documents as metadata with
 * their SHA-256 (the content of small files checked and kept), a third-party report's summary, or both;
 * numbered in the order submitted. 201 with the submission; the controller is told.
 */
export const handler = httpHandler(
  { body: auditMaterialRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, head } = await loadAuditForParty(params, caller);
    const at = now();
    const material = newMaterial({
      agreement,
      audit: head,
      role,
      request: body,
      actor: actorOf(caller),
      now: at,
    });
    await saveAuditMaterial({
      agreement,
      head,
      material,
      today: osloDate(at),
      history: [materialHistory(head, material)],
      audit: {
        ...auditEntry(caller, 'oversight.material', route, at),
        details: { auditId: head.id, number: material.number },
      },
      notifications: materialNotifications(agreement, head, material, at),
    });
    return { status: 201, body: material };
  }),
);
