/**
 * Time is a port: code asks this clock. On AWS it is real time; the local stack installs its virtual
 * clock so that a 30-day deadline or a three-month notice period can be crossed in seconds.
 */
let source: () => Date = () => new Date();

export function now(): Date {
  return source();
}

export function useClock(next: () => Date): void {
  source = next;
}
