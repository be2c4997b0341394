import { isCalendarDate, osloWallTime } from '../calendar.ts';
import { ELEVEN_DIGITS } from '../identity-numbers.ts';
import { lazily } from '../lazily.ts';
import type { Agreement, Notification, PartyRole } from '../schemas.ts';

/**
 * The parts every e-mail template shares (rule 15, issue 11): what a template is given, the message it
 * returns, the reading of a notification's details, bokmål dates in Oslo time, and the rendering of a
 * message as plain text and as HTML. Plain functions, no template engine: the delivery bundle stays small.
 */

export interface EmailContext {
  notification: Notification;
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;
  recipientRole: PartyRole;
  /** The recipient party's contact person on the agreement when the e-mail is sent. */
  contact: { name: string; email: string };
  /** Where the API answers (e.g. https://api.example.no), to show the call to make. */
  apiBaseUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** From the API's root, with the real ids: `/agreements/<id>/signatures`. */
  path: string;
  /** An outline of the JSON body, when the call takes one. */
  body?: string;
}

export interface EmailAction {
  text: string;
  call?: ApiCall;
}

export interface EmailMessage {
  /** What happened or is due, in a few words: the subject line, before the agreement's title. */
  headline: string;
  paragraphs: string[];
  /** Label and value, shown after the agreement's title and id: deadlines, dates, ids. */
  facts?: [string, string][];
  /** What the recipient should do; none means nothing is asked of it. */
  actions?: EmailAction[];
}

/** What a template reads: the context, the details it knows by name, and the parties by role. */
export interface TemplateInput extends EmailContext {
  details: Details;
  /** `/agreements/<id>` followed by `suffix`. */
  path(suffix?: string): string;
  /** The same, after the API's base URL: for a call named in a sentence rather than as an action. */
  url(suffix?: string): string;
}

export type EmailTemplate = (input: TemplateInput) => EmailMessage;

// --- Reading the details -------------------------------------------------------------------------------

/**
 * The details of a notification, read field by field with the type each field must have. A template
 * renders only the fields it names, so whatever else a producer puts in `details` never reaches an
 * e-mail (rule 15: no personal data beyond what the notification is about).
 */
export interface Details {
  /** A calendar date `YYYY-MM-DD`. */
  date(key: string): string | undefined;
  /** An ISO 8601 timestamp. */
  instant(key: string): string | undefined;
  /** Free text, at most `max` characters, control characters (but newlines) replaced by spaces. */
  text(key: string, max?: number): string | undefined;
  /** A list of free texts, each read as `text`, joined by commas; undefined when it holds none. */
  texts(key: string, max?: number): string | undefined;
  /** An id, usable in a path: letters, digits and `-_.:`. */
  id(key: string): string | undefined;
  int(key: string): number | undefined;
  flag(key: string): boolean | undefined;
  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined;
  /** The entries of a list that are among `values`, in their order there. */
  listOf<T extends string>(key: string, values: readonly T[]): T[];
  nested(key: string): Details;
}

/** Control characters (but newlines) and bidirectional controls replaced by spaces, cut at `max`. */
function cleanText(raw: string | undefined, max: number): string | undefined {
  const value = raw
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
    ?.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, ' ')
    .trim();
  if (!value) return undefined;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

