/**
 * A failed send in words fit for a log and a delivery's `reason`: the error's name, code and HTTP
 * status only, never its message (a mail service's or an endpoint's message can quote an address).
 */
export function failureOf(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown }).code;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return [name, typeof code === 'string' ? code : undefined, status ? `HTTP ${status}` : undefined]
    .filter(Boolean)
    .join(' ');
}
