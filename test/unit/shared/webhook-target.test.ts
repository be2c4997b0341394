import { promises as dns } from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  resolveWebhookTarget,
  UnresolvedWebhookHost,
  UnsafeWebhookTarget,
} from '../../../functions/shared/webhook-target.ts';

const onAws = { allowLoopback: false };
const onLocalStack = { allowLoopback: true };

/** DNS answers these addresses for every name (no network in unit tests). */
function givenDns(...addresses: string[]) {
  return vi
    .spyOn(dns, 'lookup')
    .mockResolvedValue(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) as never,
    );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('resolveWebhookTarget', () => {
  it('resolves the host with every address, as the resolver orders them, and returns the first', async () => {
    const lookup = givenDns('2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34');

    const target = await resolveWebhookTarget(new URL('https://hooks.example.no/dpa'), onAws);

    expect(target).toEqual({ address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
    expect(lookup).toHaveBeenCalledWith('hooks.example.no', { all: true, verbatim: true });
  });

  it('takes an address written in the URL as it is, without DNS', async () => {
    const lookup = givenDns('10.0.0.1');

    expect(await resolveWebhookTarget(new URL('https://93.184.216.34/hook'), onAws)).toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    expect(await resolveWebhookTarget(new URL('https://[2a00:1450:400f:80d::200e]/hook'), onAws)).toEqual({
      address: '2a00:1450:400f:80d::200e',
      family: 6,
    });
    expect(lookup).not.toHaveBeenCalled();
  });

  it.each([
    ['127.0.0.1'],
    ['10.1.2.3'],
    ['172.20.0.5'],
    ['192.168.10.1'],
    ['169.254.169.254'],
    ['100.64.12.1'],
    ['0.0.0.0'],
    ['::1'],
    ['fd00::5'],
    ['fe80::1'],
    ['::ffff:10.0.0.1'],
  ])('refuses a name resolving to %s', async (address) => {
    givenDns(address);

    const attempt = resolveWebhookTarget(new URL('https://rebinding.example.com/hook'), onAws);

    await expect(attempt).rejects.toBeInstanceOf(UnsafeWebhookTarget);
    await expect(attempt).rejects.toThrow(
      `rebinding.example.com resolves to ${address}, which is not a public internet address`,
    );
  });

  it('refuses a name when any one of its addresses is not public, even the second', async () => {
    givenDns('93.184.216.34', '10.0.0.7');

    await expect(resolveWebhookTarget(new URL('https://mixed.example.com/'), onAws)).rejects.toThrow(
      'mixed.example.com resolves to 10.0.0.7',
    );
  });

  it('refuses an address written in the URL that is not public', async () => {
    await expect(
      resolveWebhookTarget(new URL('https://169.254.169.254/latest/meta-data/'), onAws),
    ).rejects.toThrow('169.254.169.254 is not a public internet address');
    await expect(resolveWebhookTarget(new URL('https://[::1]/'), onAws)).rejects.toBeInstanceOf(
      UnsafeWebhookTarget,
    );
  });

  it('reports a name that does not resolve as unresolved, not as unsafe (it may resolve later)', async () => {
    vi.spyOn(dns, 'lookup').mockRejectedValue(
      Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }),
    );

    const attempt = resolveWebhookTarget(new URL('https://nowhere.invalid/'), onAws);

    await expect(attempt).rejects.toBeInstanceOf(UnresolvedWebhookHost);
    await expect(attempt).rejects.toThrow('nowhere.invalid does not resolve (ENOTFOUND)');
  });

  describe('on the local stack (loopback allowed)', () => {
    it('takes localhost resolving to loopback addresses', async () => {
      givenDns('::1', '127.0.0.1');

      expect(await resolveWebhookTarget(new URL('http://localhost:4000/hook'), onLocalStack)).toEqual({
        address: '::1',
        family: 6,
      });
    });

    it('takes 127.0.0.1 and [::1] as written', async () => {
      expect(await resolveWebhookTarget(new URL('http://127.0.0.1:9/hook'), onLocalStack)).toEqual({
        address: '127.0.0.1',
        family: 4,
      });
      expect(await resolveWebhookTarget(new URL('http://[::1]:9/hook'), onLocalStack)).toEqual({
        address: '::1',
        family: 6,
      });
    });

    it('still refuses another name resolving to loopback, and localhost resolving to a private address', async () => {
      givenDns('127.0.0.1');
      await expect(
        resolveWebhookTarget(new URL('https://loopback.example.com/'), onLocalStack),
      ).rejects.toBeInstanceOf(UnsafeWebhookTarget);

      vi.restoreAllMocks();
      givenDns('10.0.0.1');
      await expect(resolveWebhookTarget(new URL('http://localhost/'), onLocalStack)).rejects.toBeInstanceOf(
        UnsafeWebhookTarget,
      );
    });
  });
});
