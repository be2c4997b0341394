import { describe, expect, it } from 'vitest';
import { lineText, proseText } from '../../../functions/domain/text.ts';

/**
 * Issue 7, defect 6: a refused text says why, in the 400 problem's `errors` (the caller must be able
 * to find the invisible character it sent).
 */
const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((issue) => issue.message);

describe('why a free text is refused', () => {
  it('a line break in a one-line text', () => {
    expect(messagesOf(lineText(200).safeParse('Kari\nNordmann'))).toEqual([
      'must not contain control characters or line breaks',
    ]);
  });

  it('a control character other than tab and newline in prose', () => {
    expect(messagesOf(proseText(2000).safeParse('Slettet\u0007 alle kopier'))).toEqual([
      'must not contain control characters other than tab and newline',
    ]);
  });

  it('a bidirectional override', () => {
    expect(messagesOf(proseText(2000).safeParse('Slettet \u202egnilsel'))).toEqual([
      'must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)',
    ]);
  });

  it('an unpaired surrogate, and nothing else: such a text cannot be normalised or read further', () => {
    expect(messagesOf(lineText(200).safeParse('Kari\ud800\u202e\u0000'))).toEqual([
      'must not contain unpaired surrogates',
    ]);
  });
});
