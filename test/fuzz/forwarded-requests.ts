import type { Fixture, FixtureName, Role, Who, World } from './world.ts';

/**
 * Hostile requests for the forwarded-request routes (rule 16), for hostile-requests.ts: each a
 * well-formed request on the agreement in force broken in one way the contract refuses (the wrong
 * party, another agreement's request, a body the rules refuse). Kept in its own module; the shared
 * helpers are handed in.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Aim {
  params: Record<string, string>;
  as: Who | 'none';
  fixture?: Fixture;
}

interface Refused {
  aim: Aim;
  body?: Json;
  expect: readonly number[];
  defect: string;
}

export interface ForwardedRequestFuzz {
  aims: Aim[];
  body?: (aim: Aim) => JsonObject;
  bodyFields?: { optional?: string[]; dates?: string[]; datetimes?: string[] };
  refused?: Refused[];
}

export interface FuzzHelpers {
  aimsAt: (world: World, as: readonly Role[], names?: readonly FixtureName[], extra?: object) => Aim[];
  except: (...names: FixtureName[]) => FixtureName[];
  parties: Role[];
}

const NATIONAL_ID = 'Gjelder 130972 48022';

export function forwardedRequestRoutes({
  aimsAt,
  except,
  parties,
}: FuzzHelpers): Record<string, (world: World) => ForwardedRequestFuzz> {
  const on = (world: World, as: readonly Role[], extra: object = {}) =>
    aimsAt(world, as, ['inForce'], { requestId: world.forwardedRequestId, ...extra });
  const refuse = (
    aims: Aim[],
    body: Json | undefined,
    expect: readonly number[],
    defect: string,
  ): Refused[] => aims.map((aim) => ({ aim, ...(body === undefined ? {} : { body }), expect, defect }));
  const elsewhere = (world: World, as: readonly Role[], extra: object = {}) =>
    aimsAt(world, as, except('inForce'), { requestId: world.forwardedRequestId, ...extra });

  return {
    forwardRequest: (world) => {
      const valid: JsonObject = {
        from: 'DATA_SUBJECT',
        kind: 'ERASURE',
        receivedAt: `${world.today}T06:00:00Z`,
        asked: 'Sletting av opplysninger i aktivitetsplanen',
        reference: 'KS-1',
      };
      const processor = (names: FixtureName[]) => aimsAt(world, ['processor'], names);
      return {
        aims: aimsAt(world, ['processor'], ['inForce', 'notice', 'terminated']),
        body: () => valid,
        bodyFields: { optional: ['reference'], datetimes: ['receivedAt'] },
        refused: [
          ...refuse(
            aimsAt(world, ['controller'], ['inForce']),
            valid,
            [403],
            'a request forwarded by the controller',
          ),
          ...refuse(
            processor(['draft', 'awaiting', 'cancelled']),
            valid,
            [409],
            'a request before the agreement was in force',
          ),
          ...refuse(
            processor(['inForce']),
            { ...valid, kind: null },
            [400],
            "a data subject's request without its kind",
          ),
          ...refuse(
            processor(['inForce']),
            { ...valid, datatilsynetDeadline: world.today },
            [400],
            "a deadline of Datatilsynet's on a data subject's request",
          ),
          ...refuse(
            processor(['inForce']),
            { from: 'DATATILSYNET', receivedAt: valid.receivedAt!, asked: 'Redegjørelse' },
            [400],
            "Datatilsynet's request without its deadline",
          ),
          ...refuse(
            processor(['inForce']),
            { ...valid, receivedAt: '2999-01-01T00:00:00Z' },
            [400],
            'a request received in 2999',
          ),
          ...refuse(
            processor(['inForce']),
            { ...valid, asked: NATIONAL_ID },
            [400],
            'a national identity number in what was asked',
          ),
        ],
      };
    },

    listForwardedRequests: (world) => ({ aims: aimsAt(world, parties) }),

    getForwardedRequest: (world) => ({
      aims: on(world, parties),
      refused: refuse(elsewhere(world, parties), undefined, [404], 'a request of another agreement'),
    }),

    extendRequestDeadline: (world) => {
      const valid = { months: 2, reason: 'Omfattende innsyn i flere systemer' };
      return {
        aims: on(world, ['controller']),
        body: () => valid,
        refused: [
          ...refuse(on(world, ['processor']), valid, [403], 'an extension by the processor'),
          ...refuse(
            elsewhere(world, ['controller']),
            valid,
            [404],
            "an extension of another agreement's request",
          ),
          ...refuse(
            on(world, ['controller']),
            { ...valid, months: 3 },
            [400],
            'an extension by three months',
          ),
          ...refuse(
            on(world, ['controller']),
            { ...valid, reason: NATIONAL_ID },
            [400],
            'a national identity number in the reason',
          ),
        ],
      };
    },

    addRequestTask: (world) => {
      const valid = { description: 'Hent ut loggene', dueOn: '2999-01-01' };
      return {
        aims: on(world, ['controller']),
        body: () => valid,
        bodyFields: { dates: ['dueOn'] },
        refused: [
          ...refuse(on(world, ['processor']), valid, [403], 'a task asked by the processor'),
          ...refuse(elsewhere(world, ['controller']), valid, [404], "a task on another agreement's request"),
          ...refuse(
            on(world, ['controller']),
            { ...valid, dueOn: '2000-01-01' },
            [400],
            'a task due in 2000',
          ),
          ...refuse(
            on(world, ['controller']),
            { ...valid, description: NATIONAL_ID },
            [400],
            'a national identity number in a task',
          ),
        ],
      };
    },

    completeRequestTask: (world) => {
      const valid = { note: 'Uttrekket er levert' };
      return {
        aims: on(world, ['processor'], { taskId: '1' }),
        body: () => valid,
        refused: [
          ...refuse(
            on(world, ['controller'], { taskId: '1' }),
            valid,
            [403],
            'a task marked done by the controller',
          ),
          ...['2', '01', '0', 'x'].flatMap((taskId) =>
            refuse(
              on(world, ['processor'], { taskId }),
              valid,
              [404],
              `task ${taskId}, which the request does not have`,
            ),
          ),
          ...refuse(
            on(world, ['processor'], { taskId: '1' }),
            { note: NATIONAL_ID },
            [400],
            'a national identity number in the note',
          ),
        ],
      };
    },

    recordRequestOutcome: (world) => {
      const valid = { outcome: 'ANSWERED', answeredOn: world.today, summary: 'Innsyn gitt per brev' };
      return {
        aims: on(world, ['controller']),
        body: () => valid,
        bodyFields: { dates: ['answeredOn'] },
        refused: [
          ...refuse(on(world, ['processor']), valid, [403], 'an outcome recorded by the processor'),
          ...refuse(
            elsewhere(world, ['controller']),
            valid,
            [404],
            "an outcome of another agreement's request",
          ),
          ...refuse(
            on(world, ['controller']),
            { ...valid, answeredOn: '2999-01-01' },
            [400],
            'an answer given in 2999',
          ),
          ...refuse(
            on(world, ['controller']),
            { ...valid, outcome: 'IGNORED' },
            [400],
            'an outcome the API does not know',
          ),
        ],
      };
    },
  };
}
