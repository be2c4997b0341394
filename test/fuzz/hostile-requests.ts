import fc from 'fast-check';
import { type HttpFunction, httpFunctions } from '../../functions/catalogue.ts';
import { agreementRequest, breachReport } from '../support/api-client.ts';
import { plusDays } from '../support/in-process-stack.ts';
import { auditRoutes } from './audit-requests.ts';
import { forwardedRequestRoutes } from './forwarded-requests.ts';
import { instructionRoutes } from './instruction-requests.ts';
import {
  type Fixture,
  type FixtureName,
  REQUESTED_SUB_PROCESSOR,
  type Role,
  UNREACHED_WEBHOOK,
  type Who,
  type World,
} from './world.ts';

/**
 * Hostile requests for every route of the catalogue, each one a request the API must refuse (or, for a
 * read, may answer but never with a server error): a well-formed request for a real agreement, broken
 * in one way that the contract says is refused (a bad id, a broken body, a wrong content type, a bad
 * cursor, a party acting outside its role or state...). Shared by the fuzz test and `npm run fuzz`.
 */

export interface HostileRequest {
  route: string;
  method: string;
  /** As sent: percent-escapes (well or badly formed) included, never tidied up. */
  path: string;
  caller: Who | 'none';
  headers: Record<string, string>;
  body?: string;
  /** What makes it hostile, in words. */
  defect: string;
  /** A 2xx is a violation: the request is one the contract refuses. */
  mustRefuse: boolean;
  /** The statuses the contract allows for this defect, when it names them. */
  expect?: readonly number[];
  /** For a 400: the field the problem must name. */
  field?: string;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Aim {
  params: Record<string, string>;
  as: Who | 'none';
  /** The fixture the agreement id belongs to, when there is one. */
  fixture?: Fixture;
}

export interface Refused {
  aim: Aim;
  body?: Json;
  headers?: Record<string, string>;
  query?: string;
  expect: readonly number[];
  defect: string;
}

export interface QueryDefect {
  query: string;
  defect: string;
  mustRefuse: boolean;
}

/** How to fuzz one route: where to aim, what a well-formed request looks like, what the rules refuse. */
export interface RouteFuzz {
  aims: Aim[];
  body?: (aim: Aim) => JsonObject;
  bodyFields?: { optional?: string[]; dates?: string[]; datetimes?: string[]; orgNumbers?: string[] };
  headers?: (aim: Aim) => Record<string, string>;
  /** The well-formed query string (without `?`) of a read. */
  query?: (aim: Aim) => string;
  queryDefects?: (aim: Aim) => QueryDefect[];
  refused?: Refused[];
}

// --- hostile values ------------------------------------------------------------------------------

/** Percent-escapes that do not decode to UTF-8 (or are not escapes at all). */
export const MALFORMED_ESCAPES = [
  '%E0%A4%A',
  '%C0%AE%C0%AE',
  '%FF%FE',
  '%u0041',
  '%',
  '%%',
  '%G1',
  '%E0%80%80',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%C0%AF',
  '%80',
];

/** Characters that change what a reader sees without being seen (issue 7, defect 6). */
export const INVISIBLE_CHARACTERS = [
  ...Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).filter(
    (char) => char !== '\t' && char !== '\n' && char !== '\r',
  ),
  ...['\u202A', '\u202B', '\u202C', '\u202D', '\u202E'],
  ...['\u2066', '\u2067', '\u2068', '\u2069'],
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
];

const BAD_DATES = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '2025-02-29',
  '20260101',
  '2026-1-1',
  '26-01-01',
  '2026-01-01T00:00:00Z',
  ' 2026-01-01',
  '2026-01-01 ',
  '2026/01/01',
  '01.01.2026',
  '+02026-01-01',
  '٢٠٢٦-٠١-٠١',
  'yesterday',
  '',
];

const BAD_DATETIMES = [
  '2026-02-30T08:00:00Z',
  '2026-11-22T24:00:00Z',
  '2026-11-22T08:30:00',
  '2026-11-22T08:30:60Z',
  '2026-11-22T08:30:00+25:00',
  '2026-11-22',
  '2026-11-22 08:30:00Z',
  'now',
  '',
];

/** Weights 3, 2, 7, 6, 5, 4, 3, 2; remainder giving 10 is invalid (written here, not imported). */
function checkDigit(first8: string): number | undefined {
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const sum = [...first8].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  const remainder = 11 - (sum % 11);
  if (remainder === 11) return 0;
  return remainder === 10 ? undefined : remainder;
}

const invalidOrgNumber: fc.Arbitrary<Json> = fc.oneof(
  fc.stringMatching(/^[0-9]{8}$/).chain((first8) => {
    const check = checkDigit(first8);
    return fc
      .integer({ min: 0, max: 9 })
      .filter((digit) => digit !== check)
      .map((digit) => `${first8}${digit}`);
  }),
  fc.constantFrom<Json>(
    '95474863',
    '9547486340',
    '95474863a',
    ' 954748634',
    '954 748 634',
    'NO954748634',
    '954748634MVA',
    '０９５４７４８６３４',
    954748634,
    '',
  ),
);

const wrongTypeFor = (value: Json): Json[] => {
  if (typeof value === 'string') return [0, 1.5, true, null, [], {}, [value]];
  if (typeof value === 'number') return [String(value), null, true, [], {}, 1.5, -1, 1e300];
  if (Array.isArray(value)) return ['x', 0, null, {}, true];
  if (value && typeof value === 'object') return ['x', 0, null, [], true];
  return ['x', 0, []];
};

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
const EXTRA_KEYS = [
  ...PROTOTYPE_KEYS,
  'extra',
  'toString',
  'hasOwnProperty',
  'isAdmin',
  '',
  ' ',
  'id',
  'status',
];

const pollutingValue: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  { polluted: 'yes' },
  { prototype: { polluted: 'yes' } },
  { __proto__: { polluted: 'yes' } } as unknown as Json,
  'x',
  null,
  [],
  { status: 'IN_FORCE' },
);

/** A JSON text that JSON.parse refuses. */
const malformedJson = (valid: string): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.integer({ min: 1, max: Math.max(1, valid.length - 1) }).map((cut) => valid.slice(0, cut)),
      fc.constantFrom(
        `${valid}}`,
        `${valid},`,
        `${valid} x`,
        `\uFEFF${valid}`,
        valid.replace('"', "'"),
        valid.replace('{', '{,'),
        `${valid.slice(0, -1)},}`,
        `//\n${valid}`,
        `${valid}${valid}`,
        '{"a":NaN}',
        '{"a":undefined}',
        '{a:1}',
        '{"a":01}',
        '{"a":.5}',
        '{"a":+1}',
        '{"a":"\\x41"}',
        '{"a":"\u0000"}',
        '{"a":"unterminated}',
        '[1,]',
        'true false',
        '{"a":1}garbage',
      ),
    )
    .filter((text) => !parses(text));

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const GARBAGE_CURSORS = [
  'not-a-cursor',
  '!!!',
  base64url(null),
  base64url([]),
  base64url({}),
  base64url('AGREEMENT'),
  base64url({ pk: 1, sk: 2 }),
  '%E0%A4%A',
  'x'.repeat(1001),
  Buffer.from('{"pk":').toString('base64url'),
];

// --- paths and bodies ----------------------------------------------------------------------------

/** A path segment for an arbitrary string, lone surrogates as their (invalid) three UTF-8 bytes. */
export function segment(value: string): string {
  let encoded = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      encoded += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      encoded += encodeURIComponent(char);
    }
  }
  return encoded;
}

const pathOf = (fn: HttpFunction, params: Record<string, string>) =>
  fn.path.replace(/\{(\w+)\}/g, (_match, name: string) => params[name] ?? `{${name}}`);

const parametersOf = (fn: HttpFunction) => [...fn.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);

/** Every node below the root, with its path. */
function nodesOf(
  value: Json,
  prefix: (string | number)[] = [],
): { path: (string | number)[]; value: Json }[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [
      { path: [...prefix, index], value: item },
      ...nodesOf(item, [...prefix, index]),
    ]);
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      { path: [...prefix, key], value: item },
      ...nodesOf(item, [...prefix, key]),
    ]);
  }
  return [];
}

const fieldOf = (path: readonly (string | number)[]) => path.map(String).join('.');

/** A copy with the value at `path` replaced (or removed, for `undefined`). Keys are set as own keys. */
function withValue(root: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value as Json;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = withValue(root[head as number]!, rest, value);
    return copy;
  }
  const copy: JsonObject = {};
  for (const [key, item] of Object.entries(root as JsonObject)) {
    if (key !== head) defineOwn(copy, key, item);
  }
  const next = rest.length === 0 ? value : withValue((root as JsonObject)[head as string]!, rest, value);
  if (next !== undefined) defineOwn(copy, head as string, next);
  return copy;
}

