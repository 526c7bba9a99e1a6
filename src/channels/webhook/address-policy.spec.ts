import { AddressPolicy, embeddedIpv4, isForbiddenAddress, TargetRefused } from './address-policy';

describe('isForbiddenAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1',
    '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:c0a8:101::1', '::127.0.0.1',
  ])('refuses %s', (address) => expect(isForbiddenAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows public %s',
    (address) => expect(isForbiddenAddress(address)).toBe(false),
  );

  it('finds IPv4 inside IPv6', () => {
    expect(embeddedIpv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIpv4('::ffff:c0a8:1')).toBe('192.168.0.1');
    expect(embeddedIpv4('2002:0a00:0001::')).toBe('10.0.0.1');
    expect(embeddedIpv4('2606:4700::1')).toBeNull();
  });
});

describe('AddressPolicy', () => {
  it('refuses loopback targets by default, naming the address', async () => {
    await expect(new AddressPolicy('').resolve('127.0.0.1')).rejects.toThrow(TargetRefused);
    await expect(new AddressPolicy('').resolve('[::1]')).rejects.toThrow(/::1/);
    await expect(new AddressPolicy('').resolve('localhost')).rejects.toThrow(TargetRefused);
  });

  it('allows what WEBHOOK_ALLOWED_HOSTS names, by host or by range', async () => {
    await expect(new AddressPolicy('localhost').resolve('localhost')).resolves.not.toHaveLength(0);
    await expect(new AddressPolicy('127.0.0.0/8').resolve('127.0.0.1')).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(new AddressPolicy('127.0.0.1').resolve('::ffff:127.0.0.1')).resolves.toHaveLength(1);
    await expect(new AddressPolicy('10.0.0.0/8, ::1/128').resolve('::1')).resolves.toHaveLength(1);
    expect(new AddressPolicy('*.corp.example').hostAllowed('hooks.corp.example')).toBe(true);
    expect(new AddressPolicy('*.corp.example').hostAllowed('corp.example.evil')).toBe(false);
    await expect(new AddressPolicy('10.0.0.0/8').resolve('127.0.0.1')).rejects.toThrow(TargetRefused);
  });

  it('rejects malformed entries', () => {
    expect(() => new AddressPolicy('10.0.0.0/33')).toThrow(/CIDR/);
    expect(() => new AddressPolicy('http://x')).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
  });
});
