import { AGREEMENT_EMAILS } from './agreement-emails.ts';
import { AMENDMENT_EMAILS } from './amendment-emails.ts';
import { BREACH_EMAILS } from './breach-emails.ts';
import {
  detailsOf,
  type EmailContext,
  type EmailMessage,
  type EmailTemplate,
  type RenderedEmail,
  renderMessage,
  type TemplateInput,
} from './email-message.ts';
import { INSTRUCTION_EMAILS } from './instruction-emails.ts';
import { OVERSIGHT_EMAILS } from './oversight-emails.ts';
import { REQUEST_EMAILS } from './request-emails.ts';
import { SUB_PROCESSOR_EMAILS } from './sub-processor-emails.ts';
import { TERMINATION_EMAILS } from './termination-emails.ts';
import { WEBHOOK_EMAILS } from './webhook-emails.ts';

export type { EmailContext, RenderedEmail } from './email-message.ts';

/**
 * Rule 15: every notification reaches the addressed organisation's contact person by e-mail, in bokmål,
 * with the agreement's title and id, what happened or is due, every deadline in Oslo time, and the call
 * that does what is asked. One template per notification type; a type without one still gets a plain,
 * correct e-mail. Pure: no AWS, no template engine (the delivery function's bundle stays small).
 */

/** Machine events that no person acts on: to webhooks and the bus only, never by e-mail (rule 15). */
export const MACHINE_EVENT_TYPES: readonly string[] = ['audit.sealed'];

const TEMPLATES: Readonly<Record<string, EmailTemplate>> = {
  ...AGREEMENT_EMAILS,
  ...TERMINATION_EMAILS,
  ...AMENDMENT_EMAILS,
  ...SUB_PROCESSOR_EMAILS,
  ...BREACH_EMAILS,
  ...OVERSIGHT_EMAILS,
  ...INSTRUCTION_EMAILS,
  ...REQUEST_EMAILS,
  ...WEBHOOK_EMAILS,
};

/** Every notification type that has its own template (a test checks each type the code emits is here). */
export const EMAIL_TEMPLATE_TYPES: readonly string[] = Object.keys(TEMPLATES);

export function isEmailed(type: string): boolean {
  return !MACHINE_EVENT_TYPES.includes(type);
}

/** Any other type: what it is, the producer's own one-line summary, and where to read more. */
const generic: EmailTemplate = (input) => ({
  headline: 'Nytt varsel om avtalen',
  paragraphs: [
    'Det har skjedd noe i avtalen som dere bør vite om.',
    `Varseltype: ${input.notification.type}`,
    `Sammendrag (engelsk): ${input.notification.subject.replace(/\s+/g, ' ').slice(0, 300)}`,
  ],
  actions: [
    {
      text: 'Les varselet:',
      call: { method: 'GET', path: '/notifications' },
    },
    { text: 'Se avtalens historikk:', call: { method: 'GET', path: input.path('/history') } },
  ],
});

export function renderEmail(context: EmailContext): RenderedEmail {
  const base = context.apiBaseUrl.replace(/\/+$/, '');
  const path = (suffix = '') => `/agreements/${encodeURIComponent(context.agreement.id)}${suffix}`;
  const input: TemplateInput = {
    ...context,
    details: detailsOf(context.notification.details),
    path,
    url: (suffix = '') => `${base}${path(suffix)}`,
  };
  const template = Object.hasOwn(TEMPLATES, context.notification.type)
    ? TEMPLATES[context.notification.type]!
    : generic;
  let message: EmailMessage;
  try {
    message = template(input);
  } catch {
    // A template never throws on details it can read; should one still do, the recipient is told anyway.
    message = generic(input);
  }
  return renderMessage(context, message);
}
