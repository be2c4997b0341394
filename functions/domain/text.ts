import * as z from './zod.ts';

/**
 * Free text in a legal record must show what it stores. Control characters, bidirectional overrides
 * and isolates, and unpaired surrogates let the text a reader sees differ from the text stored (and
 * signed), so every free-text field refuses them, naming the field. Text is stored in Unicode NFC, so
 * the same words are always the same code points.
 */

/** C0 and C1 controls and DEL (Unicode general category Cc); prose keeps tab and newline. */
const CONTROL_IN_LINE = /\p{Cc}/u;
const CONTROL_IN_PROSE = /(?![\t\n])\p{Cc}/u;
/** LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and LRI, RLI, FSI, PDI (U+2066-U+2069). */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

export const hasUnpairedSurrogate = (value: string) => !value.isWellFormed();

function checkedText(max: number, control: RegExp, controlMessage: string) {
  return z.string().check(
    z.refine((value) => !hasUnpairedSurrogate(value), {
      message: 'must not contain unpaired surrogates',
      abort: true,
    }),
    z.overwrite((value) => value.replace(/\r\n/g, '\n').normalize('NFC').trim()),
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => !control.test(value), { message: controlMessage }),
    z.refine((value) => !BIDI_CONTROL.test(value), {
      message: 'must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)',
    }),
  );
}

type TextSchema = ReturnType<typeof checkedText>;

/**
 * One schema per kind and maximum, made on first use: a string with six checks costs a fraction of a
 * millisecond to make, and some 25 fields share a handful of them. Sharing is safe: a zod schema is
 * immutable once made, and an issue's path comes from the parse, not from the schema.
 */
const lines = new Map<number, TextSchema>();
const proses = new Map<number, TextSchema>();

/** One line: a name, a title, a place. No control characters at all. */
export function lineText(max: number): TextSchema {
  let schema = lines.get(max);
  if (!schema) {
    schema = checkedText(max, CONTROL_IN_LINE, 'must not contain control characters or line breaks');
    lines.set(max, schema);
  }
  return schema;
}

/** Prose that may run over several lines: tab and newline are kept (CRLF becomes LF), no other control. */
export function proseText(max: number): TextSchema {
  let schema = proses.get(max);
  if (!schema) {
    schema = checkedText(
      max,
      CONTROL_IN_PROSE,
      'must not contain control characters other than tab and newline',
    );
    proses.set(max, schema);
  }
  return schema;
}
