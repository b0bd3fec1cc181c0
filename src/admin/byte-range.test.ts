import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRange } from './byte-range.js';
import { loadOrCreateReceiptKey } from './erasure-receipts.js';

describe('parseRange (RFC 9110 §14.1.2)', () => {
  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=90-', { start: 90, end: 99 }],
    ['bytes=95-200', { start: 95, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-2', null],
    ['bytes=0-1,5-6', null],
    ['items=0-1', null],
    ['bytes=-', null],
  ] as const)('%s of 100 bytes', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });
});

describe('loadOrCreateReceiptKey', () => {
  it('generates a 0600 Ed25519 key once and loads the same key afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hg-key-'));
    try {
      const file = join(dir, '.holdgate', 'receipt-key.pem');
      const first = await loadOrCreateReceiptKey(file);
      expect(first.asymmetricKeyType).toBe('ed25519');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const again = await loadOrCreateReceiptKey(file);
      const pem = (k: typeof first) => createPublicKey(k).export({ type: 'spki', format: 'pem' });
      expect(pem(again)).toEqual(pem(first));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
