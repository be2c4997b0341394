import { describe, expect, it } from 'vitest';
import { canonicalDataType, dataTypeIssues } from '../../../functions/domain/sub-processor-rules.ts';

/**
 * Rule 7 and Vedlegg 1: a sub-processor receives only data types the agreement covers, compared
 * without regard to case or spacing; the agreement's own spelling is the one recorded.
 */
describe('the data types a sub-processor may receive', () => {
  const scope = {
    personalDataTypes: ['Navn', 'Kontaktinformasjon (e-post og telefon)'],
    specialCategories: ['Helseopplysninger'],
  };

  it('match the agreement’s whatever the spacing between the words', () => {
    expect(dataTypeIssues(['Kontaktinformasjon  (e-post   og telefon)'], scope)).toEqual([]);
    expect(canonicalDataType(scope, 'kontaktinformasjon\t(e-post og\ntelefon)')).toBe(
      'Kontaktinformasjon (e-post og telefon)',
    );
  });

  it('are spelled as the agreement first lists them when it lists one twice', () => {
    const twice = {
      personalDataTypes: ['Helseopplysninger', 'Navn'],
      specialCategories: ['HELSEOPPLYSNINGER'],
    };

    expect(canonicalDataType(twice, 'helseopplysninger')).toBe('Helseopplysninger');
  });
});
