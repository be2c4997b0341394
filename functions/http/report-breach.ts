import { breachReportSchema } from '../domain/breach-schemas.ts';
import { decideBreachReport } from '../domain/breaches.ts';
import { historyEntry } from '../domain/changes.ts';
import { notificationsFor } from '../domain/notifications.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { saveBreachReport } from '../store/breaches-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

/** Rule 9: the processor reports a breach (avvik) to the controller, in writing, with its content a-f. */
export const handler = httpHandler({ body: breachReportSchema }, async ({ caller, body, params, route }) => {
  const { agreement, role } = await loadForParty(params.id, caller);
  const at = now();
  const record = decideBreachReport({
    agreement,
    role,
    request: body,
    actor: actorOf(caller),
    id: crypto.randomUUID(),
    now: at,
  });
  const message = (recipient: 'controller' | 'processor') => ({
    type: 'breach.reported',
    key: record.id,
    subject:
      recipient === 'controller'
        ? `Breach reported by the processor${record.reportedLate ? ' (late)' : ''}; only you inform Datatilsynet, by ${record.supervisoryAuthorityDeadline}, and the data subjects`
        : `Your breach report was delivered to the controller${record.reportedLate ? ' after the agreed deadline' : ''}`,
    details: {
      breachId: record.id,
      becameAwareAt: record.becameAwareAt,
      notificationDeadline: record.notificationDeadline,
      reportedLate: record.reportedLate,
      supervisoryAuthorityDeadline: record.supervisoryAuthorityDeadline,
    },
  });
  await saveBreachReport({
    record,
    history: historyEntry(actorOf(caller), 'BREACH_REPORTED', at, {
      details: {
        breachId: record.id,
        reportedLate: record.reportedLate,
        notificationDeadline: record.notificationDeadline,
        supervisoryAuthorityDeadline: record.supervisoryAuthorityDeadline,
      },
    }),
    audit: { ...auditEntry(caller, 'breach.report', route, at), details: { breachId: record.id } },
    notifications: [
      ...notificationsFor(agreement, ['controller'], message('controller'), at),
      ...notificationsFor(agreement, ['processor'], message('processor'), at),
    ],
  });
  return {
    status: 201,
    body: record,
    headers: { location: `/agreements/${agreement.id}/breaches/${record.id}` },
  };
});
