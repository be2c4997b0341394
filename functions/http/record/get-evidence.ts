import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { agreementAsOf, contentVersionsOf } from '../../domain/amendments/versions.ts';
import { renderAgreementDocument } from '../../domain/document/agreement-document.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import { buildEvidencePack, MANIFEST_JWS_TYPE } from '../../domain/evidence/pack.ts';
import { requireParty } from '../../domain/parties.ts';
import { actorOf } from '../../shared/caller.ts';
import { dynamoClient } from '../../shared/clients.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { serviceSigner } from '../../shared/service-signer.ts';
import { auditItem, logEntryOf } from '../../store/agreements-store.ts';
import { readAgreementRecord } from '../../store/evidence-store.ts';
import { cancelledWith, isIssuedId } from '../../store/items.ts';
import { notificationWrites, publishEvents } from '../../store/notifications-store.ts';
import {
  chronologically,
  runNotifications,
  sealingOf,
  sealWrites,
  signRun,
} from '../../store/seals-store.ts';
import { auditEntry } from '../agreement-access.ts';

/**
 * Rule 14: the evidence pack (docs/evidence-format.md). The export is itself a read, audited; its
 * audit entry and every entry not yet sealed are sealed now (a seal run of this agreement alone), in
 * the transaction that writes them, so the pack covers its whole log. Two round trips: the partition, then that transaction.
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  if (!params.id || !isIssuedId(params.id)) throw notFound();
  const id = params.id;
  const record = await readAgreementRecord(id);
  const { agreement } = requireParty(record.agreement, caller.orgNumber);

  const at = now();
  const audit = auditItem(id, auditEntry(caller, 'evidence.exported', route, at));
  const exportEntry = logEntryOf(audit.Item);
  const sealedIds = new Set(record.seals.flatMap((seal) => seal.entries.map((entry) => entry.id)));
  const unsealed = [...record.entries.filter(({ id: entryId }) => !sealedIds.has(entryId)), exportEntry].sort(
    chronologically,
  );
  const run = await signRun(at, [sealingOf(agreement, unsealed, record.latestSeals, at)]);
  const sealing = run.sealings[0]!;
  const entries = [...record.entries, exportEntry];
  const logs = (prefix: string) => entries.filter((entry) => entry.id.startsWith(prefix));

  const signer = await serviceSigner();
  const pack = await buildEvidencePack(
    {
      agreementId: id,
      exportedAt: at.toISOString(),
      exportedBy: actorOf(caller),
      agreement,
      versions: contentVersionsOf(agreement, record.versions).map((version) => ({
        ...version,
        document: renderAgreementDocument(agreementAsOf(agreement, version), version.number),
      })),
      amendments: record.amendments as unknown as Record<string, unknown>[],
      subProcessors: record.subProcessors,
      breaches: record.breaches,
      audits: record.audits,
      forwardedRequests: record.forwardedRequests,
      instructions: record.instructions,
      history: logs('HISTORY#'),
      audit: logs('AUDIT#'),
      seals: [...record.seals, ...sealing.stored],
      jwks: { keys: (await signer.publicKeys()).map((key) => ({ ...key })) },
    },
    (manifest) => signer.sign(manifest, MANIFEST_JWS_TYPE),
  );

  const notifications = runNotifications(run, [sealing]);
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: audit },
          ...sealWrites(sealing),
          ...notifications.flatMap((notification) => notificationWrites(notification, 'condition')),
        ],
      }),
    );
  } catch (error) {
    if (cancelledWith(error, 'ConditionalCheckFailed')) {
      throw conflict(
        'The log was sealed by another export or the daily run at the same moment; export again',
      );
    }
    throw error;
  }
  await publishEvents(notifications);
  return {
    status: 200,
    file: { contentType: 'application/zip', bytes: pack },
    headers: { 'content-disposition': `attachment; filename="${id}-evidence.zip"` },
  };
});