/** `__proto__` as a plain key, the way JSON.parse makes it. */
function defineOwn(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

interface BrokenBody {
  body: string;
  contentType?: string;
  defect: string;
  expect: readonly number[];
  field?: string;
}

const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = 'application/json';

/** A well-formed body broken in one way that its route's schema (or the body limits) refuse. */
function brokenBodies(valid: JsonObject, fields: RouteFuzz['bodyFields'] = {}): fc.Arbitrary<BrokenBody> {
  const text = JSON.stringify(valid);
  const nodes = nodesOf(valid);
  const strings = nodes.filter((node) => typeof node.value === 'string');
  const scalars = nodes.filter((node) => typeof node.value === 'string' || typeof node.value === 'number');
  const arrays = nodes.filter((node) => Array.isArray(node.value) && node.value.length > 0);
  const objects = [
    { path: [] as (string | number)[], value: valid as Json },
    ...nodes.filter((n) => n.value && typeof n.value === 'object' && !Array.isArray(n.value)),
  ];
  const optional = new Set(fields.optional ?? []);
  const required = nodes.filter(
    (node) => typeof node.path.at(-1) === 'string' && !optional.has(fieldOf(node.path)),
  );
  const valueAt = (path: string) => nodes.find((node) => fieldOf(node.path) === path);
  const invalid = (body: Json, defect: string, field?: string): BrokenBody => {
    const serialised = JSON.stringify(body);
    const tooLarge = Buffer.byteLength(serialised) > MAX_BODY_BYTES;
    return {
      body: serialised,
      defect,
      expect: tooLarge ? [413] : [400],
      ...(tooLarge || field === undefined ? {} : { field }),
    };
  };
  const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);

  const options: fc.Arbitrary<BrokenBody>[] = [
    malformedJson(text).map((body) => ({
      body,
      defect: 'malformed JSON',
      expect: [400],
      field: '(body)',
    })),
    fc
      .constantFrom<Json>([], null, 'x', 1, true, [valid])
      .map((body) => invalid(body, 'a body that is not a JSON object', '(body)')),
    fc
      .tuple(pick(objects), pick(EXTRA_KEYS), pollutingValue)
      .map(([node, key, value]) =>
        invalid(
          withValue(valid, [...node.path, key], value),
          `unknown field "${key}"`,
          fieldOf([...node.path, key]),
        ),
      ),
    fc.integer({ min: 1_000, max: 30_000 }).map((depth) => ({
      body: `${'['.repeat(depth)}${']'.repeat(depth)}`,
      defect: `arrays nested ${depth} deep`,
      expect: [400],
    })),
    fc
      .oneof(
        { weight: 9, arbitrary: fc.integer({ min: MAX_BODY_BYTES + 1, max: 2_000_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 10 * 1024 * 1024 + 1, max: 11 * 1024 * 1024 }) },
      )
      .map((size) => ({
        body: `{"title":"${'a'.repeat(size)}"}`,
        defect: `a body of ${size + 12} bytes`,
        expect: [413],
      })),
  ];
  if (required.some((node) => node.path.length === 1)) {
    options.push(fc.constant({ body: '', defect: 'no body', expect: [400] }));
  }
  if (scalars.length > 0) {
    options.push(
      pick(scalars).chain((node) =>
        pick(wrongTypeFor(node.value)).map((value) =>
          invalid(
            withValue(valid, node.path, value),
            `wrong type in ${fieldOf(node.path)}`,
            fieldOf(node.path),
          ),
        ),
      ),
      fc.tuple(pick(scalars), fc.integer({ min: 500, max: 20_000 })).map(([node, depth]) => {
        // Spliced in as text: JSON.stringify itself cannot go that deep.
        const marker = '\u0000nested\u0000';
        const body = JSON.stringify(withValue(valid, node.path, marker)).replace(
          JSON.stringify(marker),
          `${'['.repeat(depth)}${']'.repeat(depth)}`,
        );
        return {
          body,
          defect: `arrays nested ${depth} deep in ${fieldOf(node.path)}`,
          expect: [400],
          field: fieldOf(node.path),
        };
      }),
    );
  }
  if (required.length > 0) {
    options.push(
      pick(required).map((node) =>
        invalid(withValue(valid, node.path, undefined), `missing ${fieldOf(node.path)}`, fieldOf(node.path)),
      ),
    );
  }
  if (strings.length > 0) {
    options.push(
      fc.tuple(pick(strings), pick(INVISIBLE_CHARACTERS), fc.nat()).map(([node, char, position]) => {
        const value = node.value as string;
        const at = value.length < 2 ? 0 : 1 + (position % (value.length - 1));
        const code = char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
        return invalid(
          withValue(valid, node.path, `${value.slice(0, at)}${char}${value.slice(at)}`),
          `U+${code} inside ${fieldOf(node.path)}`,
          fieldOf(node.path),
        );
      }),
      pick(strings).map((node) =>
        invalid(
          withValue(valid, node.path, 'a'.repeat(20_001)),
          `20001 characters in ${fieldOf(node.path)}`,
          fieldOf(node.path),
        ),
      ),
      fc
        .tuple(pick(strings), fc.constantFrom('', ' ', '\t'))
        .map(([node, blank]) =>
          invalid(withValue(valid, node.path, blank), `blank ${fieldOf(node.path)}`, fieldOf(node.path)),
        ),
    );
  }
  if (arrays.length > 0) {
    options.push(
      pick(arrays).map((node) => {
        const items = node.value as Json[];
        return invalid(
          withValue(
            valid,
            node.path,
            Array.from({ length: 101 }, () => items[0]!),
          ),
          `101 items in ${fieldOf(node.path)}`,
          fieldOf(node.path),
        );
      }),
    );
  }
  const dates = (fields.dates ?? []).filter((path) => valueAt(path));
  if (dates.length > 0) {
    options.push(
      fc
        .tuple(pick(dates), pick(BAD_DATES))
        .map(([path, date]) =>
          invalid(withValue(valid, path.split('.'), date), `${fieldOf([path])} "${date}"`, path),
        ),
    );
  }
  const datetimes = (fields.datetimes ?? []).filter((path) => valueAt(path));
  if (datetimes.length > 0) {
    options.push(
      fc
        .tuple(pick(datetimes), pick(BAD_DATETIMES))
        .map(([path, instant]) =>
          invalid(withValue(valid, path.split('.'), instant), `${path} "${instant}"`, path),
        ),
    );
  }
  const orgNumbers = (fields.orgNumbers ?? []).filter((path) => valueAt(path));
  if (orgNumbers.length > 0) {
    options.push(
      fc
        .tuple(pick(orgNumbers), invalidOrgNumber)
        .map(([path, orgNumber]) =>
          invalid(
            withValue(valid, splitPath(path), orgNumber),
            `${path} ${JSON.stringify(orgNumber)} (not an organisation number)`,
            path,
          ),
        ),
    );
  }
  return fc.oneof(...options);
}

const splitPath = (path: string) => path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));

// --- ids -----------------------------------------------------------------------------------------

/** Path segments that name nothing: badly formed escapes, over-long ids, ids of other things. */
function badIds(
  world: World,
  parameter: string,
  real: string,
): fc.Arbitrary<{ id: string; expect?: readonly number[] }> {
  // Real ids of other kinds of thing: an agreement's id where a sub-processor's belongs, and so on.
  const ofKind: Record<string, string[]> = {
    id: Object.values(world.fixtures).map((fixture) => fixture.id),
    subId: [world.requestedSubId, world.approvedSubId],
    breachId: [world.breachId],
    auditId: [world.auditId],
    requestId: [world.forwardedRequestId],
    amendmentId: [world.amendmentId],
  };
  const otherIds = Object.entries(ofKind)
    .filter(([kind]) => kind !== parameter)
    .flatMap(([, ids]) => ids);
  const notFound = (id: string) => ({ id, expect: [404] as const });
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...MALFORMED_ESCAPES).map(notFound) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...MALFORMED_ESCAPES), fc.boolean())
        .map(([malformed, before]) => notFound(before ? `${malformed}${real}` : `${real}${malformed}`)),
    },
    { weight: 2, arbitrary: fc.uuid().map(notFound) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        notFound(real.toUpperCase()),
        notFound(`${real}%00`),
        notFound(`${real}%0A`),
        notFound(`%20${real}`),
        notFound(`${real}%20`),
        notFound(`AGREEMENT%23${real}`),
        notFound(`${real}%23x`),
        notFound(`${real}%2Fhistory`),
        notFound(`${real.slice(0, -1)}`),
        notFound(`${real}0`),
        notFound('__proto__'),
        notFound('constructor'),
        notFound('prototype'),
        notFound('hasOwnProperty'),
        notFound('null'),
        notFound('*'),
        notFound('%2A'),
        notFound('0'),
        notFound('-1'),
        notFound('1e300'),
        notFound('%E2%80%AE'),
        notFound('%C3%A6%C3%B8%C3%A5'),
        ...otherIds.map(notFound),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.integer({ min: 37, max: 8_000 }).map((length) => notFound('a'.repeat(length))),
    },
    {
      weight: 2,
      arbitrary: fc
        .string({ unit: 'binary', minLength: 1, maxLength: 40 })
        .filter((value) => value !== '.' && value !== '..')
        .map((value) => notFound(segment(value))),
    },
    // Longer than the request line may be: refused before any handler (issue 7, defect 5).
    {
      weight: 1,
      arbitrary: fc.integer({ min: 17_000, max: 40_000 }).map((length) => ({ id: 'a'.repeat(length) })),
    },
    // Dot segments move the request to another route, where it may be one that answers.
    { weight: 1, arbitrary: fc.constantFrom({ id: '%2e%2e' }, { id: '%2E' }, { id: '..' }) },
  );
}

