import { describe, expect, it } from 'vitest';
import {
  encodeWinAnsi,
  glyphWidth,
  REPLACEMENT_CODE,
  textWidth,
  winAnsiCode,
} from '../../../functions/domain/document/font-metrics.ts';

const code = (char: string) => winAnsiCode(char.codePointAt(0)!);

describe('glyph widths (Adobe Core14 AFM)', () => {
  it.each([
    ['a', 556],
    ['i', 222],
    ['W', 944],
    [' ', 278],
    ['æ', 889],
    ['ø', 611],
    ['å', 556],
    ['Æ', 1000],
    ['Ø', 778],
    ['Å', 667],
    ['Ÿ', 667],
  ])('Helvetica %j is %i', (char, width) => {
    expect(glyphWidth('Helvetica', code(char))).toBe(width);
  });

  it.each([
    ['a', 556],
    ['i', 278],
    ['W', 944],
    [' ', 278],
    ['æ', 889],
    ['ø', 611],
    ['Å', 722],
  ])('Helvetica-Bold %j is %i', (char, width) => {
    expect(glyphWidth('Helvetica-Bold', code(char))).toBe(width);
  });

  it('measures a text in points at its size', () => {
    expect(textWidth('Wå', 'Helvetica', 10)).toBeCloseTo(15, 10);
    expect(textWidth('Wå', 'Helvetica-Bold', 12)).toBeCloseTo(((944 + 556) * 12) / 1000, 10);
  });
});

describe('WinAnsi encoding', () => {
  it('writes the Norwegian letters as their Latin-1 bytes', () => {
    expect([...encodeWinAnsi('æøåÆØÅ')]).toEqual([0xe6, 0xf8, 0xe5, 0xc6, 0xd8, 0xc5]);
  });

  it('composes a letter written with a combining mark first (å as a + ring)', () => {
    expect([...encodeWinAnsi('a\u030a')]).toEqual([0xe5]);
  });

  it('maps the Windows-1252 characters of 0x80-0x9F', () => {
    expect([...encodeWinAnsi('€–—“”•…')]).toEqual([0x80, 0x96, 0x97, 0x93, 0x94, 0x95, 0x85]);
  });

  it('makes every character outside WinAnsi one question mark', () => {
    expect([...encodeWinAnsi('ő→🙂\u0007\u0085')]).toEqual(Array(5).fill(REPLACEMENT_CODE));
    expect(String.fromCharCode(...encodeWinAnsi('Søknad ő 🙂'))).toBe('S\u00f8knad ? ?');
  });

  it('measures a replaced character as the question mark it is shown as', () => {
    expect(textWidth('🙂', 'Helvetica', 10)).toBe(textWidth('?', 'Helvetica', 10));
  });
});
