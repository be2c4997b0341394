/** Deployment settings read from the environment; CDK sets them on AWS, the local stack sets them locally. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export const config = {
  tableName: () => required('TABLE_NAME'),
  signingStateMachineArn: () => required('SIGNING_STATE_MACHINE_ARN'),
  terminationStateMachineArn: () => required('TERMINATION_STATE_MACHINE_ARN'),
  subProcessorApprovalStateMachineArn: () => required('SUB_PROCESSOR_APPROVAL_STATE_MACHINE_ARN'),
  amendmentStateMachineArn: () => required('AMENDMENT_STATE_MACHINE_ARN'),
  breachDeadlineStateMachineArn: () => required('BREACH_DEADLINE_STATE_MACHINE_ARN'),
  /** The address notifications are e-mailed from: an SES identity of the deployment (rule 15). */
  emailSender: () => required('EMAIL_SENDER'),
  /** The API's public base URL, for the calls e-mails tell their readers to make. */
  apiBaseUrl: () => required('API_BASE_URL'),
  notificationDeliveryStateMachineArn: () => required('NOTIFICATION_DELIVERY_STATE_MACHINE_ARN'),
  /** Unset locally: notifications then go to the outbox only. */
  eventBusName: () => process.env.EVENT_BUS_NAME || undefined,
  /**
   * Webhooks (rule 15) may also go to http(s)://localhost, 127.0.0.1 and [::1]: the local stack sets it,
   * so that tests receive deliveries on their own machine. Never set on AWS, where an endpoint must be
   * https on a public address.
   */
  webhookAllowLoopback: () => process.env.WEBHOOK_ALLOW_LOOPBACK === 'true',
};
