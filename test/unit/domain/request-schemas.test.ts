import { describe, expect, it } from 'vitest';
import { breachReportRequestSchema } from '../../../functions/domain/breach-schemas.ts';
import {
  actorSchema,
  agreementSchema,
  auditEntrySchema,
  calendarDateSchema,
  cancelRequestSchema,
  contactSchema,
  countryCodeSchema,
  createAgreementSchema,
  listAgreementsQuerySchema,
  orgNumberSchema,
  pagingQuerySchema,
  patchAgreementSchema,
  problemSchema,
  subProcessorSchema,
} from '../../../functions/domain/schemas.ts';
import {
  decisionRequestSchema,
  listSubProcessorsQuerySchema,
  processingAuthorizationQuerySchema,
  withdrawRequestSchema,
} from '../../../functions/domain/sub-processor-schemas.ts';
import { terminationNoticeRequestSchema } from '../../../functions/domain/termination-schemas.ts';
import { CONTROLLER_ORG, exampleCreateRequest } from './agreement-fixture.ts';
import { breachBody } from './breach-fixture.ts';
import { requestBody } from './sub-processor-fixture.ts';
import { retained } from './termination-fixture.ts';

type Result = { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };

/** The failing fields with their messages, as the 400 problem lists them. */
const errorsOf = (result: Result) =>
  result.success
    ? []
    : result.error!.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
const failingFields = (result: Result) => errorsOf(result).map((error) => error.field);

const signatory = { name: 'Kari Testesen', title: 'Rådmann' };

/** The agreed numbers of rule 2 and rule 4, each with its lowest and highest allowed value. */
const BOUNDS = [
  ['noticePeriodMonths', 1, 6],
  ['breachNotificationHours', 1, 72],
  ['signatureDeadlineDays', 1, 180],
] as const;

describe('the agreed numbers of an agreement (rules 2 and 4)', () => {
  it.each(BOUNDS)('%s may be from %i to %i when the draft is created', (field, lowest, highest) => {
    for (const value of [lowest, highest]) {
      expect(createAgreementSchema.safeParse({ ...exampleCreateRequest(), [field]: value }).success).toBe(
        true,
      );
    }
  });

  it.each(
    BOUNDS,
  )('%s may not be below %i or above %i when the draft is created', (field, lowest, highest) => {
    for (const value of [lowest - 1, highest + 1]) {
      const result = createAgreementSchema.safeParse({ ...exampleCreateRequest(), [field]: value });
      expect(failingFields(result)).toEqual([field]);
    }
  });

  it.each(BOUNDS)('%s may be changed to %i or to %i in the draft', (field, lowest, highest) => {
    expect(patchAgreementSchema.parse({ [field]: lowest })).toEqual({ [field]: lowest });
    expect(patchAgreementSchema.parse({ [field]: highest })).toEqual({ [field]: highest });
  });

  it.each(BOUNDS)('%s may not be changed to below %i or above %i in the draft', (field, lowest, highest) => {
    expect(failingFields(patchAgreementSchema.safeParse({ [field]: lowest - 1 }))).toEqual([field]);
    expect(failingFields(patchAgreementSchema.safeParse({ [field]: highest + 1 }))).toEqual([field]);
  });

  it('lists at most 50 sub-processors in a changed draft', () => {
    const subProcessors = (count: number) =>
      Array.from({ length: count }, () => requestBody({ orgNumber: undefined }));

    expect(patchAgreementSchema.safeParse({ subProcessors: subProcessors(50) }).success).toBe(true);
    expect(failingFields(patchAgreementSchema.safeParse({ subProcessors: subProcessors(51) }))).toEqual([
      'subProcessors',
    ]);
  });

  it('refuses a change of nothing, saying so', () => {
    expect(errorsOf(patchAgreementSchema.safeParse({}))).toEqual([
      { field: '', message: 'must change at least one field' },
    ]);
  });
});

