import { describe, expect, it } from 'vitest';
import {
  createAgreementSchema,
  patchAgreementSchema,
  signatureRequestSchema,
} from '../../../functions/domain/schemas.ts';
import { CONTROLLER_ORG, exampleCreateRequest, PROCESSOR_ORG } from './agreement-fixture.ts';

/** The issues as `path: code`, so assertions name the failing field. */
function issuesOf(result: { success: boolean; error?: { issues: { path: PropertyKey[]; code: string }[] } }) {
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((issue) => ({ path: issue.path.join('.'), code: issue.code }));
}

function withoutOptionalFields() {
  const request = exampleCreateRequest();
  for (const field of [
    'cooperationAgreementRef',
    'subProcessors',
    'noticePeriodMonths',
    'breachNotificationHours',
    'signatureDeadlineDays',
  ]) {
    delete request[field];
  }
  return request;
}

describe('createAgreementSchema', () => {
  it("parses product.md's example create request unchanged", () => {
    const parsed = createAgreementSchema.parse(exampleCreateRequest());
    expect(parsed).toEqual(exampleCreateRequest());
  });

  it('fills the defaults: notice 3 months, breach 36 hours, deadline 30 days, no sub-processors', () => {
    const parsed = createAgreementSchema.parse(withoutOptionalFields());
    expect(parsed.noticePeriodMonths).toBe(3);
    expect(parsed.breachNotificationHours).toBe(36);
    expect(parsed.signatureDeadlineDays).toBe(30);
    expect(parsed.subProcessors).toEqual([]);
    expect(parsed).not.toHaveProperty('cooperationAgreementRef');
  });

  it('defaults special categories to none', () => {
    const request = exampleCreateRequest();
    delete (request.scope as Record<string, unknown>).specialCategories;
    expect(createAgreementSchema.parse(request).scope.specialCategories).toEqual([]);
  });

  it('accepts breach notification within 24 hours (some processors agree to it)', () => {
    const parsed = createAgreementSchema.parse({ ...exampleCreateRequest(), breachNotificationHours: 24 });
    expect(parsed.breachNotificationHours).toBe(24);
  });

  it('rejects an unknown top-level field and names it', () => {
    const result = createAgreementSchema.safeParse({ ...exampleCreateRequest(), colour: 'blue' });
    expect(issuesOf(result)).toEqual([{ path: '', code: 'unrecognized_keys' }]);
    expect(result.error?.issues[0]).toMatchObject({ keys: ['colour'] });
  });

  it('rejects an unknown nested field and names where it is', () => {
    const request = exampleCreateRequest();
    (request.controller as Record<string, unknown>).country = 'NO';
    const result = createAgreementSchema.safeParse(request);
    expect(issuesOf(result)).toEqual([{ path: 'controller', code: 'unrecognized_keys' }]);
    expect(result.error?.issues[0]).toMatchObject({ keys: ['country'] });
  });

  it('rejects the same organisation as controller and processor, on processor.orgNumber', () => {
    const request = exampleCreateRequest();
    request.processor = { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune igjen' };
    const issues = issuesOf(createAgreementSchema.safeParse(request));
    expect(issues).toEqual([{ path: 'processor.orgNumber', code: 'custom' }]);
  });

  it('rejects an organisation number with a wrong check digit', () => {
    const request = exampleCreateRequest();
    request.processor = { orgNumber: '889640781', name: 'NAV' };
    expect(issuesOf(createAgreementSchema.safeParse(request))).toContainEqual({
      path: 'processor.orgNumber',
      code: 'custom',
    });
  });

  it('rejects an organisation number given as a number', () => {
    const request = exampleCreateRequest();
    request.controller = { orgNumber: Number(CONTROLLER_ORG), name: 'Radøy kommune' };
    expect(issuesOf(createAgreementSchema.safeParse(request)).map((i) => i.path)).toContain(
      'controller.orgNumber',
    );
  });

  it('bounds the title at 300 characters', () => {
    expect(
      createAgreementSchema.safeParse({ ...exampleCreateRequest(), title: 'x'.repeat(300) }).success,
    ).toBe(true);
    expect(
      issuesOf(createAgreementSchema.safeParse({ ...exampleCreateRequest(), title: 'x'.repeat(301) })),
    ).toEqual([{ path: 'title', code: 'too_big' }]);
  });

  it('rejects a blank title (whitespace only)', () => {
    expect(issuesOf(createAgreementSchema.safeParse({ ...exampleCreateRequest(), title: '   ' }))).toEqual([
      { path: 'title', code: 'too_small' },
    ]);
  });

  it('bounds the number of data subject categories at 50', () => {
    const request = exampleCreateRequest();
    (request.scope as Record<string, unknown>).dataSubjectCategories = Array.from(
      { length: 51 },
      (_, i) => `Kategori ${i}`,
    );
    expect(issuesOf(createAgreementSchema.safeParse(request))).toEqual([
      { path: 'scope.dataSubjectCategories', code: 'too_big' },
    ]);
  });

  it('needs at least one type of personal data', () => {
    const request = exampleCreateRequest();
    (request.scope as Record<string, unknown>).personalDataTypes = [];
    expect(issuesOf(createAgreementSchema.safeParse(request))).toEqual([
      { path: 'scope.personalDataTypes', code: 'too_small' },
    ]);
  });

  it('bounds the notice period (1..24 months) and the breach deadline (1..72 hours)', () => {
    expect(
      issuesOf(createAgreementSchema.safeParse({ ...exampleCreateRequest(), noticePeriodMonths: 0 })),
    ).toEqual([{ path: 'noticePeriodMonths', code: 'too_small' }]);
    expect(
      issuesOf(createAgreementSchema.safeParse({ ...exampleCreateRequest(), breachNotificationHours: 73 })),
    ).toEqual([{ path: 'breachNotificationHours', code: 'too_big' }]);
    expect(
      issuesOf(createAgreementSchema.safeParse({ ...exampleCreateRequest(), signatureDeadlineDays: 2.5 })),
    ).toEqual([{ path: 'signatureDeadlineDays', code: 'invalid_type' }]);
  });

  it('rejects an invalid contact e-mail, naming the contact', () => {
    const request = exampleCreateRequest();
    (request.contacts as Record<string, Record<string, unknown>>).processor!.email = 'ola-at-example.no';
    expect(issuesOf(createAgreementSchema.safeParse(request))).toEqual([
      { path: 'contacts.processor.email', code: 'invalid_format' },
    ]);
  });

  it('rejects a sub-processor with an unknown transfer mechanism', () => {
    const request = exampleCreateRequest();
    request.subProcessors = [
      {
        name: 'Drift AS',
        address: 'Storgata 1, Oslo',
        processingLocation: { city: 'Oslo', countryCode: 'NO' },
        activities: 'Drift',
        personalDataTypes: ['Navn'],
        transferMechanism: 'BCR',
      },
    ];
    expect(issuesOf(createAgreementSchema.safeParse(request))).toEqual([
      { path: 'subProcessors.0.transferMechanism', code: 'invalid_value' },
    ]);
  });
});

describe('patchAgreementSchema', () => {
  it('accepts a change of one field', () => {
    expect(patchAgreementSchema.parse({ title: 'Ny tittel' })).toEqual({ title: 'Ny tittel' });
  });

  it('rejects a change of parties as an unknown field', () => {
    const result = patchAgreementSchema.safeParse({
      processor: { orgNumber: PROCESSOR_ORG, name: 'NAV' },
    });
    expect(issuesOf(result)).toContainEqual({ path: '', code: 'unrecognized_keys' });
    expect(result.error?.issues.find((issue) => issue.code === 'unrecognized_keys')).toMatchObject({
      keys: ['processor'],
    });
  });

  it('rejects an empty patch', () => {
    expect(issuesOf(patchAgreementSchema.safeParse({}))).toEqual([{ path: '', code: 'custom' }]);
  });
});

describe('signatureRequestSchema', () => {
  const HASH = `sha256:${'ab'.repeat(32)}`;

  it('needs the hash of the content read (rule 12), sha256 in lower-case hex', () => {
    const base = { signatory: { name: 'Kari', title: 'Ordfører' }, place: 'Radøy' };
    expect(issuesOf(signatureRequestSchema.safeParse(base))).toEqual([
      { path: 'contentHash', code: 'invalid_type' },
    ]);
    for (const contentHash of [
      `sha256:${'AB'.repeat(32)}`,
      `sha256:${'a'.repeat(63)}`,
      `sha1:${'a'.repeat(40)}`,
    ]) {
      expect(issuesOf(signatureRequestSchema.safeParse({ ...base, contentHash }))).toEqual([
        { path: 'contentHash', code: 'invalid_format' },
      ]);
    }
  });

  it('accepts a signature without a date (it defaults to today later)', () => {
    const parsed = signatureRequestSchema.parse({
      signatory: { name: 'Kari', title: 'Ordfører' },
      place: 'Radøy',
      contentHash: HASH,
    });
    expect(parsed.signedOn).toBeUndefined();
  });

  it('rejects a date that does not exist', () => {
    const result = signatureRequestSchema.safeParse({
      signatory: { name: 'Kari', title: 'Ordfører' },
      place: 'Radøy',
      signedOn: '2027-02-29',
      contentHash: HASH,
    });
    expect(issuesOf(result)).toEqual([{ path: 'signedOn', code: 'custom' }]);
  });

  it('needs the signatory title', () => {
    const result = signatureRequestSchema.safeParse({
      signatory: { name: 'Kari' },
      place: 'Radøy',
      contentHash: HASH,
    });
    expect(issuesOf(result)).toEqual([{ path: 'signatory.title', code: 'invalid_type' }]);
  });
});
