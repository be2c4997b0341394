import { type FontName, textUnits } from './font-metrics.ts';
import { A4, type PageItem, type PdfPage } from './pdf-writer.ts';

/**
 * Flows blocks of text (headings, paragraphs, lists, label-value fields, lines to sign on) onto pages:
 * each line wrapped to the width it is given with the fonts' real glyph widths, a new page when one is
 * full, a heading never left alone at the foot of a page, and a footer on every page that knows the
 * page count. Left-aligned, no hyphenation. Generic: nothing here is about agreements.
 */

export interface PageFrame {
  width: number;
  height: number;
  margins: { top: number; right: number; bottom: number; left: number };
}

/** A4 with 2 cm side margins and room for the footer below the text. */
export const A4_FRAME: PageFrame = {
  width: A4.width,
  height: A4.height,
  margins: { top: 62, right: 56.7, bottom: 72, left: 56.7 },
};

/** What flows as lines: everything but the page break and the group kept together. */
export type LineBlock =
  | { kind: 'heading'; text: string; level: 1 | 2 | 3 }
  | { kind: 'paragraph'; text: string; bold?: boolean; size?: number }
  /** Items with their markers (`•`, `a)`), the text hanging after the marker. */
  | { kind: 'list'; items: readonly { marker: string; text: string }[] }
  /** Label in bold, value beside it (wrapped in its column); `size` for a long value such as a hash. */
  | { kind: 'fields'; rows: readonly { label: string; value: string; size?: number }[]; labelWidth?: number }
  /** A line to sign on, with its label before it. */
  | { kind: 'signatureLine'; label: string }
  | { kind: 'space'; points: number };

export type Block =
  | LineBlock
  | { kind: 'pageBreak' }
  /** Blocks kept on one page (moved to the next when they do not fit, unless they fill more than a page). */
  | { kind: 'keepTogether'; blocks: readonly LineBlock[] };

export interface LayoutOptions {
  frame?: PageFrame;
  /** The size of body text in points (headings are larger). */
  bodySize?: number;
  /** The footer of page `page` (1-based) of `pages`, fitted to the width (smaller, or wrapped). */
  footer?: (page: number, pages: number) => string;
}

const LEADING = 1.35;
/** The width of the label column of fields and lines to sign on. */
const LABEL_WIDTH = 125;
const FOOTER_SIZES = [8, 7.5, 7, 6.5, 6, 5.5, 5] as const;
const HEADING_SIZE = { 1: 16, 2: 12.5, 3: 10.5 } as const;

/** One line of a page: its height, the space above it, and what it draws (x absolute, y from its baseline). */
interface Row {
  height: number;
  spaceBefore: number;
  items: Placed[];
  /** The text of this many rows after it moves to the next page with it (for headings). */
  keepWithNext?: number;
}

type Placed =
  | { kind: 'text'; x: number; font: FontName; size: number; text: string }
  | { kind: 'line'; x1: number; x2: number; rise: number; width: number };

/** A run of rows paginated as one: `together` rows move to the next page as a whole. */
interface Unit {
  rows: Row[];
  together: boolean;
}

/** Lays the blocks out on pages, with the footer on each. */
export function layOut(blocks: readonly Block[], options: LayoutOptions = {}): PdfPage[] {
  const frame = options.frame ?? A4_FRAME;
  const bodySize = options.bodySize ?? 10;
  const units: (Unit | 'pageBreak')[] = [];
  for (const block of blocks) {
    if (block.kind === 'pageBreak') units.push('pageBreak');
    else if (block.kind === 'keepTogether') {
      units.push({ rows: block.blocks.flatMap((inner) => rowsOf(inner, frame, bodySize)), together: true });
    } else units.push({ rows: rowsOf(block, frame, bodySize), together: false });
  }
  const bodies = paginate(units, frame);
  return bodies.map((items, index) => ({
    items: [...items, ...footerItems(options.footer?.(index + 1, bodies.length), frame)],
  }));
}