describe('identifiers and dates, with what they must be', () => {
  it('an organisation number: 9 digits with the modulus-11 check digit (rule 1)', () => {
    expect(orgNumberSchema.safeParse(CONTROLLER_ORG).success).toBe(true);
    expect(errorsOf(orgNumberSchema.safeParse('954748635'))).toEqual([
      { field: '', message: 'must be a valid Norwegian organisation number (9 digits, modulus 11)' },
    ]);
  });

  it('a date: a calendar date YYYY-MM-DD', () => {
    expect(calendarDateSchema.safeParse('2026-12-31').success).toBe(true);
    expect(errorsOf(calendarDateSchema.safeParse('2026-02-30'))).toEqual([
      { field: '', message: 'must be a calendar date YYYY-MM-DD' },
    ]);
  });

  it.each(['NO', 'SE', 'US'])('a country code: two capital letters such as %s', (code) => {
    expect(countryCodeSchema.safeParse(code).success).toBe(true);
  });

  it.each(['NOR', 'XNO', 'no', 'N', ' NO', 'NO '])('a country code: not %j', (code) => {
    expect(errorsOf(countryCodeSchema.safeParse(code))).toEqual([
      { field: '', message: 'must be an ISO 3166-1 alpha-2 code' },
    ]);
  });
});

describe('the phone number of a contact person (rule 2, 003 §16)', () => {
  const contact = (phone: string) => ({ name: 'Kari Nordmann', email: 'kari@example.kommune.no', phone });

  it.each(['+4799999999', '99999999', '+47 999 99 999'])('may be written %j', (phone) => {
    expect(contactSchema.safeParse(contact(phone)).success).toBe(true);
  });

  it.each([
    '+4799999999 ext',
    'tlf +4799999999',
    '1234',
    '+47-999-99-999',
  ])('may not be written %j', (phone) => {
    expect(errorsOf(contactSchema.safeParse(contact(phone)))).toEqual([
      { field: 'phone', message: 'must be a phone number' },
    ]);
  });
});

describe('a sub-processor request (rule 7)', () => {
  it('may name several of the agreement’s data types', () => {
    const result = subProcessorSchema.safeParse(
      requestBody({ personalDataTypes: ['Navn', 'Fødselsnummer'] }),
    );

    expect(result.success).toBe(true);
  });

  it.each(['name', 'address', 'activities'])('refuses a blank %s', (field) => {
    expect(failingFields(subProcessorSchema.safeParse(requestBody({ [field]: '  ' })))).toEqual([field]);
  });
});

describe("the controller's decision on a sub-processor (rule 7)", () => {
  const body = (overrides: Record<string, unknown> = {}) => ({
    decision: 'APPROVED',
    reason: 'Avtale med underleverandøren er inngått',
    signatory,
    ...overrides,
  });

  it.each(['APPROVED', 'REJECTED'])('may be %s, with a reason, signed', (decision) => {
    expect(decisionRequestSchema.parse(body({ decision }))).toEqual(body({ decision }));
  });

  it('is nothing but an approval or a rejection', () => {
    expect(failingFields(decisionRequestSchema.safeParse(body({ decision: 'LATER' })))).toEqual(['decision']);
  });

  it('needs a reason that is not blank, and a signatory', () => {
    expect(failingFields(decisionRequestSchema.safeParse(body({ reason: '   ' })))).toEqual(['reason']);
    expect(failingFields(decisionRequestSchema.safeParse(body({ signatory: undefined })))).toEqual([
      'signatory',
    ]);
  });
});

describe('the withdrawal of a sub-processor (rule 7)', () => {
  it('may come with or without a reason', () => {
    expect(withdrawRequestSchema.parse({})).toEqual({});
    expect(withdrawRequestSchema.parse({ reason: 'Brukes ikke lenger' })).toEqual({
      reason: 'Brukes ikke lenger',
    });
  });

  it('refuses a blank reason and unknown fields', () => {
    expect(failingFields(withdrawRequestSchema.safeParse({ reason: ' ' }))).toEqual(['reason']);
    expect(withdrawRequestSchema.safeParse({ reason: 'x', when: 'now' }).success).toBe(false);
  });
});