// --- the routes ----------------------------------------------------------------------------------

const SIGNATORY = { name: 'Kari Testesen', title: 'Rådmann' };
const parties: Role[] = ['controller', 'processor'];
const FUTURE = '2999-12-31';
const LONG_AGO = '2000-01-01';

const fixturesOf = (world: World, names?: readonly FixtureName[]) =>
  Object.values(world.fixtures).filter((fixture) => !names || names.includes(fixture.name));

const allNames: FixtureName[] = ['draft', 'awaiting', 'inForce', 'notice', 'terminated', 'cancelled'];
const except = (...names: FixtureName[]) => allNames.filter((name) => !names.includes(name));

function aimsAt(world: World, as: readonly Role[], names?: readonly FixtureName[], extra = {}): Aim[] {
  return fixturesOf(world, names).flatMap((fixture) =>
    as.map((role) => ({ params: { id: fixture.id, ...extra }, as: role, fixture })),
  );
}

function refusedAt(
  world: World,
  as: readonly Role[],
  names: readonly FixtureName[],
  body: Json | undefined,
  expect: readonly number[],
  defect: string,
  more: Partial<Refused> = {},
): Refused[] {
  return aimsAt(world, as, names).map((aim) => ({
    aim,
    ...(body === undefined ? {} : { body }),
    expect,
    defect: `${defect} (${aim.fixture!.status}, as the ${aim.as})`,
    ...more,
  }));
}

const pagingDefects: QueryDefect[] = [
  ...['0', '101', '-1', 'abc', '1.5', '1e3', 'NaN', 'Infinity', '', '9'.repeat(400), '%FF', '5%00'].map(
    (limit) => ({ query: `limit=${limit}`, defect: `limit=${limit}`, mustRefuse: true }),
  ),
  { query: 'limit=5&limit=6', defect: 'limit given twice', mustRefuse: true },
  ...GARBAGE_CURSORS.map((cursor) => ({
    query: `cursor=${cursor}`,
    defect: `cursor "${cursor.slice(0, 40)}"`,
    mustRefuse: true,
  })),
];

const unknownParameters: QueryDefect[] = [
  'foo=1',
  'constructor=1',
  'prototype=x',
  'LIMIT=5',
  'limit[]=5',
  'cursor[pk]=x',
  'toString=1',
  '%00=1',
].map((query) => ({ query, defect: `unknown query parameter ${query}`, mustRefuse: true }));

/** The local gateway drops a `__proto__` parameter (API Gateway would pass it on): not refused here. */
const protoParameter: QueryDefect = {
  query: '__proto__=1',
  defect: 'a __proto__ query parameter',
  mustRefuse: false,
};

const foreignCursor = (key: Record<string, string>, what: string): QueryDefect => ({
  query: `cursor=${base64url(key)}`,
  defect: `a cursor holding ${what}`,
  mustRefuse: true,
});

const forgedCursor = (key: Record<string, string>, what: string): QueryDefect => ({
  query: `cursor=${base64url(key)}`,
  defect: `a forged cursor inside the listing (${what})`,
  mustRefuse: false,
});

/** Cursors for the history or audit log of the aimed agreement that belong to something else. */
function entryCursorDefects(world: World, aim: Aim, kind: 'HISTORY' | 'AUDIT'): QueryDefect[] {
  const pk = `AGREEMENT#${aim.params.id}`;
  const other = kind === 'HISTORY' ? 'AUDIT' : 'HISTORY';
  const real = kind === 'HISTORY' ? world.cursors.history : world.cursors.auditLog;
  const ownListing = aim.params.id === world.fixtures.inForce.id;
  return [
    foreignCursor({ pk, sk: 'AGREEMENT' }, 'the agreement item'),
    foreignCursor({ pk, sk: `PARTY#${world.orgNumbers.controller}` }, 'a party item'),
    foreignCursor({ pk, sk: `${other}#2026-01-01T00:00:00.000Z#abc` }, `an ${other} key`),
    foreignCursor({ pk, sk: `SUBPROCESSOR#${world.requestedSubId}` }, 'a sub-processor key'),
    foreignCursor({ pk, sk: 'APPENDIX3' }, 'the Vedlegg 3 key'),
    foreignCursor({ pk, sk: '' }, 'an empty sort key'),
    foreignCursor({ pk: `AGREEMENT#${world.fixtures.draft.id}x`, sk: `${kind}#x` }, 'another partition'),
    foreignCursor({ pk, sk: `${kind}#x`, gsi1pk: 'x' }, 'an extra key'),
    foreignCursor({ pk: `NOTIFICATIONS#${world.orgNumbers.controller}`, sk: 'x' }, 'the notification outbox'),
    {
      query: `cursor=${kind === 'HISTORY' ? world.cursors.auditLog : world.cursors.history}`,
      defect: `the audit log's cursor on the history, or the other way round`,
      mustRefuse: true,
    },
    { query: `cursor=${world.cursors.notifications}`, defect: 'a notifications cursor', mustRefuse: true },
    { query: `cursor=${world.cursors.agreements}`, defect: 'an agreements cursor', mustRefuse: true },
    ...(ownListing
      ? []
      : [{ query: `cursor=${real}`, defect: "another agreement's cursor", mustRefuse: true }]),
    forgedCursor({ pk, sk: `${kind}#zzz` }, 'past the end'),
    forgedCursor({ pk, sk: `${kind}#` }, 'the bare prefix'),
  ];
}

/** A signature of the agreement awaiting signatures, naming its content hash (rule 12). */
const validSignature = (world: World, signedOn?: string): JsonObject => ({
  signatory: { name: 'Per Hansen', title: 'Daglig leder' },
  place: 'Oslo',
  ...(signedOn ? { signedOn } : {}),
  contentHash: world.fixtures.awaiting.contentHash,
});

const NEW_SUB_PROCESSOR: JsonObject = {
  name: 'Nytt Driftsselskap AS',
  orgNumber: '974652358',
  address: 'Strandkaien 2, 5013 Bergen',
  processingLocation: { city: 'Bergen', countryCode: 'NO' },
  activities: 'Overvåking av drift',
  personalDataTypes: ['Navn', 'Adresse'],
  transferMechanism: 'ADEQUACY',
};

const { transferMechanism: _mechanism, ...WITHOUT_MECHANISM } = NEW_SUB_PROCESSOR;
/** Processing in the United States with no transfer mechanism: rule 7 refuses it. */
const OUTSIDE_EEA: JsonObject = {
  ...WITHOUT_MECHANISM,
  processingLocation: { city: 'Seattle', countryCode: 'US' },
};

const patchBody = (): JsonObject => {
  const request = agreementRequest() as unknown as JsonObject;
  return {
    title: 'Endret tittel',
    securityMeasures: 'Tofaktorautentisering og kryptering',
    scope: request.scope!,
    contacts: request.contacts!,
    noticePeriodMonths: 2,
  };
};

const createBody = (): JsonObject =>
  agreementRequest({
    subProcessors: [{ ...NEW_SUB_PROCESSOR, orgNumber: '974652358' }],
    noticePeriodMonths: 3,
    breachNotificationHours: 36,
    signatureDeadlineDays: 30,
  }) as unknown as JsonObject;

const ifMatch = (aim: Aim): Record<string, string> =>
  aim.fixture ? { 'if-match': `"${aim.fixture.version}"` } : {};

