import { describe, expect, it } from 'vitest';
import { type PdfInput, pdfDate, writePdf } from '../../../functions/domain/document/pdf-writer.ts';
import { pagesOf, poppler } from '../../support/pdf-text.ts';

const PERMANENT_ID = Uint8Array.from({ length: 16 }, (_, index) => index * 17);

function input(overrides: Partial<PdfInput> = {}): PdfInput {
  return {
    pages: [
      {
        items: [
          { kind: 'text', x: 60, y: 780, font: 'Helvetica-Bold', size: 14, text: 'Blåbærsyltetøy' },
          { kind: 'text', x: 60, y: 760, font: 'Helvetica', size: 10, text: 'ÆØÅ æøå (parentes) \\ omvendt' },
          { kind: 'line', from: { x: 60, y: 750 }, to: { x: 300, y: 750 }, width: 0.5 },
        ],
      },
      { items: [{ kind: 'text', x: 60, y: 780, font: 'Helvetica', size: 10, text: 'Side to' }] },
    ],
    metadata: {
      title: 'Tittel med ø og 🙂',
      creationDate: new Date('2026-11-20T12:34:56.789Z'),
      language: 'nb-NO',
    },
    permanentId: PERMANENT_ID,
    ...overrides,
  };
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('writePdf', () => {
  it('points every cross-reference entry at its object and startxref at the table', () => {
    const file = latin1(writePdf(input()));

    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(file)?.[1]);
    expect(file.slice(startxref, startxref + 5)).toBe('xref\n');
    const table = /^xref\n0 (\d+)\n((?:\d{10} \d{5} [fn] \n)+)/.exec(file.slice(startxref));
    expect(table).not.toBeNull();
    const count = Number(table![1]);
    const entries = table![2]!.match(/.{20}/gs)!;
    expect(entries).toHaveLength(count);
    expect(entries[0]).toBe('0000000000 65535 f \n');
    entries.slice(1).forEach((entry, index) => {
      const offset = Number(entry.slice(0, 10));
      expect(file.slice(offset, offset + `${index + 1} 0 obj\n`.length)).toBe(`${index + 1} 0 obj\n`);
    });
    expect(file).toMatch(new RegExp(`trailer\\n<< /Size ${count} /Root 1 0 R /Info \\d+ 0 R /ID \\[<`));
  });

  it('is read by poppler without a single complaint, A4, as many pages as given', () => {
    const { stdout, stderr } = poppler('pdfinfo', writePdf(input()));
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Pages:\s+2$/m);
    expect(stdout).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
    expect(stdout).toMatch(/^PDF version:\s+1\.7$/m);
  });

  it('shows real text: æ ø å Æ Ø Å, parentheses and backslashes extract as written', () => {
    const pages = pagesOf(writePdf(input()));
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('Blåbærsyltetøy');
    expect(pages[0]).toContain('ÆØÅ æøå (parentes) \\ omvendt');
    expect(pages[1]).toContain('Side to');
  });

  it('writes the text in WinAnsi with the standard fonts, the bytes over 127 as octal escapes', () => {
    const file = latin1(writePdf(input()));
    expect(file).toContain('/BaseFont /Helvetica /Encoding /WinAnsiEncoding');
    expect(file).toContain('/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding');
    expect(file).toContain('(Bl\\345b\\346rsyltet\\370y) Tj');
    expect(file).toContain('(\\306\\330\\305 \\346\\370\\345 \\(parentes\\) \\\\ omvendt) Tj');
    // After the binary marker of line 2, every byte is ASCII.
    const rest = Buffer.from(file.split('\n').slice(2).join('\n'), 'latin1');
    expect(rest.filter((byte) => byte > 0x7e || (byte < 0x20 && byte !== 0x0a))).toHaveLength(0);
  });

  it('writes the metadata: any Unicode title, the creation date given, the language', () => {
    const bytes = writePdf(input());
    const { stdout } = poppler('pdfinfo', bytes, ['-isodates']);
    expect(stdout).toMatch(/^Title:\s+Tittel med ø og 🙂$/m);
    expect(stdout).toMatch(/^CreationDate:\s+2026-11-20T12:34:56Z$/m);
    expect(latin1(bytes)).toContain("/CreationDate (D:20261120123456Z00'00')");
    expect(latin1(bytes)).toContain('/Lang (nb-NO)');
  });

  it('takes the first part of /ID as given and derives the second from the file', () => {
    const file = latin1(writePdf(input()));
    const [, first, second] = /\/ID \[<([0-9A-F]+)> <([0-9A-F]+)>\]/.exec(file)!;
    expect(first).toBe(Buffer.from(PERMANENT_ID).toString('hex').toUpperCase());
    const otherText = input();
    otherText.pages = [
      { items: [{ kind: 'text', x: 60, y: 780, font: 'Helvetica', size: 10, text: 'Annen' }] },
    ];
    const [, otherFirst, otherSecond] = /\/ID \[<([0-9A-F]+)> <([0-9A-F]+)>\]/.exec(
      latin1(writePdf(otherText)),
    )!;
    expect(otherFirst).toBe(first);
    expect(otherSecond).not.toBe(second);
  });

  it('writes the same bytes for the same input, and other bytes for another creation date', () => {
    const once = writePdf(input());
    expect(Buffer.from(writePdf(input())).equals(Buffer.from(once))).toBe(true);
    const later = writePdf(
      input({ metadata: { ...input().metadata, creationDate: new Date('2026-11-21T00:00:00Z') } }),
    );
    expect(Buffer.from(later).equals(Buffer.from(once))).toBe(false);
  });

  it('refuses a document without pages', () => {
    expect(() => writePdf(input({ pages: [] }))).toThrow(/at least one page/);
  });
});

describe('pdfDate', () => {
  it('is the instant in UTC, to the second', () => {
    expect(pdfDate(new Date('2027-01-02T03:04:05.999Z'))).toBe("D:20270102030405Z00'00'");
  });
});
