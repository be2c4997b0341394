import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port the system hands out for outgoing connections and `listen(0)`. */
function ephemeralRangeStart(): number {
  try {
    // Linux; usually "32768 60999". Elsewhere the range starts higher (49152 on macOS).
    const start = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(start) && start > 11_000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

const LOWEST = 10_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port on 127.0.0.1 that nothing listens on, for a server about to be started (DynamoDB Local, a
 * local stack in a test). Chosen at random below the system's ephemeral range: a port the system
 * hands out for `listen(0)` lies in that range, where any outgoing connection may take it before the
 * server binds it (tests that open many connections saw EADDRINUSE), while a port below it is only
 * ever taken by an explicit bind.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (await canListen(port)) return port;
  }
  throw new Error(`No free port found between ${LOWEST} and ${below}`);
}