const ROUTES: Record<string, (world: World) => RouteFuzz> = {
  ...instructionRoutes({ aimsAt, except, unknownParameters, protoParameter }),
  createAgreement: (world) => {
    const valid = createBody();
    const sub = (changes: JsonObject) =>
      withValue(valid, ['subProcessors', 0], { ...NEW_SUB_PROCESSOR, ...changes });
    const me: Aim = { params: {}, as: 'controller' };
    const refuse = (body: Json, defect: string, expect: readonly number[] = [400]): Refused => ({
      aim: me,
      body,
      expect,
      defect,
    });
    return {
      aims: parties.map((as) => ({ params: {}, as })),
      body: () => valid,
      bodyFields: {
        optional: [
          'cooperationAgreementRef',
          'scope.specialCategories',
          'subProcessors',
          'subProcessors.0.orgNumber',
          'subProcessors.0.transferMechanism',
          'noticePeriodMonths',
          'breachNotificationHours',
          'signatureDeadlineDays',
        ],
        orgNumbers: ['controller.orgNumber', 'processor.orgNumber', 'subProcessors.0.orgNumber'],
      },
      refused: [
        { aim: { params: {}, as: 'outsider' }, body: valid, expect: [403], defect: 'created by a non-party' },
        refuse(
          withValue(valid, ['processor'], { orgNumber: world.orgNumbers.controller, name: 'Radøy kommune' }),
          'the controller as its own processor',
        ),
        refuse(
          withValue(valid, ['subProcessors', 0], OUTSIDE_EEA),
          'a sub-processor outside the EEA without a transfer mechanism',
        ),
        refuse(
          sub({ processingLocation: { city: 'Nowhere', countryCode: 'XX' } }),
          'an unassigned country code',
        ),
        refuse(sub({ processingLocation: { city: 'Oslo', countryCode: 'no' } }), 'a lower-case country code'),
        refuse(
          sub({ personalDataTypes: ['Bankkontonummer'] }),
          'a sub-processor data type outside the agreement',
        ),
        refuse(sub({ orgNumber: world.orgNumbers.processor }), 'the processor as its own sub-processor'),
        ...[0, 7, 1.5].map((months) =>
          refuse(withValue(valid, ['noticePeriodMonths'], months), `${months} months' notice`),
        ),
        ...[0, 73].map((hours) =>
          refuse(withValue(valid, ['breachNotificationHours'], hours), `${hours} hours to report a breach`),
        ),
        ...[0, 181].map((days) =>
          refuse(withValue(valid, ['signatureDeadlineDays'], days), `${days} days to sign`),
        ),
      ],
    };
  },

  listAgreements: (world) => ({
    aims: (['controller', 'processor', 'outsider'] as const).map((as) => ({ params: {}, as })),
    query: () => '',
    queryDefects: (aim) => [
      ...pagingDefects,
      ...unknownParameters,
      protoParameter,
      ...['draft', 'DRAFT%20', 'UNKNOWN', '', 'IN_FORCE,DRAFT', 'DRAFT%00'].map((status) => ({
        query: `status=${status}`,
        defect: `status=${status}`,
        mustRefuse: true,
      })),
      { query: `cursor=${world.cursors.history}`, defect: 'a history cursor', mustRefuse: true },
      { query: `cursor=${world.cursors.notifications}`, defect: 'a notifications cursor', mustRefuse: true },
      ...(aim.as === 'controller'
        ? []
        : [
            {
              query: `cursor=${world.cursors.agreements}`,
              defect: "the controller's cursor",
              mustRefuse: true,
            },
          ]),
      foreignCursor(
        {
          pk: `AGREEMENT#${world.fixtures.draft.id}`,
          sk: `PARTY#${world.orgNumbers.controller}`,
          gsi1pk: 'ORG#999999999',
          gsi1sk: 'x',
        },
        "another organisation's index key",
      ),
      foreignCursor({ pk: `AGREEMENT#${world.fixtures.draft.id}`, sk: 'AGREEMENT' }, 'a table key'),
      forgedCursor(
        {
          pk: `AGREEMENT#${world.fixtures.draft.id}`,
          sk: 'PARTY#x',
          gsi1pk: `ORG#${orgOf(world, aim.as)}`,
          gsi1sk: '0000',
        },
        'an index key of no item',
      ),
    ],
  }),

  getAgreement: (world) => ({ aims: aimsAt(world, parties) }),

  getEvidence: (world) => ({ aims: aimsAt(world, parties) }),

  getAgreementDocument: (world) => ({
    aims: aimsAt(world, parties),
    query: () => '',
    queryDefects: () => [
      ...['0', '-1', 'abc', '1.5', 'NaN', 'Infinity', '', '9'.repeat(400), '%FF', '1%00'].map((version) => ({
        query: `version=${version}`,
        defect: `version=${version}`,
        mustRefuse: true,
      })),
      { query: 'version=1&version=1', defect: 'version given twice', mustRefuse: true },
      ...unknownParameters,
      protoParameter,
    ],
    // Rule 13: only content version 1 exists until amendments do; any other is 404 naming version.
    refused: aimsAt(world, parties).flatMap((aim) =>
      ['2', '99'].map((version) => ({
        aim,
        query: `version=${version}`,
        expect: [404],
        defect: `content version ${version}, which the agreement does not have`,
      })),
    ),
  }),

  patchAgreement: (world) => {
    const draft = aimsAt(world, parties, ['draft']);
    return {
      aims: aimsAt(world, parties),
      body: () => patchBody(),
      headers: ifMatch,
      bodyFields: {
        optional: [
          'title',
          'securityMeasures',
          'scope',
          'contacts',
          'noticePeriodMonths',
          'scope.specialCategories',
        ],
      },
      refused: [
        ...draft.map((aim) => ({
          aim,
          body: patchBody(),
          headers: {},
          expect: [428],
          defect: 'no If-Match',
        })),
        ...draft.flatMap((aim) =>
          [
            '"0"',
            '"999"',
            `W/"${aim.fixture!.version}"`,
            String(aim.fixture!.version),
            '"abc"',
            '""',
            'x',
          ].map((tag) => ({
            aim,
            body: patchBody(),
            headers: { 'if-match': tag },
            expect: [412],
            defect: `If-Match ${tag}`,
          })),
        ),
        ...draft.map((aim) => ({
          aim,
          body: {},
          headers: ifMatch(aim),
          expect: [400],
          defect: 'a patch that changes nothing',
        })),
        ...draft.map((aim) => ({
          aim,
          body: { subProcessors: [OUTSIDE_EEA] },
          headers: ifMatch(aim),
          expect: [400],
          defect: 'a sub-processor outside the EEA without a transfer mechanism',
        })),
        ...aimsAt(world, parties, except('draft')).map((aim) => ({
          aim,
          body: patchBody(),
          headers: ifMatch(aim),
          expect: [409],
          defect: `an edit of an agreement that is ${aim.fixture!.status}`,
        })),
        ...aimsAt(world, parties, except('draft')).map((aim) => ({
          aim,
          body: patchBody(),
          headers: { 'if-match': '"0"' },
          expect: [412],
          defect: `a stale If-Match on an agreement that is ${aim.fixture!.status}`,
        })),
      ],
    };
  },

  putContact: (world) => {
    const contact: JsonObject = { name: 'Åse Kontakt', email: 'ase@example.no', phone: '+4797777777' };
    const own = (names?: readonly FixtureName[]): Aim[] =>
      fixturesOf(world, names).flatMap((fixture) =>
        parties.map((role) => ({ params: { id: fixture.id, party: role }, as: role, fixture })),
      );
    return {
      aims: own(),
      body: () => contact,
      headers: ifMatch,
      refused: [
        ...own(['draft', 'cancelled']).map((aim) => ({
          aim,
          body: contact,
          headers: ifMatch(aim),
          expect: [409],
          defect: `a contact change on an agreement that is ${aim.fixture!.status}`,
        })),
        ...own().map((aim) => ({
          aim: { ...aim, params: { ...aim.params, party: otherRole(aim.as as Role) } },
          body: contact,
          headers: ifMatch(aim),
          expect: [403],
          defect: `the ${aim.as} replacing the other party's contact (${aim.fixture!.status})`,
        })),
        ...own(['inForce', 'notice']).flatMap((aim): Refused[] => [
          { aim, body: contact, headers: {}, expect: [428], defect: 'no If-Match' },
          { aim, body: contact, headers: { 'if-match': '"0"' }, expect: [412], defect: 'a stale If-Match' },
          {
            aim: { ...aim, params: { ...aim.params, party: 'supplier' } },
            body: contact,
            headers: ifMatch(aim),
            expect: [404],
            defect: 'a party that is neither controller nor processor',
          },
        ]),
      ],
    };
  },

  proposeAmendment: (world) => {
    const valid: JsonObject = {
      changes: { breachNotificationHours: 24 },
      reason: 'Kortere varslingsfrist etter ny risikovurdering',
    };
    return {
      aims: aimsAt(world, parties, ['inForce']),
      body: () => valid,
      bodyFields: { optional: ['changes.breachNotificationHours'] },
      refused: [
        ...refusedAt(
          world,
          parties,
          ['draft', 'awaiting', 'terminated', 'cancelled'],
          valid,
          [409],
          'an amendment',
        ),
        ...refusedAt(world, parties, ['notice'], valid, [409], 'a second open amendment'),
        ...aimsAt(world, parties, ['inForce']).flatMap((aim): Refused[] => [
          { aim, body: { ...valid, changes: {} }, expect: [400], defect: 'an amendment without changes' },
          {
            aim,
            body: {
              ...valid,
              changes: { title: 'x', controller: { orgNumber: '974652358', name: 'Annen' } },
            },
            expect: [400],
            defect: 'an amendment of the parties',
          },
          {
            aim,
            body: { ...valid, effectiveFrom: LONG_AGO },
            expect: [400],
            defect: 'an effective date long ago',
          },
          {
            aim,
            body: { ...valid, signatureDeadlineDays: 0 },
            expect: [400],
            defect: 'a deadline of 0 days',
          },
        ]),
      ],
    };
  },

  listAmendments: (world) => ({ aims: aimsAt(world, parties) }),

  getAmendment: (world) => ({
    aims: aimsAt(world, parties, ['notice'], { amendmentId: world.amendmentId }),
    refused: aimsAt(world, parties, ['inForce'], { amendmentId: world.amendmentId }).map((aim) => ({
      aim,
      expect: [404],
      defect: 'an amendment of another agreement',
    })),
  }),

  signAmendment: (world) => {
    const valid: JsonObject = {
      signatory: SIGNATORY,
      place: 'Radøy',
      contentHash: world.amendmentContentHash,
    };
    return {
      aims: aimsAt(world, parties, ['notice'], { amendmentId: world.amendmentId }),
      body: () => valid,
      bodyFields: { optional: ['signedOn'], dates: ['signedOn'] },
      refused: [
        ...aimsAt(world, parties, ['notice'], { amendmentId: world.amendmentId }).map((aim) => ({
          aim,
          body: { ...valid, contentHash: `sha256:${'0'.repeat(64)}` },
          expect: [409],
          defect: 'a signature of other content',
        })),
        ...aimsAt(world, parties, ['inForce'], { amendmentId: world.amendmentId }).map((aim) => ({
          aim,
          body: valid,
          expect: [404],
          defect: 'an amendment of another agreement',
        })),
      ],
    };
  },

  withdrawAmendment: (world) => ({
    aims: aimsAt(world, ['controller'], ['notice'], { amendmentId: world.amendmentId }),
    body: () => ({ reason: 'Trukket etter nærmere vurdering' }),
    bodyFields: { optional: ['reason'] },
    refused: aimsAt(world, ['processor'], ['notice'], { amendmentId: world.amendmentId }).map((aim) => ({
      aim,
      body: {},
      expect: [403, 409],
      defect: 'a withdrawal by the party that did not propose it',
    })),
  }),

  listVersions: (world) => ({ aims: aimsAt(world, parties) }),

  getVersion: (world) => ({
    aims: aimsAt(world, parties, ['inForce'], { n: '1' }),
    refused: [
      ...aimsAt(world, parties, ['inForce'], { n: '99' }).map((aim) => ({
        aim,
        expect: [404],
        defect: 'content version 99, which the agreement does not have',
      })),
      ...aimsAt(world, parties, ['draft'], { n: '1' }).map((aim) => ({
        aim,
        expect: [404],
        defect: 'a content version of a draft',
      })),
    ],
  }),

  submitAgreement: (world) => ({
    aims: aimsAt(world, parties),
    body: () => ({}),
    refused: refusedAt(world, parties, except('draft'), {}, [409], 'a submission'),
  }),

  signAgreement: (world) => ({
    aims: aimsAt(world, parties),
    body: () => validSignature(world, world.today),
    bodyFields: { optional: ['signedOn'], dates: ['signedOn'] },
    refused: [
      ...refusedAt(world, parties, except('awaiting'), validSignature(world), [409], 'a signature'),
      ...refusedAt(world, ['processor'], ['awaiting'], validSignature(world), [409], 'a second signature'),
      ...[FUTURE, plusDays(world.today, 1), LONG_AGO].flatMap((date) =>
        refusedAt(
          world,
          ['controller'],
          ['awaiting'],
          validSignature(world, date),
          [400],
          `a signature dated ${date}`,
        ),
      ),
    ],
  }),

  cancelAgreement: (world) => {
    const reason = { reason: 'Feil opprettet' };
    const creatorAims = fixturesOf(world).map((fixture) => ({
      params: { id: fixture.id },
      as: fixture.createdBy,
      fixture,
    }));
    return {
      aims: creatorAims,
      body: () => reason,
      bodyFields: { optional: ['reason'] },
      refused: [
        ...creatorAims
          .filter((aim) => !['DRAFT', 'AWAITING_SIGNATURES'].includes(aim.fixture.status))
          .map((aim) => ({ aim, body: reason, expect: [409], defect: `cancelling a ${aim.fixture.status}` })),
        ...fixturesOf(world).map((fixture) => ({
          aim: { params: { id: fixture.id }, as: otherRole(fixture.createdBy), fixture },
          body: reason,
          expect: [403],
          defect: `cancelling by the party that did not create it (${fixture.status})`,
        })),
      ],
    };
  },

  getHistory: (world) => ({
    aims: aimsAt(world, parties),
    query: () => '',
    queryDefects: (aim) => [
      ...pagingDefects,
      ...unknownParameters,
      protoParameter,
      ...entryCursorDefects(world, aim, 'HISTORY'),
    ],
  }),

  getAuditLog: (world) => ({
    aims: aimsAt(world, parties),
    query: () => '',
    queryDefects: (aim) => [
      ...pagingDefects,
      ...unknownParameters,
      protoParameter,
      ...entryCursorDefects(world, aim, 'AUDIT'),
    ],
  }),

  reportBreach: (world) => {
    const valid = breachReport(`${world.today}T06:00:00Z`) as unknown as JsonObject;
    return {
      aims: aimsAt(world, parties, ['inForce', 'notice', 'terminated']),
      body: () => valid,
      bodyFields: {
        optional: [
          'measuresProposed',
          'affectedIdentities',
          'otherInformation',
          'followUpBy',
          'subProcessorId',
        ],
        datetimes: ['becameAwareAt'],
      },
      refused: [
        ...refusedAt(world, parties, ['draft', 'awaiting', 'cancelled'], valid, [409], 'a breach report'),
        ...refusedAt(
          world,
          ['processor'],
          ['inForce'],
          { ...valid, becameAwareAt: '2999-01-01T00:00:00Z' },
          [400],
          'a breach the processor will become aware of in 2999',
        ),
        ...refusedAt(
          world,
          ['processor'],
          ['inForce'],
          { ...valid, approximateDataSubjects: 10_000_000_001 },
          [400],
          'more data subjects than people',
        ),
        ...refusedAt(
          world,
          parties,
          ['inForce'],
          { ...valid, affectedIdentities: 'Gjelder 130972 48022' },
          [400],
          'a national identity number in a breach report',
        ),
        ...refusedAt(
          world,
          ['processor'],
          ['inForce'],
          { ...valid, subProcessorId: '00000000-0000-4000-8000-000000000000' },
          [400],
          'a breach at a sub-processor the agreement does not have',
        ),
      ],
    };
  },

  addBreachUpdate: (world) => {
    const valid = { facts: 'Ett brev til ble sendt feil', corrections: { approximateDataSubjects: 2 } };
    return {
      aims: aimsAt(world, ['processor'], ['inForce'], { breachId: world.breachId }),
      body: () => valid,
      bodyFields: {
        optional: ['facts', 'measuresTaken', 'corrections', 'corrections.approximateDataSubjects'],
      },
      refused: [
        ...aimsAt(world, ['controller'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: valid,
          expect: [403],
          defect: 'a supplement by the party that did not report',
        })),
        ...aimsAt(world, ['processor'], except('inForce'), { breachId: world.breachId }).map((aim) => ({
          aim,
          body: valid,
          expect: [404],
          defect: `a supplement to another agreement's breach (${aim.fixture!.status})`,
        })),
        ...aimsAt(world, ['processor'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: {},
          expect: [400],
          defect: 'an empty supplement',
        })),
        ...aimsAt(world, ['processor'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: { facts: 'Gjelder 130972 48022' },
          expect: [400],
          defect: 'a national identity number in a supplement',
        })),
      ],
    };
  },

  askBreachQuestion: (world) => {
    const valid = { question: 'Er de berørte varslet?' };
    return {
      aims: aimsAt(world, ['controller'], ['inForce'], { breachId: world.breachId }),
      body: () => valid,
      refused: [
        ...aimsAt(world, ['processor'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: valid,
          expect: [403],
          defect: 'a question by the party that reported',
        })),
        ...aimsAt(world, ['controller'], except('inForce'), { breachId: world.breachId }).map((aim) => ({
          aim,
          body: valid,
          expect: [404],
          defect: `a question on another agreement's breach (${aim.fixture!.status})`,
        })),
        ...aimsAt(world, ['controller'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: { question: 'Gjelder 130972 48022?' },
          expect: [400],
          defect: 'a national identity number in a question',
        })),
      ],
    };
  },

  answerBreachQuestion: (world) => {
    const valid = { answer: 'Ja, per brev' };
    return {
      aims: aimsAt(world, ['processor'], ['inForce'], { breachId: world.breachId, question: '1' }),
      body: () => valid,
      refused: [
        ...aimsAt(world, ['controller'], ['inForce'], { breachId: world.breachId, question: '1' }).map(
          (aim) => ({
            aim,
            body: valid,
            expect: [403],
            defect: 'an answer by the party that asked',
          }),
        ),
        ...['2', '01', '0', 'x'].flatMap((question) =>
          aimsAt(world, ['processor'], ['inForce'], { breachId: world.breachId, question }).map((aim) => ({
            aim,
            body: valid,
            expect: [404],
            defect: `an answer to question ${question}, which the breach does not have`,
          })),
        ),
      ],
    };
  },

  decideBreach: (world) => {
    const valid = {
      datatilsynet: { notified: true, notifiedAt: `${world.today}T06:00:00Z`, reference: '26/01234' },
      dataSubjects: { informed: false, reason: 'Lav risiko for de registrerte' },
    };
    return {
      aims: aimsAt(world, ['controller'], ['inForce'], { breachId: world.breachId }),
      body: () => valid,
      bodyFields: { optional: ['delayReason'] },
      refused: [
        ...aimsAt(world, ['processor'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: valid,
          expect: [403],
          defect: 'a decision by the processor',
        })),
        ...aimsAt(world, ['controller'], except('inForce'), { breachId: world.breachId }).map((aim) => ({
          aim,
          body: valid,
          expect: [404],
          defect: `a decision on another agreement's breach (${aim.fixture!.status})`,
        })),
        ...aimsAt(world, ['controller'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: {
            ...valid,
            datatilsynet: { notified: true, notifiedAt: '2999-01-01T00:00:00Z', reference: 'x' },
          },
          expect: [400],
          defect: 'Datatilsynet notified in 2999',
        })),
        ...aimsAt(world, ['controller'], ['inForce'], { breachId: world.breachId }).map((aim) => ({
          aim,
          body: { ...valid, dataSubjects: { informed: false, reason: 'Gjelder 13097248022' } },
          expect: [400],
          defect: 'a national identity number in the reason',
        })),
      ],
    };
  },

  listBreaches: (world) => ({ aims: aimsAt(world, parties) }),

  ...auditRoutes({ aimsAt, except, parties }),

  getBreach: (world) => ({
    aims: aimsAt(world, parties, ['inForce'], { breachId: world.breachId }),
    refused: aimsAt(world, parties, ['notice', 'terminated'], { breachId: world.breachId }).map((aim) => ({
      aim,
      expect: [404],
      defect: 'a breach of another agreement',
    })),
  }),

  ...forwardedRequestRoutes({ aimsAt, except, parties }),

  listNotifications: (world) => ({
    aims: (['controller', 'processor', 'outsider'] as const).map((as) => ({ params: {}, as })),
    query: () => '',
    queryDefects: (aim) => [
      ...pagingDefects,
      ...unknownParameters,
      protoParameter,
      ...(aim.as === 'controller'
        ? []
        : [
            {
              query: `cursor=${world.cursors.notifications}`,
              defect: "the controller's cursor",
              mustRefuse: true,
            },
          ]),
      { query: `cursor=${world.cursors.history}`, defect: 'a history cursor', mustRefuse: true },
      { query: `cursor=${world.cursors.agreements}`, defect: 'an agreements cursor', mustRefuse: true },
      foreignCursor({ pk: 'NOTIFICATIONS#999999999', sk: 'x' }, "another organisation's outbox"),
      foreignCursor({ pk: `NOTIFICATIONS#${orgOf(world, aim.as)}`, sk: 'x', extra: 'y' }, 'an extra key'),
      foreignCursor({ pk: `NOTIFICATIONS#${orgOf(world, aim.as)}` }, 'no sort key'),
      forgedCursor({ pk: `NOTIFICATIONS#${orgOf(world, aim.as)}`, sk: 'zzz' }, 'past the end'),
    ],
  }),

  getOpenApi: () => ({
    aims: [
      { params: {}, as: 'none' },
      { params: {}, as: 'controller' },
    ],
  }),

  getJwks: () => ({
    aims: [
      { params: {}, as: 'none' },
      { params: {}, as: 'controller' },
    ],
  }),

  createCalendarFeed: () => ({
    aims: (['controller', 'processor', 'outsider'] as const).map((as) => ({ params: {}, as })),
    body: () => ({ name: 'Personvernombudet' }),
    bodyFields: { optional: ['name'] },
  }),

  listCalendarFeeds: () => ({
    aims: (['controller', 'processor', 'outsider'] as const).map((as) => ({ params: {}, as })),
  }),

  deleteCalendarFeed: (world) => ({ aims: [{ params: { id: world.calendarFeed.id }, as: 'controller' }] }),

  // Public: the secret address is the credential; a token, anyone's, changes nothing.
  getCalendarFeed: (world) => ({
    aims: [
      { params: { file: world.calendarFeed.file }, as: 'none' },
      { params: { file: world.calendarFeed.file }, as: 'outsider' },
    ],
  }),

  createWebhook: () => {
    const me: Aim = { params: {}, as: 'controller' };
    const refuse = (url: string, defect: string, events: Json[] = ['*']): Refused => ({
      aim: me,
      body: { url, events },
      expect: [400],
      defect,
    });
    return {
      aims: (['controller', 'processor', 'outsider'] as const).map((as) => ({ params: {}, as })),
      body: () => ({
        url: UNREACHED_WEBHOOK.url,
        events: [...UNREACHED_WEBHOOK.events],
        description: 'Sak/arkiv',
      }),
      bodyFields: { optional: ['description'] },
      refused: [
        refuse('https://169.254.169.254/latest/meta-data/', 'a webhook to the instance metadata address'),
        refuse('https://10.0.0.1/hook', 'a webhook to a private address'),
        refuse('https://[::ffff:127.0.0.1]/hook', 'a webhook to an IPv4-mapped loopback address'),
        refuse('http://example.com/hook', 'a webhook over plain http'),
        refuse('https://user:pass@93.184.216.34/dpa', 'a webhook URL with credentials'),
        refuse('https://93.184.216.34/dpa#x', 'a webhook URL with a fragment'),
        refuse(UNREACHED_WEBHOOK.url, 'an unknown event type', ['agreement.exploded']),
        refuse(UNREACHED_WEBHOOK.url, '"*" beside another type', ['*', 'breach.reported']),
      ],
    };
  },

  listWebhooks: () => ({
    aims: (['controller', 'processor', 'outsider'] as const).map((as) => ({ params: {}, as })),
  }),

  getWebhook: (world) => ({ aims: [{ params: { id: world.webhookId }, as: 'controller' }] }),

  updateWebhook: (world) => {
    const me: Aim = { params: { id: world.webhookId }, as: 'controller' };
    const refuse = (body: JsonObject, defect: string): Refused => ({ aim: me, body, expect: [400], defect });
    return {
      aims: [me],
      body: () => ({ events: ['webhook.disabled'], enabled: true, description: 'Sak/arkiv' }),
      bodyFields: { optional: ['events', 'enabled', 'description'] },
      refused: [
        refuse({}, 'a change of nothing'),
        refuse({ url: 'https://10.0.0.1/' }, 'a change of the url'),
        refuse({ events: ['*', 'audit.sealed'] }, '"*" beside another type'),
      ],
    };
  },

  deleteWebhook: (world) => ({ aims: [{ params: { id: world.webhookId }, as: 'controller' }] }),

  rotateWebhookSecret: (world) => ({ aims: [{ params: { id: world.webhookId }, as: 'controller' }] }),

  listWebhookDeliveries: (world) => ({
    aims: [{ params: { id: world.webhookId }, as: 'controller' }],
    query: () => '',
    queryDefects: () => [
      ...pagingDefects,
      ...unknownParameters,
      protoParameter,
      { query: `cursor=${world.cursors.notifications}`, defect: 'a notifications cursor', mustRefuse: true },
      foreignCursor({ pk: `WEBHOOK#${world.webhookId}`, sk: 'SECRET' }, 'a key outside the deliveries'),
    ],
  }),

  // The fuzz world delivers nothing, so no delivery exists: every well-formed request is a 404.
  redeliverWebhookDelivery: (world) => ({
    aims: [
      {
        params: { id: world.webhookId, deliveryId: '20261202T100000000Z-0000000000000000' },
        as: 'controller',
      },
    ],
  }),

  terminationNotice: (world) => {
    const valid = (givenOn?: string): JsonObject => ({
      ...(givenOn ? { givenOn } : {}),
      reason: 'Tjenesten flyttes til en ny leverandør',
    });
    return {
      aims: aimsAt(world, parties),
      body: () => valid(world.today),
      bodyFields: { optional: ['givenOn'], dates: ['givenOn'] },
      refused: [
        ...refusedAt(world, parties, except('inForce'), valid(), [409], 'a notice'),
        ...[FUTURE, plusDays(world.today, 1), plusDays(world.effectiveFrom, -1), LONG_AGO].flatMap((date) =>
          refusedAt(world, parties, ['inForce'], valid(date), [400], `a notice given on ${date}`),
        ),
      ],
    };
  },

  chooseDataDisposition: (world) => {
    const valid = { method: 'DELETE', instructions: 'Slett alle kopier, også sikkerhetskopier' };
    return {
      aims: aimsAt(world, ['controller']),
      body: () => valid,
      bodyFields: { optional: ['instructions'] },
      refused: [
        ...refusedAt(world, ['processor'], allNames, valid, [403], 'a choice by the processor'),
        ...refusedAt(
          world,
          ['controller'],
          except('notice'),
          { method: 'RETURN' },
          [409],
          'a choice of return or deletion',
        ),
      ],
    };
  },

  attestDataDisposition: (world) => {
    const valid = (changes: JsonObject = {}): JsonObject => ({
      method: 'DELETE',
      completedOn: world.today,
      statement: 'Alle personopplysninger og kopier er slettet',
      signatory: SIGNATORY,
      retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: plusDays(world.today, 365) },
      ...changes,
    });
    return {
      aims: aimsAt(world, ['processor']),
      body: () => valid(),
      bodyFields: {
        optional: ['retainedUnderLaw'],
        dates: ['completedOn', 'retainedUnderLaw.reviewOn'],
      },
      refused: [
        ...refusedAt(world, ['controller'], allNames, valid(), [403], 'an attestation by the controller'),
        ...refusedAt(world, ['processor'], except('terminated'), valid(), [409], 'an attestation'),
        ...refusedAt(
          world,
          ['processor'],
          ['terminated'],
          valid({ method: 'RETURN' }),
          [409],
          'attesting RETURN when DELETE was chosen',
        ),
        ...[FUTURE, plusDays(world.today, 1), LONG_AGO].flatMap((date) =>
          refusedAt(
            world,
            ['processor'],
            ['terminated'],
            valid({ completedOn: date }),
            [400],
            `completed on ${date}`,
          ),
        ),
        ...[LONG_AGO, world.today].flatMap((date) =>
          refusedAt(
            world,
            ['processor'],
            ['terminated'],
            valid({ retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: date } }),
            [400],
            `a retention reviewed on ${date}`,
          ),
        ),
      ],
    };
  },

  requestSubProcessor: (world) => {
    const changed = (changes: JsonObject): JsonObject => {
      const request: JsonObject = { ...NEW_SUB_PROCESSOR, ...changes };
      for (const [key, value] of Object.entries(request)) if (value === null) delete request[key];
      return request;
    };
    const binding: FixtureName[] = ['inForce', 'notice'];
    return {
      aims: aimsAt(world, ['processor']),
      body: () => NEW_SUB_PROCESSOR,
      bodyFields: { optional: ['orgNumber', 'transferMechanism'], orgNumbers: ['orgNumber'] },
      refused: [
        ...refusedAt(
          world,
          ['controller'],
          allNames,
          NEW_SUB_PROCESSOR,
          [403],
          'a request by the controller',
        ),
        ...refusedAt(world, ['processor'], except(...binding), NEW_SUB_PROCESSOR, [409], 'a request'),
        ...(
          [
            [
              { processingLocation: { city: 'Seattle', countryCode: 'US' }, transferMechanism: null },
              'outside the EEA without a transfer mechanism',
            ],
            [{ processingLocation: { city: 'Nowhere', countryCode: 'XX' } }, 'in an unassigned country'],
            [{ personalDataTypes: ['Bankkontonummer'] }, 'with a data type outside the agreement'],
            [{ orgNumber: world.orgNumbers.processor }, 'that is the processor itself'],
            [{ orgNumber: world.orgNumbers.controller }, 'that is the controller'],
          ] as [JsonObject, string][]
        ).flatMap(([changes, what]) =>
          refusedAt(world, ['processor'], binding, changed(changes), [400], `a sub-processor ${what}`),
        ),
        ...refusedAt(
          world,
          ['processor'],
          ['inForce'],
          REQUESTED_SUB_PROCESSOR,
          [409],
          'a request identical to one still pending',
        ),
      ],
    };
  },

  listSubProcessors: (world) => ({
    aims: aimsAt(world, parties),
    query: () => '',
    queryDefects: () => [
      ...unknownParameters,
      protoParameter,
      { query: 'limit=5', defect: 'paging where there is none', mustRefuse: true },
      { query: `on=${world.today}`, defect: 'on without status=APPROVED', mustRefuse: true },
      { query: `status=REQUESTED&on=${world.today}`, defect: 'on with status=REQUESTED', mustRefuse: true },
      { query: `status=APPROVED&on=${FUTURE}`, defect: 'Vedlegg 3 of a future day', mustRefuse: true },
      ...BAD_DATES.map((date) => ({
        query: `status=APPROVED&on=${segment(date)}`,
        defect: `on=${date}`,
        mustRefuse: true,
      })),
      ...['approved', 'APPROVED%20', 'PENDING', '', 'APPROVED,REJECTED'].map((status) => ({
        query: `status=${status}`,
        defect: `status=${status}`,
        mustRefuse: true,
      })),
    ],
  }),

  getSubProcessor: (world) => ({
    aims: [world.requestedSubId, world.approvedSubId].flatMap((subId) =>
      aimsAt(world, parties, ['inForce'], { subId }),
    ),
    refused: aimsAt(world, parties, ['notice'], { subId: world.requestedSubId }).map((aim) => ({
      aim,
      expect: [404],
      defect: 'a sub-processor of another agreement',
    })),
  }),

  decideSubProcessor: (world) => {
    const valid = {
      decision: 'APPROVED',
      reason: 'Avtale med underleverandøren er inngått',
      signatory: SIGNATORY,
    };
    return {
      aims: aimsAt(world, ['controller'], ['inForce'], { subId: world.requestedSubId }),
      body: () => valid,
      refused: [
        ...aimsAt(world, ['processor'], ['inForce'], { subId: world.requestedSubId }).map((aim) => ({
          aim,
          body: valid,
          expect: [403],
          defect: 'a decision by the processor',
        })),
        ...aimsAt(world, ['controller'], ['inForce'], { subId: world.approvedSubId }).map((aim) => ({
          aim,
          body: { ...valid, decision: 'REJECTED' },
          expect: [409],
          defect: 'a second decision',
        })),
        ...aimsAt(world, ['controller'], except('inForce'), { subId: world.requestedSubId }).map((aim) => ({
          aim,
          body: valid,
          expect: [404],
          defect: `a decision on another agreement's request (${aim.fixture!.status})`,
        })),
        ...aimsAt(world, ['controller'], ['inForce'], { subId: world.requestedSubId }).map((aim) => ({
          aim,
          body: { ...valid, decision: 'MAYBE' },
          expect: [400],
          defect: 'a decision that is neither',
        })),
      ],
    };
  },

  withdrawSubProcessor: (world) => ({
    aims: aimsAt(world, ['processor'], ['inForce'], { subId: world.requestedSubId }),
    body: () => ({ reason: 'Avtalen ble ikke inngått' }),
    bodyFields: { optional: ['reason'] },
    refused: [
      ...[world.requestedSubId, world.approvedSubId].flatMap((subId) =>
        aimsAt(world, ['controller'], ['inForce'], { subId }).map((aim) => ({
          aim,
          body: { reason: 'Avtalen ble ikke inngått' },
          expect: [403],
          defect: 'a withdrawal by the controller',
        })),
      ),
      ...aimsAt(world, ['processor'], ['inForce'], { subId: world.approvedSubId }).map((aim) => ({
        aim,
        body: {},
        expect: [400],
        defect: 'an approved sub-processor taken out of Vedlegg 3 without a reason',
      })),
      ...aimsAt(world, ['processor'], except('inForce'), { subId: world.requestedSubId }).map((aim) => ({
        aim,
        body: { reason: 'Avtalen ble ikke inngått' },
        expect: [404],
        defect: `a withdrawal on another agreement (${aim.fixture!.status})`,
      })),
    ],
  }),

  getProcessingAuthorization: (world) => ({
    aims: aimsAt(world, parties),
    query: () => `subProcessorId=${world.approvedSubId}`,
    queryDefects: () => [
      ...unknownParameters.map((defect) => ({
        ...defect,
        query: `subProcessorId=${world.approvedSubId}&${defect.query}`,
      })),
      { query: '', defect: 'no subProcessorId', mustRefuse: true },
      { query: 'subProcessorId=', defect: 'an empty subProcessorId', mustRefuse: true },
      { query: 'subProcessorId=%20%20', defect: 'a blank subProcessorId', mustRefuse: true },
      {
        query: `subProcessorId=${'a'.repeat(101)}`,
        defect: 'a subProcessorId of 101 characters',
        mustRefuse: true,
      },
      {
        query: `subProcessorId=${world.approvedSubId}&subProcessorId=${world.requestedSubId}`,
        defect: 'two subProcessorIds',
        mustRefuse: false,
      },
      {
        query: `subProcessorId=${segment('\u202Eevil\u0000')}`,
        defect: 'a subProcessorId with a bidi override',
        mustRefuse: false,
      },
    ],
  }),
};