export function detailsOf(record: unknown): Details {
  const fields: Record<string, unknown> =
    typeof record === 'object' && record !== null && !Array.isArray(record)
      ? (record as Record<string, unknown>)
      : {};
  const string = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  return {
    date: (key) => {
      const value = string(key);
      return value && isCalendarDate(value) ? value : undefined;
    },
    instant: (key) => {
      const value = string(key);
      return value &&
        /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? value
        : undefined;
    },
    text: (key, max = 500) => cleanText(string(key), max),
    texts: (key, max = 500) => {
      const values = Array.isArray(fields[key]) ? (fields[key] as unknown[]) : [];
      const joined = values.filter((value) => typeof value === 'string').join(', ');
      return cleanText(joined, max);
    },
    id: (key) => {
      const value = string(key);
      return value && /^[A-Za-z0-9_.:-]{1,128}$/.test(value) ? value : undefined;
    },
    int: (key) => (Number.isSafeInteger(fields[key]) ? (fields[key] as number) : undefined),
    flag: (key) => (typeof fields[key] === 'boolean' ? (fields[key] as boolean) : undefined),
    oneOf: (key, values) => values.find((value) => value === fields[key]),
    listOf: (key, values) => {
      const list = fields[key];
      return Array.isArray(list) ? values.filter((value) => list.includes(value)) : [];
    },
    nested: (key) => detailsOf(fields[key]),
  };
}

// --- Words and dates in bokmål -------------------------------------------------------------------------

export const ROLE_NOUN: Record<PartyRole, string> = {
  controller: 'behandlingsansvarlig',
  processor: 'databehandler',
};

export const otherRole = (role: PartyRole): PartyRole => (role === 'controller' ? 'processor' : 'controller');

/** `Radøy kommune (behandlingsansvarlig)`. */
export const partyLabel = (input: EmailContext, role: PartyRole) =>
  `${input.agreement[role].name} (${ROLE_NOUN[role]})`;

const MONTHS = [
  'januar',
  'februar',
  'mars',
  'april',
  'mai',
  'juni',
  'juli',
  'august',
  'september',
  'oktober',
  'november',
  'desember',
];

/** `31. mars 2027`. */
export function norwegianDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return `${day}. ${MONTHS[month! - 1]} ${year}`;
}

/** A date-only deadline runs to the end of that day in Oslo: `31. mars 2027 kl. 23:59 (norsk tid)`. */
export function endOfDayDeadline(date: string): string {
  return `${norwegianDate(date)} kl. 23:59 (norsk tid)`;
}

/** An instant as the clock in Oslo shows it (CET in winter, CEST in summer): `1. juli 2026 kl. 12:00 (norsk tid)`. */
export function osloTime(instant: string): string {
  const { date, hour, minute } = osloWallTime(new Date(instant));
  return `${norwegianDate(date)} kl. ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} (norsk tid)`;
}

const regionNames = lazily(() => new Intl.DisplayNames('nb', { type: 'region' }));

/** `SE` as `Sverige`; the code itself when the runtime has no name for it. */
export function countryName(code: string): string {
  try {
    return regionNames().of(code) ?? code;
  } catch {
    return code;
  }
}

/** `2 dager`, `1 dag`. */
export const days = (count: number) => `${count} ${count === 1 ? 'dag' : 'dager'}`;

// --- Rendering -------------------------------------------------------------------------------------------

const SUBJECT_MAX = 150;
const SIGNATURE = 'Databehandleravtaler';

const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();

/**
 * An 11-digit number standing alone (also written `DDMMYY NNNNN`) may be a national identity number
 * (fødselsnummer or D-number). Nothing an e-mail says legitimately looks like one (organisation numbers
 * have 9 digits, ids are UUIDs), so wherever one appears, e.g. typed into a title, it is blanked out.
 */
