/**
 * The two fonts a document uses, both of the PDF standard 14 (no font file is embedded), with
 * `/WinAnsiEncoding`: one byte per character, Latin-1 from 0xA0 (so æ ø å Æ Ø Å are 0xE6 0xF8 0xE5
 * 0xC6 0xD8 0xC5) and the typographic characters of Windows-1252 in 0x80-0x9F.
 */
export type FontName = 'Helvetica' | 'Helvetica-Bold';

/** What a character outside WinAnsi becomes: `?`, so a reader sees that something was left out. */
export const REPLACEMENT_CODE = 0x3f;

/** WinAnsi 0x80-0x9F: the Unicode characters Windows-1252 puts there (PDF 1.7, Annex D). */
const WIN_ANSI_HIGH: Readonly<Record<number, number>> = {
  8364: 0x80,
  8218: 0x82,
  402: 0x83,
  8222: 0x84,
  8230: 0x85,
  8224: 0x86,
  8225: 0x87,
  710: 0x88,
  8240: 0x89,
  352: 0x8a,
  8249: 0x8b,
  338: 0x8c,
  381: 0x8e,
  8216: 0x91,
  8217: 0x92,
  8220: 0x93,
  8221: 0x94,
  8226: 0x95,
  8211: 0x96,
  8212: 0x97,
  732: 0x98,
  8482: 0x99,
  353: 0x9a,
  8250: 0x9b,
  339: 0x9c,
  382: 0x9e,
  376: 0x9f,
};

/** The WinAnsi code of one character (a code point), or `REPLACEMENT_CODE` when WinAnsi has none. */
export function winAnsiCode(codePoint: number): number {
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return WIN_ANSI_HIGH[codePoint] ?? REPLACEMENT_CODE;
}

/**
 * The text as WinAnsi bytes, one per character (by code point, after NFC composition so that an `å`
 * written as `a` and a combining ring is still 0xE5). Control characters are not text: `?` too.
 */
export function encodeWinAnsi(text: string): Uint8Array {
  const codes: number[] = [];
  for (const char of text.normalize('NFC')) codes.push(winAnsiCode(char.codePointAt(0)!));
  return Uint8Array.from(codes);
}

/**
 * Advance widths in 1/1000 of the font size of the WinAnsi codes 0x20-0xFF, from Adobe's Core14 AFM
 * files (Helvetica.afm and Helvetica-Bold.afm, AFM 4.1), as the PDF viewer uses them (no kerning
 * is applied to a shown string). 0 marks the five codes WinAnsi leaves unassigned; 0xA0 is the
 * no-break space (the width of `space`) and 0xAD the soft hyphen (the width of `hyphen`).
 */
// biome-ignore format: one row per 16 codes
const HELVETICA: readonly number[] = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 0x70
  556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
  0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 0x90
  278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
  400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
  667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
  722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
  556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
  556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];

// biome-ignore format: one row per 16 codes
const HELVETICA_BOLD: readonly number[] = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 0x70
  556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
  0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 0x90
  278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
  400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
  722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
  722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
  556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
  611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];

const WIDTHS: Readonly<Record<FontName, readonly number[]>> = {
  Helvetica: HELVETICA,
  'Helvetica-Bold': HELVETICA_BOLD,
};

/** The advance width of one WinAnsi code, in 1/1000 of the font size. */
export function glyphWidth(font: FontName, code: number): number {
  return WIDTHS[font][code - 0x20] ?? WIDTHS[font][REPLACEMENT_CODE - 0x20]!;
}

/** The width of the text as it is shown (after the WinAnsi mapping), in 1/1000 of the font size. */
export function textUnits(text: string, font: FontName): number {
  let units = 0;
  for (const code of encodeWinAnsi(text)) units += glyphWidth(font, code);
  return units;
}

/** The width of the text in points at this font size. */
export function textWidth(text: string, font: FontName, size: number): number {
  return (textUnits(text, font) * size) / 1000;
}