describe('the list of sub-processors and Vedlegg 3 on a day (rule 7)', () => {
  it('gives Vedlegg 3 as it stood on a day with status=APPROVED and on', () => {
    expect(listSubProcessorsQuerySchema.parse({ status: 'APPROVED', on: '2026-12-01' })).toEqual({
      status: 'APPROVED',
      on: '2026-12-01',
    });
  });

  it('lists every request, or those of one status, without a day', () => {
    expect(listSubProcessorsQuerySchema.parse({})).toEqual({});
    expect(listSubProcessorsQuerySchema.parse({ status: 'REQUESTED' })).toEqual({ status: 'REQUESTED' });
  });

  it.each([
    [{ on: '2026-12-01' }],
    [{ status: 'REQUESTED', on: '2026-12-01' }],
  ])('refuses a day without status=APPROVED, on "on": %j', (query) => {
    expect(errorsOf(listSubProcessorsQuerySchema.safeParse(query))).toEqual([
      {
        field: 'on',
        message: 'needs status=APPROVED: ?status=APPROVED&on=YYYY-MM-DD gives Vedlegg 3 as it stood that day',
      },
    ]);
  });

  it('refuses an unknown parameter', () => {
    expect(listSubProcessorsQuerySchema.safeParse({ status: 'APPROVED', date: '2026-12-01' }).success).toBe(
      false,
    );
  });
});

describe('the question to the processing gate (rule 8)', () => {
  it('names the sub-processor, trimmed', () => {
    expect(processingAuthorizationQuerySchema.parse({ subProcessorId: ' abc ' })).toEqual({
      subProcessorId: 'abc',
    });
  });

  it('says that the sub-processor id is required when it is missing', () => {
    expect(errorsOf(processingAuthorizationQuerySchema.safeParse({}))).toEqual([
      { field: 'subProcessorId', message: 'is required: the id of the sub-processor to ask about' },
    ]);
  });

  it('refuses an id given twice (an array) as the wrong type, not as a missing one', () => {
    const errors = errorsOf(processingAuthorizationQuerySchema.safeParse({ subProcessorId: ['a', 'b'] }));

    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).not.toContain('is required');
  });

  it('takes an id of 1 to 100 characters', () => {
    expect(processingAuthorizationQuerySchema.safeParse({ subProcessorId: 'x'.repeat(100) }).success).toBe(
      true,
    );
    expect(
      failingFields(processingAuthorizationQuerySchema.safeParse({ subProcessorId: 'x'.repeat(101) })),
    ).toEqual(['subProcessorId']);
    expect(failingFields(processingAuthorizationQuerySchema.safeParse({ subProcessorId: '  ' }))).toEqual([
      'subProcessorId',
    ]);
  });
});

describe('blank free text is no statement (rules 5, 9 and 10)', () => {
  it.each([
    'nature',
    'likelyConsequences',
    'measuresTaken',
  ])('a breach report with a blank %s is refused, naming it', (field) => {
    expect(failingFields(breachReportRequestSchema.safeParse(breachBody({ [field]: ' \n ' })))).toEqual([
      field,
    ]);
  });

  it('a breach report with a blank category of data subjects is refused, naming it', () => {
    const result = breachReportRequestSchema.safeParse(breachBody({ dataSubjectCategories: ['  '] }));

    expect(failingFields(result)).toEqual(['dataSubjectCategories.0']);
  });

  it('a notice with a blank reason is refused', () => {
    expect(failingFields(terminationNoticeRequestSchema.safeParse({ reason: '   ' }))).toEqual(['reason']);
  });

  it('a cancellation may come without a reason, but not with a blank one', () => {
    expect(cancelRequestSchema.parse({})).toEqual({});
    expect(cancelRequestSchema.parse({ reason: 'Feil motpart' })).toEqual({ reason: 'Feil motpart' });
    expect(failingFields(cancelRequestSchema.safeParse({ reason: '  ' }))).toEqual(['reason']);
  });
});