function orgOf(world: World, who: Who | 'none'): string {
  if (who === 'controller' || who === 'controllerReadOnly') return world.orgNumbers.controller;
  if (who === 'processor' || who === 'processorReadOnly') return world.orgNumbers.processor;
  return world.orgNumbers.outsider;
}

const otherRole = (role: Role): Role => (role === 'controller' ? 'processor' : 'controller');

// --- composing requests --------------------------------------------------------------------------

/** Routes of the catalogue for which no generator exists (a new route must get one). */
export function routesWithoutGenerator(): string[] {
  return httpFunctions.filter((fn) => !(fn.id in ROUTES)).map((fn) => `${fn.id} (${fn.method} ${fn.path})`);
}

/** Generators that name no route of the catalogue (a route was renamed or removed). */
export function generatorsWithoutRoute(): string[] {
  return Object.keys(ROUTES).filter((id) => !httpFunctions.some((fn) => fn.id === id));
}

/**
 * A request the route would take from `world`'s parties (the first place the fuzzer aims at): what
 * the authorization tests break only the token of.
 */
export interface WellFormedRequest {
  method: string;
  params: Record<string, string>;
  /** The path with these parameters (the request's own by default). */
  path(params?: Record<string, string>): string;
  body?: string;
  headers: Record<string, string>;
  as: Who | 'none';
}