export const withoutIdentityNumbers = (value: string) =>
  value.replace(ELEVEN_DIGITS, '[fødselsnummer fjernet]');

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `headline: title`, the title shortened so the whole stays within 150 characters. */
function subjectLine(headline: string, title: string): string {
  const head = oneLine(headline);
  const name = oneLine(title);
  const room = SUBJECT_MAX - head.length - 2;
  const subject =
    name.length <= room ? `${head}: ${name}` : `${head}: ${name.slice(0, Math.max(room - 1, 20))}…`;
  return subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 1)}…`;
}

const urlOf = (input: EmailContext, call: ApiCall) => `${input.apiBaseUrl.replace(/\/+$/, '')}${call.path}`;

function footer(input: EmailContext): string {
  const at = input.notification.at;
  const when = Number.isNaN(Date.parse(at)) ? '' : ` Varselet ble laget ${osloTime(at)}.`;
  return (
    `Denne e-posten er sendt automatisk til kontaktpersonen for ${partyLabel(input, input.recipientRole)} ` +
    `i avtalen. Alle varsler kan også hentes med GET ${input.apiBaseUrl.replace(/\/+$/, '')}/notifications ` +
    `(dette varselets id er ${input.notification.id}).${when}`
  );
}

function factsOf(input: EmailContext, message: EmailMessage): [string, string][] {
  return [['Avtale', input.agreement.title], ['Avtale-id', input.agreement.id], ...(message.facts ?? [])];
}

const NOTHING_TO_DO = 'Dere trenger ikke gjøre noe nå.';
const ACTIONS_HEADING = 'Dette bør dere gjøre';

export function renderMessage(input: EmailContext, message: EmailMessage): RenderedEmail {
  const subject = withoutIdentityNumbers(subjectLine(message.headline, input.agreement.title));
  const greeting = `Hei ${oneLine(input.contact.name)},`;
  const facts = factsOf(input, message);
  const actions = message.actions ?? [];

  const text = [
    greeting,
    ...message.paragraphs,
    facts.map(([label, value]) => `${label}: ${oneLine(value)}`).join('\n'),
    actions.length === 0
      ? NOTHING_TO_DO
      : [
          `${ACTIONS_HEADING}:`,
          ...actions.map((action) =>
            [
              `- ${action.text}`,
              ...(action.call ? [`  ${action.call.method} ${urlOf(input, action.call)}`] : []),
              ...(action.call?.body ? [`  Innhold: ${action.call.body}`] : []),
            ].join('\n'),
          ),
        ].join('\n'),
    `Vennlig hilsen\n${SIGNATURE}`,
    `--\n${footer(input)}`,
  ].join('\n\n');

  const paragraph = (value: string) => `<p>${escapeHtml(value).replace(/\n/g, '<br>')}</p>`;
  const code = (value: string) =>
    `<code style="font-family: Consolas, Menlo, monospace; background: #f2f2f2; padding: 1px 4px; word-break: break-all;">${escapeHtml(value)}</code>`;
  const html = [
    '<!DOCTYPE html>',
    '<html lang="nb">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    '</head>',
    '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a; max-width: 640px; margin: 0 auto; padding: 16px;">',
    paragraph(greeting),
    ...message.paragraphs.map(paragraph),
    '<table role="presentation" style="border-collapse: collapse; margin: 16px 0;">',
    ...facts.map(
      ([label, value]) =>
        `<tr><th scope="row" style="text-align: left; vertical-align: top; padding: 2px 16px 2px 0; font-weight: bold;">${escapeHtml(label)}</th><td style="padding: 2px 0;">${escapeHtml(oneLine(value))}</td></tr>`,
    ),
    '</table>',
    ...(actions.length === 0
      ? [paragraph(NOTHING_TO_DO)]
      : [
          `<h2 style="font-size: 17px; margin: 24px 0 8px;">${ACTIONS_HEADING}</h2>`,
          '<ul style="padding-left: 20px;">',
          ...actions.map(
            (action) =>
              `<li style="margin-bottom: 12px;">${escapeHtml(action.text)}${
                action.call ? `<br>${code(`${action.call.method} ${urlOf(input, action.call)}`)}` : ''
              }${action.call?.body ? `<br>Innhold: ${code(action.call.body)}` : ''}</li>`,
          ),
          '</ul>',
        ]),
    paragraph(`Vennlig hilsen\n${SIGNATURE}`),
    `<p style="font-size: 13px; color: #555555; border-top: 1px solid #dddddd; padding-top: 8px;">${escapeHtml(footer(input))}</p>`,
    '</body>',
    '</html>',
  ].join('\n');

  return { subject, text: withoutIdentityNumbers(text), html: withoutIdentityNumbers(html) };
}
