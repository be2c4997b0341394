import { type EmailTemplate, osloTime } from './email-message.ts';

/**
 * E-mail of the webhook endpoints (rule 15): an organisation's endpoint that failed every delivery for
 * 5 days was disabled. The notification is about the agreement whose delivery failed last, so it
 * reaches the contact person on that agreement.
 */

const disabled: EmailTemplate = (input) => {
  const webhookId = input.details.id('webhookId');
  const failingSince = input.details.instant('failingSince');
  const webhookPath = webhookId ? `/webhooks/${webhookId}` : '/webhooks';
  return {
    headline: 'Webhook slått av etter fem døgn med feil',
    paragraphs: [
      `Et av virksomhetens webhook-endepunkter${webhookId ? ` (${webhookId})` : ''} har ikke tatt imot en eneste levering${failingSince ? ` siden ${osloTime(failingSince)}` : ''}, og er derfor slått av. Ingenting sendes til det før det slås på igjen.`,
      'Varslene står fortsatt i GET /notifications. Når mottakeren virker igjen, slå endepunktet på, og send de leveringene dere trenger på nytt.',
    ],
    facts: [
      ...(webhookId ? [['Webhook-id', webhookId] as [string, string]] : []),
      ...(failingSince ? [['Feilet siden', osloTime(failingSince)] as [string, string]] : []),
    ],
    actions: [
      {
        text: 'Slå endepunktet på igjen:',
        call: { method: 'PATCH', path: webhookPath, body: '{"enabled": true}' },
      },
      { text: 'Se leveringene og send på nytt:', call: { method: 'GET', path: `${webhookPath}/deliveries` } },
    ],
  };
};

export const WEBHOOK_EMAILS: Record<string, EmailTemplate> = {
  'webhook.disabled': disabled,
};
