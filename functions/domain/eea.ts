/**
 * Where processing may happen without a transfer mechanism (rule 7, clause 9 of the agreement; GDPR
 * chapter V): inside the EEA. Outside it, a sub-processor needs EU standard contractual clauses or an
 * adequacy decision.
 */

/** The 27 member states of the EU, by ISO 3166-1 alpha-2 code (Greece is GR, not the EU's own "EL"). */
export const EU_COUNTRY_CODES = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

/** The EEA states outside the EU (the EEA Agreement applies, and with it the GDPR). */
export const EFTA_EEA_COUNTRY_CODES = ['IS', 'LI', 'NO'] as const;

/**
 * Parts of EU member states with an ISO code of their own that are nonetheless EU territory, where the
 * GDPR applies as at home: Åland and the outermost regions (TFEU art. 349 and 355(1)). Not on this
 * list, so treated as third countries: Svalbard and Jan Mayen (SJ; the EEA Agreement does not apply
 * to Svalbard), Bouvet Island (BV), the Faroe Islands (FO), Greenland (GL) and the overseas countries
 * and territories.
 */
export const EU_TERRITORIES_WITH_OWN_CODES = ['AX', 'GF', 'GP', 'MF', 'MQ', 'RE', 'YT'] as const;

export const EEA_COUNTRY_CODES: ReadonlySet<string> = new Set([
  ...EU_COUNTRY_CODES,
  ...EFTA_EEA_COUNTRY_CODES,
  ...EU_TERRITORIES_WITH_OWN_CODES,
]);

/**
 * Every officially assigned ISO 3166-1 alpha-2 code (249), so a typo such as "UK" or "EL" is caught,
 * plus XK for Kosovo (user-assigned, but the code the EU and most registries use).
 */
export const ISO_COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV ' +
    'BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET ' +
    'FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM ' +
    'IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ' +
    'ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE ' +
    'PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST ' +
    'SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS ' +
    'YE YT ZA ZM ZW XK'
  ).split(' '),
);

export function isAssignedCountryCode(code: string): boolean {
  return ISO_COUNTRY_CODES.has(code);
}

export function isInEea(countryCode: string): boolean {
  return EEA_COUNTRY_CODES.has(countryCode);
}

export const TRANSFER_MECHANISMS = ['SCC', 'ADEQUACY'] as const;
export type TransferMechanism = (typeof TRANSFER_MECHANISMS)[number];

/** Why a location needs a transfer mechanism, in words a caller can act on. */
export function transferMechanismRequired(countryCode: string): string {
  return (
    `processing in ${countryCode} is outside the EEA and needs a transfer mechanism: ` +
    'EU standard contractual clauses (SCC) or an adequacy decision (ADEQUACY)'
  );
}

/** Rule 7 / clause 9: undefined when the location may be used as requested, else the reason it may not. */
export function transferMechanismProblem(
  countryCode: string,
  transferMechanism: TransferMechanism | undefined,
): string | undefined {
  if (isInEea(countryCode) || transferMechanism) return undefined;
  return transferMechanismRequired(countryCode);
}
