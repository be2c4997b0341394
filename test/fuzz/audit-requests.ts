import type { Aim, Refused, RouteFuzz } from './hostile-requests.ts';
import type { FixtureName, Role, World } from './world.ts';

/**
 * Generators of the oversight audit routes (rule 16), kept apart from hostile-requests.ts, which
 * hands in its aiming helpers. The world's audit is on the agreement in force, with finding 1 open
 * for the processor to close.
 */
export interface AimHelpers {
  aimsAt: (world: World, as: readonly Role[], names?: readonly FixtureName[], extra?: object) => Aim[];
  except: (...names: FixtureName[]) => FixtureName[];
  parties: Role[];
}

const CONTENT = 'YXNkZg==';
const SHA256 = 'f0e4c2f76c58916ec258f246851bea091d14d4247a2fc3e18694461b1816e13b';

export function auditRoutes({
  aimsAt,
  except,
  parties,
}: AimHelpers): Record<string, (world: World) => RouteFuzz> {
  const at = (world: World, as: readonly Role[], extra: object = {}) =>
    aimsAt(world, as, ['inForce'], { auditId: world.auditId, ...extra });
  const refused = (aims: Aim[], body: unknown, expect: number[], defect: string): Refused[] =>
    aims.map((aim) => ({ aim, body: body as Refused['body'], expect, defect }));
  const elsewhere = (world: World, as: readonly Role[], body: unknown, extra: object = {}) =>
    aimsAt(world, as, except('inForce'), { auditId: world.auditId, ...extra }).map((aim) => ({
      aim,
      body: body as Refused['body'],
      expect: [404],
      defect: `an audit of another agreement (${aim.fixture!.status})`,
    }));

  return {
    planAudit: (world) => {
      const valid = {
        type: 'ON_SITE',
        scope: 'Driftssenteret i Bergen',
        dueOn: world.today,
        recurrence: { everyMonths: 6 },
      };
      return {
        aims: aimsAt(world, ['controller'], ['inForce', 'notice']),
        body: () => valid,
        bodyFields: { optional: ['recurrence'], dates: ['dueOn'] },
        refused: [
          ...refused(
            aimsAt(world, ['processor'], ['inForce']),
            valid,
            [403],
            'an audit planned by the processor',
          ),
          ...refused(
            aimsAt(world, ['controller'], ['draft', 'awaiting', 'terminated', 'cancelled']),
            valid,
            [409],
            'an audit under an agreement that does not bind',
          ),
          ...refused(
            aimsAt(world, ['controller'], ['inForce']),
            { ...valid, dueOn: '2000-01-01' },
            [400],
            'a due date in the past',
          ),
          ...refused(
            aimsAt(world, ['controller'], ['inForce']),
            { ...valid, recurrence: { everyMonths: 0 } },
            [400],
            'a recurrence of 0 months',
          ),
          ...refused(
            aimsAt(world, ['controller'], ['inForce']),
            { ...valid, scope: 'Gjelder 130972 48022' },
            [400],
            'a national identity number in the scope',
          ),
        ],
      };
    },

    listAudits: (world) => ({ aims: aimsAt(world, parties) }),

    getAudit: (world) => ({
      aims: at(world, parties),
      refused: aimsAt(world, parties, ['notice', 'terminated'], { auditId: world.auditId }).map((aim) => ({
        aim,
        expect: [404],
        defect: 'an audit of another agreement',
      })),
    }),

    submitAuditMaterial: (world) => {
      const document = {
        name: 'Rutine.txt',
        sha256: SHA256,
        size: 4,
        mediaType: 'text/plain',
        content: CONTENT,
      };
      const valid = { documents: [document], note: 'Gjelder fra januar' };
      return {
        aims: at(world, ['processor']),
        body: () => valid,
        bodyFields: { optional: ['note', 'documents.0.content'] },
        refused: [
          ...refused(at(world, ['controller']), valid, [403], 'material submitted by the controller'),
          ...elsewhere(world, ['processor'], valid),
          ...refused(
            at(world, ['processor']),
            { note: 'Bare en merknad' },
            [400],
            'material without documents or report',
          ),
          ...refused(
            at(world, ['processor']),
            { documents: [{ ...document, size: 5 }] },
            [400],
            'content that is not its size',
          ),
          ...refused(
            at(world, ['processor']),
            { documents: [{ ...document, sha256: '0'.repeat(64) }] },
            [400],
            'content that is not its SHA-256',
          ),
          ...refused(
            at(world, ['processor']),
            { documents: [{ ...document, content: 'not base64!' }] },
            [400],
            'content that is not base64',
          ),
        ],
      };
    },

    recordAuditFinding: (world) => {
      const valid = {
        description: 'Logger slettes for tidlig',
        deadline: world.today,
        responsible: 'processor',
        severity: 'LOW',
      };
      return {
        aims: at(world, ['controller']),
        body: () => valid,
        bodyFields: { optional: ['severity'], dates: ['deadline'] },
        refused: [
          ...refused(at(world, ['processor']), valid, [403], 'a finding recorded by the processor'),
          ...elsewhere(world, ['controller'], valid),
          ...refused(
            at(world, ['controller']),
            { ...valid, deadline: '2000-01-01' },
            [400],
            'a deadline in the past',
          ),
          ...refused(
            at(world, ['controller']),
            { ...valid, responsible: 'auditor' },
            [400],
            'an unknown responsible party',
          ),
        ],
      };
    },

    closeAuditFinding: (world) => {
      const valid = { howClosed: 'Rutinen er endret og kontrollert' };
      return {
        aims: at(world, ['processor'], { findingId: '1' }),
        body: () => valid,
        bodyFields: { optional: ['closedOn'] },
        refused: [
          ...refused(
            at(world, ['controller'], { findingId: '1' }),
            valid,
            [403],
            'a finding closed by the party not responsible',
          ),
          ...['2', '01', '0', 'x', '99999'].flatMap((findingId) =>
            refused(
              at(world, ['processor'], { findingId }),
              valid,
              [404],
              `finding ${findingId}, which the audit does not have`,
            ),
          ),
          ...refused(
            at(world, ['processor'], { findingId: '1' }),
            { ...valid, closedOn: '2999-12-31' },
            [400],
            'closed on a day in the future',
          ),
        ],
      };
    },

    closeAudit: (world) => {
      const valid = { conclusion: 'I samsvar med avtalen', endRecurrence: true };
      return {
        aims: at(world, ['controller']),
        body: () => valid,
        bodyFields: { optional: ['endRecurrence'] },
        refused: [
          ...refused(at(world, ['processor']), valid, [403], 'an audit closed by the processor'),
          ...elsewhere(world, ['controller'], valid),
          ...refused(at(world, ['controller']), { conclusion: '' }, [400], 'an empty conclusion'),
        ],
      };
    },
  };
}