function paginate(units: readonly (Unit | 'pageBreak')[], frame: PageFrame): PageItem[][] {
  const top = frame.height - frame.margins.top;
  const bottom = frame.margins.bottom;
  const pages: PageItem[][] = [[]];
  let cursor = top;
  const newPage = () => {
    pages.push([]);
    cursor = top;
  };
  const onEmptyPage = () => cursor === top;
  const heightOf = (rows: readonly Row[]) =>
    rows.reduce((sum, row, index) => sum + row.height + (index === 0 ? 0 : row.spaceBefore), 0);
  const fits = (rows: readonly Row[]) =>
    rows.length === 0 || cursor - (onEmptyPage() ? 0 : rows[0]!.spaceBefore) - heightOf(rows) >= bottom;

  // Every row in order, so a heading can look at the rows that follow it (in its unit or the next).
  const allRows = units.flatMap((unit) => (unit === 'pageBreak' ? [] : unit.rows));
  let position = 0;
  for (const unit of units) {
    if (unit === 'pageBreak') {
      if (!onEmptyPage()) newPage();
      continue;
    }
    if (unit.together && !fits(unit.rows) && !onEmptyPage() && heightOf(unit.rows) <= top - bottom) {
      newPage();
    }
    for (const row of unit.rows) {
      const following = allRows.slice(position + 1, position + 1 + (row.keepWithNext ?? 0));
      if (!fits([row, ...following]) && !onEmptyPage()) newPage();
      if (!onEmptyPage()) cursor -= row.spaceBefore;
      const baseline = cursor - row.height / LEADING;
      pages[pages.length - 1]!.push(...row.items.map((item) => toPageItem(item, baseline)));
      cursor -= row.height;
      position++;
    }
  }
  return pages;
}

function toPageItem(item: Placed, baseline: number): PageItem {
  if (item.kind === 'text') {
    return { kind: 'text', x: item.x, y: baseline, font: item.font, size: item.size, text: item.text };
  }
  return {
    kind: 'line',
    from: { x: item.x1, y: baseline + item.rise },
    to: { x: item.x2, y: baseline + item.rise },
    width: item.width,
  };
}

function rowsOf(block: LineBlock, frame: PageFrame, bodySize: number): Row[] {
  const left = frame.margins.left;
  const width = frame.width - frame.margins.left - frame.margins.right;
  switch (block.kind) {
    case 'heading': {
      const size = HEADING_SIZE[block.level];
      const lines = wrapText(block.text, 'Helvetica-Bold', size, width);
      return lines.map((line, index) => ({
        height: size * LEADING,
        spaceBefore: index === 0 ? size * (block.level === 1 ? 0.6 : 1.1) : 0,
        items: [{ kind: 'text', x: left, font: 'Helvetica-Bold', size, text: line }],
        // The heading's last line takes the first two lines of what follows with it.
        ...(index === lines.length - 1 ? { keepWithNext: 2 } : {}),
      }));
    }
    case 'paragraph': {
      const size = block.size ?? bodySize;
      const font: FontName = block.bold ? 'Helvetica-Bold' : 'Helvetica';
      const lines = paragraphLines(block.text);
      // A blank line starts a new paragraph (space above it); a line break alone does not.
      const startsParagraph = (lineIndex: number) => lineIndex === 0 || lines[lineIndex - 1] === '';
      return lines.flatMap((line, lineIndex) =>
        line === ''
          ? []
          : wrapText(line, font, size, width).map((wrapped, index) => ({
              height: size * LEADING,
              spaceBefore: index === 0 && startsParagraph(lineIndex) ? size * 0.6 : 0,
              items: [{ kind: 'text' as const, x: left, font, size, text: wrapped }],
            })),
      );
    }
    case 'list': {
      const indent = bodySize * 1.2;
      const markerWidth = Math.max(
        bodySize * 1.6,
        ...block.items.map(
          (item) => (textUnits(item.marker, 'Helvetica') * bodySize) / 1000 + bodySize * 0.6,
        ),
      );
      return block.items.flatMap((item, itemIndex) =>
        wrapText(item.text, 'Helvetica', bodySize, width - indent - markerWidth).map((line, index) => ({
          height: bodySize * LEADING,
          spaceBefore: index > 0 ? 0 : itemIndex === 0 ? bodySize * 0.5 : bodySize * 0.2,
          items: [
            ...(index === 0
              ? [
                  {
                    kind: 'text' as const,
                    x: left + indent,
                    font: 'Helvetica' as const,
                    size: bodySize,
                    text: item.marker,
                  },
                ]
              : []),
            {
              kind: 'text' as const,
              x: left + indent + markerWidth,
              font: 'Helvetica' as const,
              size: bodySize,
              text: line,
            },
          ],
        })),
      );
    }
    case 'fields': {
      const labelWidth = block.labelWidth ?? LABEL_WIDTH;
      return block.rows.flatMap((field, fieldIndex) => {
        const size = field.size ?? bodySize;
        const labels = wrapText(field.label, 'Helvetica-Bold', bodySize, labelWidth - bodySize * 0.5);
        const values = paragraphLines(field.value).flatMap((line) =>
          wrapText(line, 'Helvetica', size, width - labelWidth),
        );
        const count = Math.max(labels.length, values.length);
        return Array.from({ length: count }, (_, index) => ({
          height: Math.max(bodySize, size) * LEADING,
          spaceBefore: index === 0 && fieldIndex === 0 ? bodySize * 0.5 : 0,
          items: [
            ...(labels[index] === undefined
              ? []
              : [
                  {
                    kind: 'text' as const,
                    x: left,
                    font: 'Helvetica-Bold' as const,
                    size: bodySize,
                    text: labels[index],
                  },
                ]),
            ...(values[index] === undefined || values[index] === ''
              ? []
              : [
                  {
                    kind: 'text' as const,
                    x: left + labelWidth,
                    font: 'Helvetica' as const,
                    size,
                    text: values[index],
                  },
                ]),
          ],
        }));
      });
    }
    case 'signatureLine': {
      const labelWidth = LABEL_WIDTH;
      return [
        {
          height: bodySize * LEADING * 2.2,
          spaceBefore: bodySize * 0.5,
          items: [
            { kind: 'text', x: left, font: 'Helvetica-Bold', size: bodySize, text: block.label },
            {
              kind: 'line',
              x1: left + labelWidth,
              x2: left + Math.min(width, labelWidth + 250),
              rise: -2,
              width: 0.6,
            },
          ],
        },
      ];
    }
    case 'space':
      return [{ height: 0, spaceBefore: block.points, items: [] }];
  }
}

