import { readFile, readdir, readlink } from 'node:fs/promises';
import { isIPv6 } from 'node:net';

/** Which socket table to look in: a bound UDP socket, or a TCP socket in LISTEN state. */
export type BoundSocketKind = 'udp' | 'tcp';

/**
 * Resolves once process `pid` owns a socket bound to `ip:port` (UDP) or listening on it (TCP).
 *
 * Reads the kernel's socket tables (`/proc/net/{udp,tcp}{,6}`) and matches the socket inode
 * against the process's file descriptors, so it waits on the socket itself rather than sleeping,
 * and a socket held by some other process on the same address does not count. Linux only.
 * Rejects after `timeoutMs`, or as soon as `isAlive()` returns false.
 */
export async function waitForBoundSocket(opts: {
  pid: number;
  ip: string;
  port: number;
  kind: BoundSocketKind;
  timeoutMs: number;
  isAlive?: () => boolean;
}): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const wanted = procNetAddress(opts.ip, opts.port);
  const table = `/proc/net/${opts.kind}${isIPv6(opts.ip) ? '6' : ''}`;
  for (;;) {
    const inodes = await matchingInodes(table, wanted, opts.kind);
    if (inodes.size > 0 && (await ownsAnyInode(opts.pid, inodes))) return;
    if (opts.isAlive !== undefined && !opts.isAlive()) {
      throw new Error(`process ${opts.pid} exited before binding ${opts.ip}:${opts.port}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`process ${opts.pid} did not bind ${opts.kind} ${opts.ip}:${opts.port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Encodes an address as the kernel prints it in /proc/net/*: host-order hex words, hex port. */
export function procNetAddress(ip: string, port: number): string {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  if (!isIPv6(ip)) {
    const bytes = ip.split('.').map((b) => Number(b));
    const hex = bytes
      .reverse()
      .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
      .join('');
    return `${hex}:${portHex}`;
  }
  const groups = expandIPv6(ip);
  let hex = '';
  for (let word = 0; word < 4; word++) {
    const w = groups.slice(word * 2, word * 2 + 2).join('');
    // each 32-bit word is printed in host (little-endian) byte order
    const bytes = w.match(/../g) ?? [];
    hex += bytes.reverse().join('');
  }
  return `${hex.toUpperCase()}:${portHex}`;
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const missing = ip.includes('::') ? 8 - h.length - t.length : 0;
  return [...h, ...Array<string>(missing).fill('0'), ...t].map((g) => g.padStart(4, '0'));
}

async function matchingInodes(
  table: string,
  wanted: string,
  kind: BoundSocketKind,
): Promise<Set<string>> {
  const inodes = new Set<string>();
  let text: string;
  try {
    text = await readFile(table, 'utf8');
  } catch {
    return inodes;
  }
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    const inode = cols[9];
    if (local !== wanted || inode === undefined) continue;
    if (kind === 'tcp' && state !== '0A') continue; // 0A = TCP_LISTEN
    inodes.add(inode);
  }
  return inodes;
}

async function ownsAnyInode(pid: number, inodes: Set<string>): Promise<boolean> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const target = await readlink(`/proc/${pid}/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m?.[1] !== undefined && inodes.has(m[1])) return true;
    } catch {
      // fd closed while we looked
    }
  }
  return false;
}
