import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../functions/local/free-port.ts';

const listenOn = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve(() => new Promise<void>((done) => server.close(() => done()))),
    );
  });

describe('freePort', () => {
  it('gives a port below the ephemeral range, which no outgoing connection can take, and it is free', async () => {
    const ephemeralStart = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart);
    }
    const close = await listenOn(ports[0]!);
    await close();
  });

  it('passes over a port something listens on', async () => {
    const ephemeralStart = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    const taken = await freePort();
    const close = await listenOn(taken);
    // The first pick is the taken port, exactly.
    const random = vi
      .spyOn(Math, 'random')
      .mockReturnValueOnce((taken - 10_000 + 0.5) / (ephemeralStart - 10_000));
    try {
      const port = await freePort();
      expect(random.mock.calls.length).toBeGreaterThan(1);
      expect(port).not.toBe(taken);
    } finally {
      random.mockRestore();
      await close();
    }
  });
});
