import { BlockList, isIP } from 'node:net';

/** A parsed CIDR (`10.0.0.0/8`, `2001:db8::/32`) or single address. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Parse `a.b.c.d/n`, `x::y/n` or a bare address; undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  ) {
    return undefined;
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** An address allow-list over Node's `BlockList` (IPv4-mapped IPv6 sources are matched as IPv4). */
export class AddressAllowList {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const text of cidrs) {
      const c = parseCidr(text);
      if (c) this.#list.addSubnet(c.address, c.prefix, c.family);
    }
    this.#empty = cidrs.length === 0;
  }

  /** True when the address is inside one of the ranges. */
  allows(address: string): boolean {
    if (this.#empty) return false;
    const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
    const family = isIP(mapped) === 6 ? 'ipv6' : 'ipv4';
    return this.#list.check(mapped, family);
  }
}