/** The text's lines as written (a blank line separates paragraphs; tabs are spaces). */
function paragraphLines(text: string): string[] {
  return text.replace(/\t/g, ' ').split('\n');
}

/**
 * Breaks the text into lines no wider than `maxWidth` points in this font and size: between words
 * where it can, inside a word only when the word alone is wider (such as a long hash). Runs of spaces
 * count as one.
 */
export function wrapText(text: string, font: FontName, size: number, maxWidth: number): string[] {
  const maxUnits = (maxWidth * 1000) / size + 1e-6;
  const fits = (candidate: string) => textUnits(candidate, font) <= maxUnits;
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ').filter((part) => part !== '')) {
    const joined = current === '' ? word : `${current} ${word}`;
    if (fits(joined)) {
      current = joined;
      continue;
    }
    if (current !== '') lines.push(current);
    current = '';
    let rest = word;
    while (!fits(rest)) {
      const chars = [...rest];
      let take = 1;
      while (take < chars.length && fits(chars.slice(0, take + 1).join(''))) take++;
      lines.push(chars.slice(0, take).join(''));
      rest = chars.slice(take).join('');
    }
    current = rest;
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}

/**
 * The footer at the largest size (8 pt down to 5 pt) at which it fits on one line; at 5 pt wrapped
 * when it does not fit even then. Above it, a thin rule across the text width.
 */
function footerItems(text: string | undefined, frame: PageFrame): PageItem[] {
  if (text === undefined) return [];
  const left = frame.margins.left;
  const width = frame.width - frame.margins.left - frame.margins.right;
  const size = FOOTER_SIZES.find((candidate) => (textUnits(text, 'Helvetica') * candidate) / 1000 <= width);
  const lines = size ? [text] : wrapText(text, 'Helvetica', FOOTER_SIZES.at(-1)!, width);
  const fontSize = size ?? FOOTER_SIZES.at(-1)!;
  const ruleY = frame.margins.bottom - 22;
  return [
    { kind: 'line', from: { x: left, y: ruleY }, to: { x: left + width, y: ruleY }, width: 0.4 },
    ...lines.map((line, index) => ({
      kind: 'text' as const,
      x: left,
      y: ruleY - 11 - index * fontSize * 1.25,
      font: 'Helvetica' as const,
      size: fontSize,
      text: line,
    })),
  ];
}
