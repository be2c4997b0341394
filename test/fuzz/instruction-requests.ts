import type { Aim, JsonObject, QueryDefect, Refused, RouteFuzz } from './hostile-requests.ts';
import type { FixtureName, Role, World } from './world.ts';

/**
 * Hostile requests for the instruction routes (rule 16, 003 §4), kept beside the generator they join
 * (hostile-requests.ts spreads them into its routes). The world's agreement in force holds an
 * instruction awaiting acknowledgement and one objected to; every request here is one the contract
 * refuses, so neither ever changes state.
 */
interface Tools {
  aimsAt(
    world: World,
    as: readonly Role[],
    names?: readonly FixtureName[],
    extra?: Record<string, string>,
  ): Aim[];
  except(...names: FixtureName[]): FixtureName[];
  unknownParameters: QueryDefect[];
  protoParameter: QueryDefect;
}

const parties: Role[] = ['controller', 'processor'];

export const INSTRUCTION = {
  topic: 'THIRD_COUNTRY_TRANSFER',
  title: 'Ingen overføring til tredjeland',
  text: 'Personopplysningene skal ikke overføres til land utenfor EØS.',
};

export function instructionRoutes({ aimsAt, except, unknownParameters, protoParameter }: Tools) {
  const at = (
    world: World,
    as: readonly Role[],
    which: 'awaiting' | 'objected',
    names: FixtureName[] = ['inForce'],
  ) => aimsAt(world, as, names, { instructionId: world.instructionIds[which] });
  const refuse = (aims: Aim[], body: JsonObject, expect: number[], defect: string): Refused[] =>
    aims.map((aim) => ({
      aim,
      body,
      expect,
      defect: `${defect} (${aim.fixture?.status}, as the ${aim.as})`,
    }));

  /** A step: who takes it, on which instruction; the wrong party, the wrong state, another agreement. */
  const step =
    (
      by: Role,
      which: 'awaiting' | 'objected',
      valid: JsonObject,
      optional: string[],
      wrongState: 'awaiting' | 'objected' | undefined,
      bad: { body: JsonObject; defect: string }[],
    ) =>
    (world: World): RouteFuzz => ({
      aims: at(world, [by], which),
      body: () => valid,
      bodyFields: { optional },
      refused: [
        ...refuse(
          at(world, [by === 'controller' ? 'processor' : 'controller'], which),
          valid,
          [403],
          'the other party',
        ),
        ...refuse(at(world, [by], which, except('inForce')), valid, [404], "another agreement's instruction"),
        ...(wrongState
          ? refuse(at(world, [by], wrongState), valid, [409], `an instruction ${wrongState}`)
          : []),
        ...bad.flatMap(({ body, defect }) => refuse(at(world, [by], which), body, [400], defect)),
      ],
    });

  return {
    giveInstruction: (world: World): RouteFuzz => {
      const valid = { ...INSTRUCTION, effectiveFrom: world.today };
      return {
        aims: aimsAt(world, ['controller'], ['inForce', 'notice', 'terminated']),
        body: () => valid,
        bodyFields: { optional: ['effectiveFrom'], dates: ['effectiveFrom'] },
        refused: [
          ...refuse(
            aimsAt(world, ['processor'], ['inForce']),
            valid,
            [403],
            'an instruction by the processor',
          ),
          ...refuse(
            aimsAt(world, ['controller'], ['draft', 'awaiting', 'cancelled']),
            valid,
            [409],
            'never in force',
          ),
          ...refuse(
            aimsAt(world, ['controller'], ['inForce']),
            { ...valid, effectiveFrom: '2020-01-01' },
            [400],
            'an effectiveFrom in the past',
          ),
          ...refuse(
            aimsAt(world, ['controller'], ['inForce']),
            { ...valid, text: 'Gjelder 130972 48022' },
            [400],
            'a national identity number',
          ),
          ...refuse(
            aimsAt(world, ['controller'], ['inForce']),
            { ...valid, topic: 'TRANSFER' },
            [400],
            'an unknown topic',
          ),
        ],
      };
    },

    listInstructions: (world: World): RouteFuzz => ({
      aims: aimsAt(world, parties),
      query: () => '',
      queryDefects: () => [
        ...unknownParameters,
        protoParameter,
        { query: 'limit=5', defect: 'paging where there is none', mustRefuse: true },
        ...['2026-02-30', '20260101', 'today', ''].map((day) => ({
          query: `inEffectOn=${day}`,
          defect: `inEffectOn=${day}`,
          mustRefuse: true,
        })),
        ...['objected', 'OBJECTED%20', 'PENDING', '', 'OBJECTED,WITHDRAWN'].map((status) => ({
          query: `status=${status}`,
          defect: `status=${status}`,
          mustRefuse: true,
        })),
      ],
    }),

    getInstruction: (world: World): RouteFuzz => ({
      aims: at(world, parties, 'awaiting'),
      refused: at(world, parties, 'awaiting', ['notice', 'terminated']).map((aim) => ({
        aim,
        expect: [404],
        defect: 'an instruction of another agreement',
      })),
    }),

    acknowledgeInstruction: step('processor', 'awaiting', { comment: 'Mottatt' }, ['comment'], 'objected', [
      { body: { comment: 'Gjelder 13097248022' }, defect: 'a national identity number in the comment' },
    ]),

    objectToInstruction: step(
      'processor',
      'awaiting',
      { reason: 'Strider mot GDPR art. 44', legalReference: 'GDPR art. 44' },
      ['legalReference'],
      'objected',
      [
        { body: { reason: '' }, defect: 'an empty reason' },
        { body: { legalReference: 'GDPR art. 44' }, defect: 'no reason' },
      ],
    ),

    withdrawInstruction: step(
      'controller',
      'objected',
      { reason: 'Ny instruks kommer' },
      ['reason'],
      undefined,
      [{ body: { reason: 'Gjelder 13097248022' }, defect: 'a national identity number in the reason' }],
    ),

    confirmInstruction: step('controller', 'objected', { reasons: 'Adekvansbeslutning' }, [], 'awaiting', [
      { body: {}, defect: 'no reasons' },
    ]),
  };
}
