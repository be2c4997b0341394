import { isAssignedCountryCode, transferMechanismProblem } from './eea.ts';
import type { Agreement, SubProcessorRequest } from './schemas.ts';

/**
 * Rule 7: what a sub-processor's description must satisfy, whether it is listed in the draft (approved
 * by the two signatures) or requested later. Pure and free of zod, so that the agreement's schema can
 * apply the same rules to the draft's list without an import cycle.
 */
export interface ContentIssue {
  /** Relative to the sub-processor, e.g. `['processingLocation', 'countryCode']`. */
  path: (string | number)[];
  message: string;
}

type Content = Pick<
  SubProcessorRequest,
  'orgNumber' | 'processingLocation' | 'personalDataTypes' | 'transferMechanism'
>;
type AgreementContext = Pick<Agreement, 'scope' | 'controller' | 'processor'>;

/** An assigned ISO country code, and outside the EEA a transfer mechanism (clause 9; GDPR chapter V). */
export function locationIssues(content: Pick<Content, 'processingLocation' | 'transferMechanism'>) {
  const { countryCode } = content.processingLocation;
  if (!isAssignedCountryCode(countryCode)) {
    return [
      {
        path: ['processingLocation', 'countryCode'],
        message: `${countryCode} is not an assigned ISO 3166-1 alpha-2 country code (the United Kingdom is GB, Greece is GR)`,
      },
    ];
  }
  const problem = transferMechanismProblem(countryCode, content.transferMechanism);
  return problem ? [{ path: ['transferMechanism'], message: `is required: ${problem}` }] : [];
}

const normalised = (dataType: string) => dataType.trim().replace(/\s+/g, ' ').toLocaleLowerCase('nb');

/**
 * The data types the agreement covers (Vedlegg 1): its personal data types and its special categories,
 * which are personal data too and are exactly what a controller must see a sub-processor receive.
 * Compared without regard to case; the agreement's own spelling is the canonical one.
 */
export function agreementDataTypes(
  scope: Pick<Agreement['scope'], 'personalDataTypes' | 'specialCategories'>,
) {
  const types = new Map<string, string>();
  for (const type of [...scope.personalDataTypes, ...scope.specialCategories]) {
    if (!types.has(normalised(type))) types.set(normalised(type), type);
  }
  return types;
}

/** The agreement's spelling of a data type, or undefined when the agreement does not cover it. */
export function canonicalDataType(
  scope: Pick<Agreement['scope'], 'personalDataTypes' | 'specialCategories'>,
  dataType: string,
): string | undefined {
  return agreementDataTypes(scope).get(normalised(dataType));
}

export function dataTypeIssues(
  requested: readonly string[],
  scope: Pick<Agreement['scope'], 'personalDataTypes' | 'specialCategories'>,
): ContentIssue[] {
  const covered = agreementDataTypes(scope);
  const list = [...covered.values()].join(', ');
  return requested.flatMap((type, index) =>
    covered.has(normalised(type))
      ? []
      : [
          {
            path: ['personalDataTypes', index],
            message: `"${type}" is not among the personal data types of the agreement (${list})`,
          },
        ],
  );
}

/** A sub-processor is a third organisation: neither the processor itself nor the controller. */
export function partyIssues(
  content: Pick<Content, 'orgNumber'>,
  parties: Pick<Agreement, 'controller' | 'processor'>,
): ContentIssue[] {
  // Stryker disable next-line ConditionalExpression: equivalent, an absent number equals neither party's below
  if (content.orgNumber === undefined) return [];
  if (content.orgNumber === parties.processor.orgNumber) {
    return [
      { path: ['orgNumber'], message: "is the processor's own organisation: a sub-processor is another one" },
    ];
  }
  if (content.orgNumber === parties.controller.orgNumber) {
    return [
      { path: ['orgNumber'], message: "is the controller's organisation, which cannot be a sub-processor" },
    ];
  }
  return [];
}

/** Every rule at once, so a caller learns all that is wrong in one answer. */
export function subProcessorContentIssues(content: Content, agreement: AgreementContext): ContentIssue[] {
  return [
    ...partyIssues(content, agreement),
    ...locationIssues(content),
    ...dataTypeIssues(content.personalDataTypes, agreement.scope),
  ];
}
