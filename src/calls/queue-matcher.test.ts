import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { createRequest } from '../sip/message/index.js';
import { QueueMatcher } from './queue-matcher.js';

function invite(uri: string, to: string, extra: [string, string][] = []) {
  return createRequest({
    method: 'INVITE',
    uri,
    headers: [
      ['Via', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx'],
      ['From', '<sip:caller@192.0.2.1>;tag=1'],
      ['To', to],
      ['Call-ID', 'c'],
      ['CSeq', '1 INVITE'],
      ...extra,
    ],
  });
}

describe('queue matching', () => {
  const config = validateConfig({
    queues: [
      {
        name: 'vip',
        match: { requestUser: '0800.*', header: { name: 'X-Tier', pattern: 'gold' } },
        pbx: { host: '10.0.0.1' },
      },
      { name: 'sales', match: { requestUser: '0800.*' }, pbx: { host: '10.0.0.2' } },
      { name: 'by-to', match: { toUser: '\\+3120\\d+' }, pbx: { host: '10.0.0.3' } },
    ],
  });
  const matcher = new QueueMatcher(config.queues);

  it('takes the first queue whose rules all match', () => {
    expect(
      matcher.match(invite('sip:0800123@hg', '<sip:0800123@hg>', [['X-Tier', 'gold']]))?.name,
    ).toBe('vip');
    expect(
      matcher.match(invite('sip:0800123@hg', '<sip:0800123@hg>', [['X-Tier', 'silver']]))?.name,
    ).toBe('sales');
    expect(matcher.match(invite('sip:other@hg', '<sip:+31201234@hg>'))?.name).toBe('by-to');
  });

  it('anchors patterns and matches nothing else', () => {
    expect(matcher.match(invite('sip:90800123@hg', '<sip:x@hg>'))).toBeUndefined();
    expect(matcher.match(invite('tel:+31201234', 'garbage'))).toBeUndefined();
  });
});
