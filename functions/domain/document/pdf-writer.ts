import { createHash } from 'node:crypto';
import { encodeWinAnsi, type FontName } from './font-metrics.ts';

/**
 * A small PDF 1.7 writer (ISO 32000-1) for text documents: pages of text in the standard fonts
 * Helvetica and Helvetica-Bold (WinAnsi, see font-metrics.ts) and straight lines. It knows nothing of
 * agreements; text-layout.ts places text on its pages.
 *
 * The same input always gives the same bytes: nothing is taken from a clock or a random source, the
 * creation date and the document id are the caller's, numbers are written with fixed precision, and the
 * content streams are not compressed (deflate output may change with the zlib a runtime ships, and a
 * text page is a few kilobytes anyway). Apart from the marker comment of line 2, every byte is 7-bit
 * ASCII: the WinAnsi bytes of the text are written as octal escapes, and the information dictionary's
 * strings as UTF-16BE hex strings, so an offset counted in characters is a byte offset.
 */

/** A4 in points (1/72 inch): 210 x 297 mm. */
export const A4 = { width: 595.28, height: 841.89 } as const;

export interface TextItem {
  kind: 'text';
  /** The left end of the baseline, in points from the page's lower left corner. */
  x: number;
  y: number;
  font: FontName;
  size: number;
  text: string;
}

export interface LineItem {
  kind: 'line';
  from: { x: number; y: number };
  to: { x: number; y: number };
  /** Stroke width in points. */
  width: number;
}

export type PageItem = TextItem | LineItem;

export interface PdfPage {
  items: readonly PageItem[];
}

export interface PdfMetadata {
  title?: string;
  subject?: string;
  author?: string;
  keywords?: string;
  creator?: string;
  producer?: string;
  /** Written as the information dictionary's `CreationDate` (UTC). */
  creationDate: Date;
  /** The document's natural language, e.g. `nb-NO` (the catalog's `/Lang`). */
  language?: string;
}

export interface PdfInput {
  pages: readonly PdfPage[];
  metadata: PdfMetadata;
  /**
   * The first, permanent part of the file identifier (the trailer's `/ID`): what identifies the
   * document across renderings. The second part is derived from the file's own bytes, so that two
   * different files never share both.
   */
  permanentId: Uint8Array;
}

const FONT_RESOURCE: Record<FontName, string> = { Helvetica: 'F1', 'Helvetica-Bold': 'F2' };

/** Writes the document as a complete PDF file. */
export function writePdf(input: PdfInput): Uint8Array {
  if (input.pages.length === 0) throw new Error('A PDF needs at least one page');
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);
  const reserve = (): number => objects.push('');

  const catalog = reserve();
  const pages = reserve();
  const regular = add(fontObject('Helvetica'));
  const bold = add(fontObject('Helvetica-Bold'));
  const info = add(infoDictionary(input.metadata));
  const pageRefs: number[] = [];
  for (const page of input.pages) {
    const content = add(streamObject(contentStream(page)));
    pageRefs.push(
      add(
        `<< /Type /Page /Parent ${pages} 0 R /Resources << /Font << /F1 ${regular} 0 R /F2 ${bold} 0 R >> >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] =
    `<< /Type /Catalog /Pages ${pages} 0 R${input.metadata.language ? ` /Lang ${literalString(input.metadata.language)}` : ''} >>`;
  objects[pages - 1] =
    `<< /Type /Pages /Kids [${pageRefs.map((ref) => `${ref} 0 R`).join(' ')}] /Count ${pageRefs.length} /MediaBox [0 0 ${num(A4.width)} ${num(A4.height)}] >>`;

  // The comment of bytes over 127 marks the file as binary for transfer tools, as the standard advises.
  let file = '%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(file.length);
    file += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefOffset = file.length;
  file += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) file += `${String(offset).padStart(10, '0')} 00000 n \n`;
  const ownId = createHash('sha256').update(file, 'latin1').digest().subarray(0, 16);
  file +=
    `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R ` +
    `/ID [<${hex(input.permanentId)}> <${hex(ownId)}>] >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  // Latin-1: one byte per character (the marker's four are each under 256), so offsets hold.
  return new Uint8Array(Buffer.from(file, 'latin1'));
}

function fontObject(font: FontName): string {
  return `<< /Type /Font /Subtype /Type1 /BaseFont /${font} /Encoding /WinAnsiEncoding >>`;
}

function streamObject(content: string): string {
  return `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
}

function contentStream(page: PdfPage): string {
  const operations: string[] = [];
  for (const item of page.items) {
    if (item.kind === 'text') {
      operations.push(
        `BT /${FONT_RESOURCE[item.font]} ${num(item.size)} Tf ${num(item.x)} ${num(item.y)} Td ${winAnsiString(item.text)} Tj ET`,
      );
    } else {
      operations.push(
        `${num(item.width)} w ${num(item.from.x)} ${num(item.from.y)} m ${num(item.to.x)} ${num(item.to.y)} l S`,
      );
    }
  }
  return operations.join('\n');
}

function infoDictionary(metadata: PdfMetadata): string {
  const entries: [string, string | undefined][] = [
    ['Title', metadata.title],
    ['Subject', metadata.subject],
    ['Author', metadata.author],
    ['Keywords', metadata.keywords],
    ['Creator', metadata.creator],
    ['Producer', metadata.producer],
  ];
  const text = entries
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `/${key} ${textString(value)}`);
  return `<< ${[...text, `/CreationDate ${literalString(pdfDate(metadata.creationDate))}`].join(' ')} >>`;
}

/** A PDF date in UTC: `D:YYYYMMDDHHmmSSZ00'00'`. */
export function pdfDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('The creation date is not a valid date');
  const digits = date.toISOString().slice(0, 19).replace(/[-T:]/g, '');
  return `D:${digits}Z00'00'`;
}

/** A shown string: WinAnsi bytes, printable ASCII as it is (escaped where the syntax needs it), the rest in octal. */
function winAnsiString(text: string): string {
  let out = '(';
  for (const byte of encodeWinAnsi(text)) {
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out})`;
}

/** An ASCII literal string (names of languages, dates). */
function literalString(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`Not a printable ASCII string: ${text}`);
  return `(${text.replace(/[\\()]/g, (char) => `\\${char}`)})`;
}

/** A text string of the information dictionary: UTF-16BE with its byte order mark, as hex (any Unicode). */
function textString(text: string): string {
  let out = 'FEFF';
  for (let index = 0; index < text.length; index++) {
    out += text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0');
  }
  return `<${out}>`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** A number with at most two decimals, without trailing zeros, never `-0` or an exponent. */
function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Not a finite number: ${value}`);
  const rounded = Math.round(value * 100) / 100;
  if (Math.abs(rounded) >= 1e9) throw new Error(`Number out of range for a page: ${value}`);
  return (Object.is(rounded, -0) ? 0 : rounded).toFixed(2).replace(/\.?0+$/, '');
}
