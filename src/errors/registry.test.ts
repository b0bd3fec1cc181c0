import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HoldgateError, SipError } from './registry.js';

describe('error registry', () => {
  it('documents every code in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const missing = Object.keys(ERROR_CODES).filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('carries code, status and a SIP status', () => {
    const err = new SipError(486, 'Busy Here');
    expect(err).toBeInstanceOf(HoldgateError);
    expect(err.code).toBe('HG_ERR_SIP_RESPONSE');
    expect(err.sipStatus).toBe(486);
    expect(err.message).toContain('486 Busy Here');
  });
});