describe('paging (GET /agreements, history, audit log)', () => {
  it('gives 25 agreements per page unless asked, and 50 entries of a log', () => {
    expect(listAgreementsQuerySchema.parse({})).toEqual({ limit: 25 });
    expect(pagingQuerySchema.parse({})).toEqual({ limit: 50 });
  });

  it.each([
    ['listAgreementsQuerySchema', listAgreementsQuerySchema],
    ['pagingQuerySchema', pagingQuerySchema],
  ] as const)('%s takes a limit of 1 to 100 from the query string', (_name, schema) => {
    expect(schema.parse({ limit: '1' }).limit).toBe(1);
    expect(schema.parse({ limit: '100' }).limit).toBe(100);
    for (const limit of ['0', '101', '2.5', 'ti']) {
      expect(failingFields(schema.safeParse({ limit }))).toEqual(['limit']);
    }
  });

  it.each([
    ['listAgreementsQuerySchema', listAgreementsQuerySchema],
    ['pagingQuerySchema', pagingQuerySchema],
  ] as const)('%s takes a cursor of at most 1000 characters and no unknown parameter', (_name, schema) => {
    expect(schema.parse({ cursor: 'c'.repeat(1000) }).cursor).toHaveLength(1000);
    expect(failingFields(schema.safeParse({ cursor: 'c'.repeat(1001) }))).toEqual(['cursor']);
    expect(schema.safeParse({ page: '2' }).success).toBe(false);
  });

  it('filters agreements by a status of the lifecycle', () => {
    expect(listAgreementsQuerySchema.parse({ status: 'IN_FORCE' })).toEqual({
      status: 'IN_FORCE',
      limit: 25,
    });
    expect(failingFields(listAgreementsQuerySchema.safeParse({ status: 'ACTIVE' }))).toEqual(['status']);
  });
});

describe('the records as stored and returned', () => {
  it('an agreement with its notice, disposition and attestation of data kept under law', () => {
    const agreement = retained('2027-03-10', { cooperationAgreementRef: 'Samarbeidsavtale om Modia' });

    expect(agreementSchema.parse(agreement)).toEqual(agreement);
  });

  it('an actor: organisation, client and, when known, the person', () => {
    const actor = { orgNumber: CONTROLLER_ORG, clientId: 'kommune-system', person: 'Kari Testesen' };

    expect(actorSchema.parse(actor)).toEqual(actor);
    expect(actorSchema.safeParse({ ...actor, role: 'admin' }).success).toBe(false);
  });

  it('an audit entry: who read or changed what, when, and by which route', () => {
    const entry = {
      at: '2026-12-01T09:00:00.000Z',
      action: 'processing-authorization.read',
      actor: { orgNumber: CONTROLLER_ORG, clientId: 'kommune-system' },
      route: 'GET /agreements/{id}/processing-authorization',
      details: { subProcessorId: 'abc' },
    };

    expect(auditEntrySchema.parse(entry)).toEqual(entry);
  });

  it("a problem naming the failing fields and the agreement's or the request's state", () => {
    const problem = (currentStatus: string) => ({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'The controller has already decided',
      errors: [{ field: 'decision', message: 'already made' }],
      currentStatus,
    });

    expect(problemSchema.parse(problem('IN_FORCE'))).toEqual(problem('IN_FORCE'));
    expect(problemSchema.parse(problem('REQUESTED'))).toEqual(problem('REQUESTED'));
    expect(problemSchema.safeParse(problem('PENDING')).success).toBe(false);
  });
});
