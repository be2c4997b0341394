import { describe, expect, it } from 'vitest';
import { breachReportRequestSchema } from '../../../functions/domain/breach-schemas.ts';
import {
  createAgreementSchema,
  signatureRequestSchema,
  subProcessorSchema,
} from '../../../functions/domain/schemas.ts';
import {
  decisionRequestSchema,
  processingAuthorizationQuerySchema,
} from '../../../functions/domain/sub-processor-schemas.ts';
import { attestationRequestSchema } from '../../../functions/domain/termination-schemas.ts';
import { lineText, proseText } from '../../../functions/domain/text.ts';

/**
 * Issue 7, defect 6: in a signed legal record the text shown must be the text stored. Invisible
 * controls, bidirectional overrides and isolates, and unpaired surrogates are refused, naming the
 * field; text is stored in Unicode NFC.
 */

const failingFields = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.success ? [] : result.error!.issues.map((issue) => issue.path.join('.'));

const HIDDEN = {
  NUL: '\u0000',
  ESC: '\u001b',
  'carriage return alone': '\r',
  DEL: '\u007f',
  'C1 control NEL': '\u0085',
  'left-to-right embedding U+202A': '\u202a',
  'right-to-left override U+202E': '\u202e',
  'left-to-right isolate U+2066': '\u2066',
  'pop directional isolate U+2069': '\u2069',
  'lone high surrogate': '\ud800',
  'lone low surrogate': '\udc00',
};

describe('one-line text (names, titles, places)', () => {
  it.each(Object.entries(HIDDEN))('refuses %s', (_name, character) => {
    expect(lineText(200).safeParse(`Kari${character}Nordmann`).success).toBe(false);
  });

  it.each([
    ['tab', '\t'],
    ['newline', '\n'],
  ])('refuses a %s inside a line', (_name, character) => {
    expect(lineText(200).safeParse(`Kari${character}Nordmann`).success).toBe(false);
  });

  it('keeps Norwegian letters, accents and emoji written with surrogate pairs', () => {
    expect(lineText(200).parse('Rådøy kommune – Ærlig sak 😀')).toBe('Rådøy kommune – Ærlig sak 😀');
  });

  it('stores text in NFC: a decomposed å becomes the one code point U+00E5', () => {
    expect(lineText(200).parse('Rada\u030ay')).toBe('Rad\u00e5y');
  });

  it('still trims surrounding spaces and refuses blank text', () => {
    expect(lineText(200).parse('  Radøy  ')).toBe('Radøy');
    expect(lineText(200).safeParse('   ').success).toBe(false);
  });

  it('counts the limit after normalisation', () => {
    expect(lineText(3).safeParse('a\u030aa\u030aa\u030a').success).toBe(true);
    expect(lineText(3).safeParse('åååå').success).toBe(false);
  });
});

describe('prose (purposes, measures, statements, reasons)', () => {
  it('keeps tabs and newlines, and turns CRLF into LF', () => {
    expect(proseText(2000).parse('Tiltak:\r\n\t1. Kryptering\n\t2. Tilgangsstyring')).toBe(
      'Tiltak:\n\t1. Kryptering\n\t2. Tilgangsstyring',
    );
  });

  it.each(Object.entries(HIDDEN))('refuses %s', (_name, character) => {
    expect(proseText(2000).safeParse(`Tiltak${character} iverksatt`).success).toBe(false);
  });
});

describe('every text field of the routes refuses hidden characters, naming the field', () => {
  const RLO = '\u202e';

  it('in an agreement: title, scope, security measures, contacts, sub-processors', () => {
    const result = createAgreementSchema.safeParse({
      title: `Avtale${RLO}`,
      controller: { orgNumber: '954748634', name: 'Radøy kommune' },
      processor: { orgNumber: '889640782', name: `NAV\u0000` },
      scope: {
        purpose: `Formål${RLO}`,
        nature: 'Lagring',
        dataSubjectCategories: [`Deltakere\u2066`],
        personalDataTypes: ['Navn'],
      },
      securityMeasures: 'Kryptering\u0007',
      contacts: {
        controller: { name: `Kari${RLO}`, email: 'kari@example.kommune.no', phone: '+4799999999' },
        processor: { name: 'Ola', email: 'ola@example.no', phone: '+4798888888' },
      },
    });

    expect(failingFields(result)).toEqual(
      expect.arrayContaining([
        'title',
        'processor.name',
        'scope.purpose',
        'scope.dataSubjectCategories.0',
        'securityMeasures',
        'contacts.controller.name',
      ]),
    );
  });

  it('in a signature', () => {
    const result = signatureRequestSchema.safeParse({
      signatory: { name: 'Kari', title: `Rådmann${RLO}` },
      place: 'Radøy\ud800',
      contentHash: `sha256:${'0'.repeat(64)}`,
    });

    expect(failingFields(result)).toEqual(['signatory.title', 'place']);
  });

  it('in a sub-processor request and a decision', () => {
    const request = subProcessorSchema.safeParse({
      name: 'Driftshuset AS',
      address: `Storgata 1${RLO}`,
      processingLocation: { city: 'Oslo\u0000', countryCode: 'NO' },
      activities: 'Drift',
      personalDataTypes: ['Navn'],
    });
    const decision = decisionRequestSchema.safeParse({
      decision: 'APPROVED',
      reason: `Godkjent${RLO}`,
      signatory: { name: 'Kari', title: 'Rådmann' },
    });

    expect(failingFields(request)).toEqual(['address', 'processingLocation.city']);
    expect(failingFields(decision)).toEqual(['reason']);
  });

  it('in an attestation and a breach report', () => {
    const attestation = attestationRequestSchema.safeParse({
      method: 'DELETE',
      completedOn: '2027-03-01',
      statement: `Alt er slettet${RLO}`,
      signatory: { name: 'Per', title: 'Direktør' },
    });
    const breach = breachReportRequestSchema.safeParse({
      becameAwareAt: '2026-11-22T08:30:00+01:00',
      nature: 'Feiladressert brev\u001b[2J',
      severity: 'LOW',
      dataSubjectCategories: ['Deltakere'],
      approximateDataSubjects: 1,
      personalDataCategories: ['Navn'],
      approximateRecords: 1,
      contactPoint: { name: 'Ola', email: 'ola@example.no', phone: '+4798888888' },
      likelyConsequences: 'Lav',
      measuresTaken: 'Sletting bekreftet',
    });

    expect(failingFields(attestation)).toEqual(['statement']);
    expect(failingFields(breach)).toEqual(['nature']);
  });
});

describe('the sub-processor id asked about at the processing gate', () => {
  it.each([
    ['a right-to-left override', '\u202eabc'],
    ['a NUL', 'abc\u0000'],
    ['a zero-width joiner', 'ab\u200dc'],
  ])('refuses %s, since the id is written to the audit log both parties read', (_what, id) => {
    expect(failingFields(processingAuthorizationQuerySchema.safeParse({ subProcessorId: id }))).toEqual([
      'subProcessorId',
    ]);
  });

  it('takes any visible id, issued or not (an unknown one is a definite no, not an error)', () => {
    expect(processingAuthorizationQuerySchema.parse({ subProcessorId: 'ukjent-id_42' })).toEqual({
      subProcessorId: 'ukjent-id_42',
    });
  });
});
