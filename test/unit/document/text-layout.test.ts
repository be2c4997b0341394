import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FontName, textWidth } from '../../../functions/domain/document/font-metrics.ts';
import type { PdfPage, TextItem } from '../../../functions/domain/document/pdf-writer.ts';
import { A4_FRAME, type Block, layOut, wrapText } from '../../../functions/domain/document/text-layout.ts';

const texts = (page: PdfPage) => page.items.filter((item): item is TextItem => item.kind === 'text');
const right = A4_FRAME.width - A4_FRAME.margins.right;
const words = fc.array(fc.stringMatching(/^[a-zA-ZæøåÆØÅ0-9.,:;«»()-]{1,40}$/), {
  minLength: 1,
  maxLength: 60,
});

describe('wrapText', () => {
  it('never makes a line wider than the width, whatever the words, font, size and width', () => {
    fc.assert(
      fc.property(
        words,
        fc.constantFrom<FontName>('Helvetica', 'Helvetica-Bold'),
        fc.double({ min: 5, max: 20, noNaN: true }),
        fc.double({ min: 30, max: 500, noNaN: true }),
        (parts, font, size, width) => {
          for (const line of wrapText(parts.join(' '), font, size, width)) {
            expect(textWidth(line, font, size)).toBeLessThanOrEqual(width + 1e-9);
          }
        },
      ),
    );
  });

  it('keeps every word, in order, breaking inside one only when it is wider than a line', () => {
    fc.assert(
      fc.property(words, fc.double({ min: 30, max: 500, noNaN: true }), (parts, width) => {
        const lines = wrapText(parts.join(' '), 'Helvetica', 10, width);
        expect(lines.join('').replace(/ /g, '')).toBe(parts.join(''));
        const unbroken = parts.every((part) => textWidth(part, 'Helvetica', 10) <= width);
        if (unbroken) expect(lines.join(' ')).toBe(parts.join(' '));
      }),
    );
  });

  it('fills a line as far as it goes before breaking', () => {
    // "aaaa bbbb" is 8 glyphs of 556 and a space of 278: at 10 pt, 44.48 + 2.78 = 47.26 pt.
    expect(wrapText('aaaa bbbb cccc', 'Helvetica', 10, 47.26)).toEqual(['aaaa bbbb', 'cccc']);
    expect(wrapText('aaaa bbbb cccc', 'Helvetica', 10, 47.25)).toEqual(['aaaa', 'bbbb cccc']);
  });

  it('breaks a word wider than the line (a long hash) inside it', () => {
    const hash = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const lines = wrapText(hash, 'Helvetica', 10, 100);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(hash);
  });
});

describe('layOut', () => {
  const longParagraph = (n: number): Block => ({
    kind: 'paragraph',
    text: `Avsnitt ${n}: ${'Databehandleren skal behandle personopplysninger på vegne av den behandlingsansvarlige. '.repeat(6)}`,
  });

  it('keeps every line of text inside the margins and flows onto new pages', () => {
    const blocks: Block[] = Array.from({ length: 30 }, (_, n) => longParagraph(n));
    const pages = layOut(blocks);
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) {
      for (const item of texts(page)) {
        expect(item.x).toBeGreaterThanOrEqual(A4_FRAME.margins.left);
        expect(item.x + textWidth(item.text, item.font, item.size)).toBeLessThanOrEqual(right + 1e-9);
        expect(item.y).toBeGreaterThan(0);
        expect(item.y).toBeLessThan(A4_FRAME.height - A4_FRAME.margins.top);
      }
    }
    const body = pages.flatMap((page) => texts(page).filter((item) => item.y > A4_FRAME.margins.bottom));
    expect(body.map((item) => item.text).join(' ')).toContain('Avsnitt 29:');
  });

  it('puts the footer of page i of n on every page', () => {
    const pages = layOut(
      Array.from({ length: 20 }, (_, n) => longParagraph(n)),
      {
        footer: (page, count) => `Side ${page} av ${count}`,
      },
    );
    pages.forEach((page, index) => {
      expect(texts(page).map((item) => item.text)).toContain(`Side ${index + 1} av ${pages.length}`);
    });
  });

  it('makes a footer too long for the line smaller, and wraps it when even the smallest size is too wide', () => {
    const hash = `sha512:${'9f'.repeat(64)}`;
    const fitted = layOut([longParagraph(1)], { footer: () => `Innholdshash: ${hash} · Side 1 av 1` });
    const footer = texts(fitted[0]!).filter((item) => item.y < A4_FRAME.margins.bottom);
    expect(footer).toHaveLength(1);
    expect(footer[0]!.size).toBeLessThan(8);
    expect(footer[0]!.x + textWidth(footer[0]!.text, 'Helvetica', footer[0]!.size)).toBeLessThanOrEqual(
      right + 1e-9,
    );

    const huge = `sha512:${'9f'.repeat(200)}`;
    const wrapped = texts(layOut([longParagraph(1)], { footer: () => `Innholdshash: ${huge}` })[0]!).filter(
      (item) => item.y < A4_FRAME.margins.bottom,
    );
    expect(wrapped.length).toBeGreaterThan(1);
    expect(
      wrapped
        .map((item) => item.text)
        .join('')
        .replace(/ /g, ''),
    ).toBe(`Innholdshash:${huge}`);
    for (const item of wrapped) {
      expect(item.x + textWidth(item.text, 'Helvetica', item.size)).toBeLessThanOrEqual(right + 1e-9);
      expect(item.y).toBeGreaterThan(0);
    }
  });

  it('never leaves a heading as the last line of a page', () => {
    for (let lines = 1; lines <= 60; lines++) {
      const blocks: Block[] = [
        { kind: 'paragraph', text: Array.from({ length: lines }, (_, n) => `Linje ${n}`).join('\n') },
        { kind: 'heading', level: 2, text: 'Overskrift' },
        longParagraph(1),
      ];
      const pages = layOut(blocks);
      for (const page of pages) {
        const last = texts(page).at(-1);
        expect(last?.text, `after ${lines} lines`).not.toBe('Overskrift');
      }
    }
  });

  it('moves blocks kept together to the next page whole, and starts a page at a page break', () => {
    const filler = {
      kind: 'paragraph',
      text: Array.from({ length: 50 }, (_, n) => `Linje ${n}`).join('\n'),
    } as const;
    const pages = layOut([
      filler,
      {
        kind: 'keepTogether',
        blocks: [
          { kind: 'heading', level: 3, text: 'Signaturblokk' },
          {
            kind: 'fields',
            rows: Array.from({ length: 8 }, (_, n) => ({ label: `Felt ${n}`, value: 'Verdi' })),
          },
        ],
      },
      { kind: 'pageBreak' },
      { kind: 'paragraph', text: 'Vedlegg' },
    ]);
    expect(pages).toHaveLength(3);
    const second = texts(pages[1]!).map((item) => item.text);
    expect(second[0]).toBe('Signaturblokk');
    expect(second).toContain('Felt 7');
    expect(texts(pages[2]!).map((item) => item.text)).toEqual(['Vedlegg']);
  });
});
