import { historyEntry } from '../domain/changes.ts';
import { contentHashOf } from '../domain/content-hash.ts';
import { forbidden } from '../domain/errors.ts';
import { roleOf } from '../domain/parties.ts';
import { type Agreement, createAgreementSchema } from '../domain/schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { countMetric } from '../shared/observability.ts';
import { createAgreement } from '../store/agreements-store.ts';
import { auditEntry } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';

export const handler = httpHandler(
  { body: createAgreementSchema },
  idempotent(async ({ caller, body, route }) => {
    if (!roleOf(body, caller.orgNumber)) {
      throw forbidden('Your organisation must be the controller or the processor of an agreement it creates');
    }
    const at = now();
    const agreement: Agreement = {
      id: crypto.randomUUID(),
      status: 'DRAFT',
      version: 1,
      contentHash: contentHashOf(body),
      ...body,
      createdBy: actorOf(caller),
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
      signatures: [],
    };
    await createAgreement(
      agreement,
      historyEntry(actorOf(caller), 'AGREEMENT_CREATED', at, { to: 'DRAFT' }),
      auditEntry(caller, 'agreement.create', route, at),
    );
    countMetric('agreementCreated');
    return {
      status: 201,
      body: agreement,
      headers: { location: `/agreements/${agreement.id}`, etag: etagOf(agreement.version) },
    };
  }),
);