export function wellFormedRequest(fn: HttpFunction, world: World): WellFormedRequest {
  const spec = ROUTES[fn.id]?.(world);
  if (!spec) throw new Error(`No well-formed request for route ${fn.id} (${fn.method} ${fn.path})`);
  const aim = spec.aims[0]!;
  const query = spec.query?.(aim) ?? '';
  const body = spec.body ? JSON.stringify(spec.body(aim)) : undefined;
  return {
    method: fn.method,
    params: aim.params,
    path: (params = aim.params) => `${pathOf(fn, params)}${query ? `?${query}` : ''}`,
    ...(body === undefined ? {} : { body }),
    headers: { ...(body === undefined ? {} : { 'content-type': JSON_TYPE }), ...spec.headers?.(aim) },
    as: aim.as,
  };
}

const OTHER_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'];

const noiseHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        accept: fc.constantFrom('*/*', 'text/html', 'application/xml', 'application/problem+json'),
        'accept-language': fc.constantFrom('nb-NO', 'en', '*', 'x'.repeat(200)),
        'x-forwarded-for': fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', 'garbage'),
        'user-agent': fc
          .string({ unit: 'binary-ascii', maxLength: 80 })
          .map((value) => value.replace(/[^\x20-\x7e]/g, '')),
        'x-correlation-id': fc.constantFrom(
          'abc',
          '',
          'x'.repeat(2000),
          '../../etc/passwd',
          ['$', '{jndi:ldap://x}'].join(''),
        ),
        // The Step Functions protocol is not spoken on the API port (issue 7, defect 3).
        'x-amz-target': fc.constantFrom(
          'AWSStepFunctions.ListExecutions',
          'AWSStepFunctions.StopExecution',
          'AWSStepFunctions.SendTaskSuccess',
        ),
      },
      { requiredKeys: [] },
    ),
  },
  // Headers over the server's limit: refused before any handler (issue 7, defect 5).
  {
    weight: 1,
    arbitrary: fc.integer({ min: 17_000, max: 60_000 }).map((size) => ({ 'x-junk': 'a'.repeat(size) })),
  },
);

