import { describe, expect, it } from 'vitest';
import { createBranch, hasMagicCookie, MAGIC_COOKIE } from './branch.js';

describe('createBranch (RFC 3261 §8.1.1.7)', () => {
  it('starts with the magic cookie and carries at least 128 random bits', () => {
    const branch = createBranch();
    expect(branch.startsWith(MAGIC_COOKIE)).toBe(true);
    const random = branch.slice(MAGIC_COOKIE.length);
    expect(random).toMatch(/^[A-Za-z0-9_-]+$/);
    // base64url: 6 bits per character
    expect(random.length * 6).toBeGreaterThanOrEqual(128);
    expect(Buffer.from(random, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('is unique across 100k draws', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(createBranch());
    expect(seen.size).toBe(100_000);
  });

  it('hasMagicCookie tells RFC 3261 branches from RFC 2543 ones', () => {
    expect(hasMagicCookie(createBranch())).toBe(true);
    expect(hasMagicCookie('z9hG4bK')).toBe(false);
    expect(hasMagicCookie('1234abcd')).toBe(false);
    expect(hasMagicCookie(undefined)).toBe(false);
  });
});
