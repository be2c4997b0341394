import { describe, expect, it } from 'vitest';
import {
  isLoopbackAddress,
  isPublicAddress,
  webhookUrlProblem,
} from '../../../../functions/domain/webhooks/url-policy.ts';

const onAws = { allowLoopback: false };
const onLocalStack = { allowLoopback: true };

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.254', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'link-local (instance metadata)'],
    ['100.64.0.1', 'carrier-grade NAT 100.64/10'],
    ['100.127.255.254', 'carrier-grade NAT 100.64/10'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation (reserved)'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'unique-local fc00::/7'],
    ['fd12:3456:789a::1', 'unique-local fc00::/7'],
    ['fe80::1', 'link-local fe80::/10'],
    ['febf::1', 'link-local fe80::/10'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['64:ff9b::a00:1', 'NAT64 (may reach an IPv4 private address)'],
    ['2002:a00:1::1', '6to4 (embeds an IPv4 address)'],
  ])('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    ['93.184.216.34', 'public IPv4'],
    ['8.8.8.8', 'public IPv4'],
    ['172.32.0.1', 'just above 172.16/12'],
    ['100.128.0.1', 'just above 100.64/10'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'public IPv6'],
    ['2a00:1450:400f:80d::200e', 'public IPv6'],
    ['::ffff:93.184.216.34', 'IPv4-mapped public'],
  ])('accepts %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    'example.com',
    '',
    '127.1',
    '1.2.3',
    '::ffff:zzz',
    '[::1]',
  ])('takes %j, no IP address, as not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1'])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '93.184.216.34', 'fe80::1', 'localhost'])('%s is not', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('webhookUrlProblem on AWS', () => {
  it.each([
    'https://hooks.example.no/dpa',
    'https://hooks.example.no:8443/dpa?tenant=4',
    'https://bøkeskog.no/varsler',
    'https://93.184.216.34/hook',
    'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url, onAws)).toBeUndefined();
  });

  it.each([
    ['http://hooks.example.no/dpa', 'must be an https URL'],
    ['http://127.0.0.1:9/hook', 'must be an https URL'],
    ['ftp://hooks.example.no/dpa', 'must be an https URL'],
    ['https://user:secret@hooks.example.no/dpa', 'must not contain credentials (user:password@)'],
    ['https://user@hooks.example.no/dpa', 'must not contain credentials (user:password@)'],
    ['https://hooks.example.no/dpa#part', 'must not have a fragment (#...)'],
    ['https://hooks.example.no/dpa#', 'must not have a fragment (#...)'],
    ['hooks.example.no/dpa', 'must be an absolute URL, such as https://example.no/webhooks'],
    [
      'https://hooks.exa\nmple.no/',
      'must not contain spaces, control characters or invisible formatting characters',
    ],
    [
      ' https://hooks.example.no/',
      'must not contain spaces, control characters or invisible formatting characters',
    ],
    [
      'https://hooks.example.no/\u202Egpj.exe',
      'must not contain spaces, control characters or invisible formatting characters',
    ],
    [
      'https://hooks.exam\u200Bple.no/',
      'must not contain spaces, control characters or invisible formatting characters',
    ],
    [
      'https://hooks.example.no/\uD800',
      'must not contain spaces, control characters or invisible formatting characters',
    ],
    [`https://hooks.example.no/${'a'.repeat(2048)}`, 'must be at most 2048 characters'],
  ])('refuses %j: %s', (url, problem) => {
    expect(webhookUrlProblem(url, onAws)).toBe(problem);
  });

  it.each([
    'https://127.0.0.1/hook',
    'https://localhost/hook',
    'https://api.localhost/hook',
    'https://[::1]/hook',
    'https://10.0.0.1/hook',
    'https://172.16.5.4/hook',
    'https://192.168.0.10/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/hook',
    'https://0.0.0.0/hook',
    'https://[fc00::1]/hook',
    'https://[fe80::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    // Spellings the URL parser turns into 127.0.0.1 and 169.254.169.254.
    'https://2130706433/hook',
    'https://0x7f.1/hook',
    'https://0251.0376.0251.0376/hook',
  ])('refuses %s, an address that is not public', (url) => {
    expect(webhookUrlProblem(url, onAws)).toMatch(/^must point to a public internet address/);
  });

  it('takes a length of 2048 characters, and no more', () => {
    const base = 'https://hooks.example.no/';
    const url = base + 'a'.repeat(2048 - base.length);

    expect(webhookUrlProblem(url, onAws)).toBeUndefined();
    expect(webhookUrlProblem(`${url}a`, onAws)).toBe('must be at most 2048 characters');
  });
});

describe('webhookUrlProblem on the local stack (loopback allowed)', () => {
  it.each([
    'http://127.0.0.1:9/hook',
    'http://localhost:4000/hook',
    'http://[::1]:4000/hook',
    'https://127.0.0.1:8443/hook',
    'https://localhost/hook',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url, onLocalStack)).toBeUndefined();
  });

  it('still refuses http to any other host', () => {
    expect(webhookUrlProblem('http://example.com/hook', onLocalStack)).toBe(
      'must be an https URL (http only to localhost, 127.0.0.1 or [::1])',
    );
  });

  it.each([
    'https://10.0.0.1/hook',
    'https://169.254.169.254/',
    'https://127.0.0.2/hook',
    'https://[::ffff:127.0.0.1]/hook',
  ])('still refuses %s, which is not one of the loopback hosts', (url) => {
    expect(webhookUrlProblem(url, onLocalStack)).toMatch(/^must point to a public internet address/);
  });

  it('still refuses credentials and fragments', () => {
    expect(webhookUrlProblem('http://a:b@127.0.0.1/hook', onLocalStack)).toBe(
      'must not contain credentials (user:password@)',
    );
    expect(webhookUrlProblem('http://127.0.0.1/hook#x', onLocalStack)).toBe(
      'must not have a fragment (#...)',
    );
  });
});