/** Every hostile request for one route of the catalogue, against the agreements of `world`. */
export function hostileRequests(fn: HttpFunction, world: World): fc.Arbitrary<HostileRequest> {
  const spec = ROUTES[fn.id]?.(world);
  if (!spec) throw new Error(`No hostile request generator for route ${fn.id} (${fn.method} ${fn.path})`);
  const writes = fn.method !== 'GET';
  const parameters = parametersOf(fn);
  const validBody = (aim: Aim) => (spec.body ? JSON.stringify(spec.body(aim)) : undefined);
  const validQuery = (aim: Aim) => spec.query?.(aim) ?? '';
  const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

  /** A well-formed request at `aim` with `fields` changed; `headers` replace the route's own ones. */
  const request = (
    aim: Aim,
    fields: Partial<HostileRequest> & Pick<HostileRequest, 'defect' | 'mustRefuse'>,
    headers: Record<string, string> = spec.headers?.(aim) ?? {},
  ): HostileRequest => {
    const body = 'body' in fields ? fields.body : validBody(aim);
    return printable({
      route: fn.id,
      method: fn.method,
      path: withQuery(pathOf(fn, aim.params), validQuery(aim)),
      caller: aim.as,
      ...fields,
      headers: {
        ...(body !== undefined ? { 'content-type': JSON_TYPE } : {}),
        ...headers,
        ...fields.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
  };
  const aim = fc.constantFrom(...spec.aims);
  const choices: fc.WeightedArbitrary<HostileRequest>[] = [];

  if (writes && spec.body) {
    const body = spec.body;
    choices.push({
      weight: 10,
      arbitrary: aim.chain((target) =>
        brokenBodies(body(target), spec.bodyFields).map((broken) =>
          request(target, {
            body: broken.body,
            defect: broken.defect,
            mustRefuse: true,
            expect: broken.expect,
            ...(broken.field === undefined ? {} : { field: broken.field }),
          }),
        ),
      ),
    });
    choices.push({
      weight: 2,
      arbitrary: fc
        .tuple(
          aim,
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            'text/json',
            'application/jsonx',
            'application/octet-stream',
            'json',
            '',
            null,
          ),
        )
        .map(([target, contentType]) => {
          const hostile = request(target, {
            headers: { 'content-type': contentType ?? '' },
            defect: `a JSON body sent as ${contentType === null ? 'no content type' : `"${contentType}"`}`,
            mustRefuse: true,
            expect: [415],
          });
          if (contentType === null) delete hostile.headers['content-type'];
          return hostile;
        }),
    });
    choices.push({
      weight: 1,
      arbitrary: aim
        .filter((target) => target.as === 'controller' || target.as === 'processor')
        .map((target) =>
          request(
            { ...target, as: target.as === 'controller' ? 'controllerReadOnly' : 'processorReadOnly' },
            { defect: 'a write with a read-only token', mustRefuse: true, expect: [403] },
          ),
        ),
    });
  }
  if (parameters.length > 0) {
    choices.push({
      weight: 6,
      arbitrary: fc.tuple(aim, fc.constantFrom(...parameters)).chain(([target, name]) =>
        badIds(world, name, target.params[name]!).map(({ id, expect }) =>
          request(
            { ...target, params: { ...target.params, [name]: id } },
            {
              defect: `the ${name} "${id.length > 60 ? `${id.slice(0, 60)}… (${id.length})` : id}"`,
              mustRefuse: writes || expect !== undefined,
              ...(expect ? { expect } : {}),
            },
          ),
        ),
      ),
    });
    // A public route's credential is its path (the calendar feed): the caller's token does not count.
    if (fn.scopes.length > 0) {
      choices.push({
        weight: 1,
        arbitrary: aim.map((target) =>
          request({ ...target, as: 'outsider' }, { defect: 'a non-party', mustRefuse: true, expect: [404] }),
        ),
      });
    }
  }
  if (spec.refused && spec.refused.length > 0) {
    choices.push({
      weight: 6,
      arbitrary: fc.constantFrom(...spec.refused).map((refused) =>
        request(
          refused.aim,
          {
            ...(refused.body === undefined ? {} : { body: JSON.stringify(refused.body) }),
            ...(refused.query === undefined
              ? {}
              : { path: withQuery(pathOf(fn, refused.aim.params), refused.query) }),
            defect: refused.defect,
            mustRefuse: true,
            expect: refused.expect,
          },
          refused.headers,
        ),
      ),
    });
  }
  if (spec.queryDefects) {
    const defects = spec.queryDefects;
    choices.push({
      weight: 8,
      arbitrary: aim.chain((target) =>
        fc.constantFrom(...defects(target)).map((defect) =>
          request(target, {
            path: withQuery(pathOf(fn, target.params), defect.query),
            defect: defect.defect,
            mustRefuse: defect.mustRefuse,
            ...(defect.mustRefuse ? { expect: [400] } : {}),
          }),
        ),
      ),
    });
  }
  const taken = new Set<string>(
    httpFunctions.filter((other) => other.path === fn.path).map((other) => other.method),
  );
  choices.push({
    weight: 1,
    arbitrary: fc
      .tuple(aim, fc.constantFrom(...OTHER_METHODS.filter((method) => !taken.has(method))))
      .map(([target, method]) =>
        request(target, {
          method,
          body: undefined,
          defect: `${method} on ${fn.path}`,
          mustRefuse: true,
          expect: [405],
        }),
      ),
  });
  // Reads: whatever else may come with a request. It may be answered, never with a server error.
  if (!writes) {
    choices.push({
      weight: 3,
      arbitrary: fc
        .tuple(
          aim,
          noiseHeaders,
          spec.queryDefects ? fc.constant(undefined) : fc.option(fc.webQueryParameters(), { nil: undefined }),
          fc.option(
            fc.tuple(
              fc.constantFrom('application/json', 'text/plain', 'application/xml'),
              fc.oneof(fc.json(), fc.string({ maxLength: 200 })),
            ),
            { nil: undefined },
          ),
        )
        .map(([target, headers, query, body]) =>
          request(target, {
            ...(query === undefined ? {} : { path: withQuery(pathOf(fn, target.params), query) }),
            headers: { ...headers, ...(body ? { 'content-type': body[0] } : {}) },
            ...(body ? { body: body[1] } : {}),
            defect: 'a read with odd headers, query or body',
            mustRefuse: false,
          }),
        ),
    });
  }
  const hostile = fc.oneof(...choices);
  if (fn.method !== 'POST') return hostile;
  // A refused POST with an Idempotency-Key is still refused and leaves no key behind; a key that is
  // no key may be refused first (so the status the defect names no longer holds).
  return fc
    .tuple(
      hostile,
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: fc.uuid().map((key) => ({ key, valid: true })) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('', ' ', 'a'.repeat(256), 'nøkkel', 'a b', '"quoted"', '__proto__')
            .map((key) => ({ key, valid: false })),
        },
      ),
    )
    .map(([request, key]) => {
      if (!key || request.method !== 'POST') return request;
      const { expect: named, ...rest } = request;
      return printable({
        ...rest,
        headers: { ...request.headers, 'idempotency-key': key.key },
        defect: `${request.defect}, with Idempotency-Key "${key.key.slice(0, 40)}"`,
        ...(key.valid && named ? { expect: named } : {}),
      });
    });
}

/** How fast-check prints a request in a counterexample: long bodies and paths cut short. */
function printable(hostile: HostileRequest): HostileRequest {
  const cut = (text: string) =>
    text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
  Object.defineProperty(hostile, fc.toStringMethod, {
    enumerable: false,
    value: () =>
      [
        `${hostile.method} ${cut(hostile.path)} as ${hostile.caller}`,
        `  defect: ${hostile.defect}`,
        `  headers: ${cut(JSON.stringify(hostile.headers))}`,
        ...(hostile.body === undefined ? [] : [`  body: ${cut(JSON.stringify(hostile.body))}`]),
      ].join('\n'),
  });
  return hostile;
}

/** `npm run fuzz` and the test print a request with this. */
export const printRequest = (hostile: HostileRequest): string => fc.stringify(hostile);
