import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { parseSdp } from './parse-sdp.js';
import { recordPreference, withRecordIndication } from './record-attributes.js';

const HEAD = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];
const sdpOf = (...lines: string[]): string => [...HEAD, ...lines, ''].join('\r\n');

describe('recordPreference (RFC 7866 a=recordpref)', () => {
  it.each(['on', 'off', 'pause', 'nopreference'] as const)('reads %s', (value) => {
    expect(
      recordPreference(parseSdp(sdpOf('m=audio 4000 RTP/AVP 0', `a=recordpref:${value}`)), 0),
    ).toBe(value);
  });

  it('media level wins over session level; session level applies otherwise', () => {
    const sdp = parseSdp(
      sdpOf(
        'a=recordpref:on',
        'm=audio 4000 RTP/AVP 0',
        'a=recordpref:off',
        'm=audio 4002 RTP/AVP 0',
      ),
    );
    expect(recordPreference(sdp, 0)).toBe('off');
    expect(recordPreference(sdp, 1)).toBe('on');
    expect(recordPreference(sdp, 7)).toBe('on');
  });

  it.each([
    ['absent', sdpOf('m=audio 4000 RTP/AVP 0')],
    ['unknown value', sdpOf('m=audio 4000 RTP/AVP 0', 'a=recordpref:maybe')],
    ['a=record is not a preference', sdpOf('m=audio 4000 RTP/AVP 0', 'a=record:off')],
    ['other unknown attribute', sdpOf('m=audio 4000 RTP/AVP 0', 'a=x-recordpref:off')],
  ])('%s → undefined', (_name, text) => {
    expect(recordPreference(parseSdp(text), 0)).toBeUndefined();
  });

  it('an unknown media-level value does not hide a valid session-level one', () => {
    const sdp = parseSdp(sdpOf('a=recordpref:off', 'm=audio 4000 RTP/AVP 0', 'a=recordpref:bogus'));
    expect(recordPreference(sdp, 0)).toBe('off');
  });
});

describe('withRecordIndication (RFC 7866 a=record)', () => {
  it('adds a=record at the end of each live audio m-line, CRLF and trailing CRLF kept', () => {
    const text = sdpOf(
      'm=audio 4000 RTP/AVP 0 101',
      'a=rtpmap:101 telephone-event/8000',
      'a=sendrecv',
      'm=video 5000 RTP/AVP 99',
      'a=rtpmap:99 H264/90000',
      'm=audio 0 RTP/AVP 0',
      'm=audio 4002 RTP/AVP 8',
    );
    expect(withRecordIndication(text, 'on')).toBe(
      sdpOf(
        'm=audio 4000 RTP/AVP 0 101',
        'a=rtpmap:101 telephone-event/8000',
        'a=sendrecv',
        'a=record:on',
        'm=video 5000 RTP/AVP 99',
        'a=rtpmap:99 H264/90000',
        'm=audio 0 RTP/AVP 0',
        'm=audio 4002 RTP/AVP 8',
        'a=record:on',
      ),
    );
  });

  it('replaces an existing a=record (media or session level) and keeps a=recordpref', () => {
    const text = sdpOf(
      'a=record:on',
      'm=audio 4000 RTP/AVP 0',
      'a=record:on',
      'a=recordpref:on',
      'a=ptime:20',
    );
    const out = withRecordIndication(text, 'paused');
    expect(out).toBe(
      sdpOf('m=audio 4000 RTP/AVP 0', 'a=recordpref:on', 'a=ptime:20', 'a=record:paused'),
    );
    expect(out.match(/a=record:/g)).toHaveLength(1);
    // Applying it again changes nothing but the value.
    expect(withRecordIndication(out, 'off')).toBe(
      sdpOf('m=audio 4000 RTP/AVP 0', 'a=recordpref:on', 'a=ptime:20', 'a=record:off'),
    );
    expect(parse(out).media[0]!.invalid).toEqual([
      { value: 'recordpref:on' },
      { value: 'record:paused' },
    ]);
  });

  it('has no bare LF and no empty line in the middle', () => {
    const out = withRecordIndication(sdpOf('m=audio 4000 RTP/AVP 0'), 'off');
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(out.endsWith('a=record:off\r\n')).toBe(true);
    expect(out).not.toContain('\r\n\r\n');
  });

  it('a text without a trailing CRLF gets the line at the end', () => {
    const text = [...HEAD, 'm=audio 4000 RTP/AVP 0'].join('\r\n');
    expect(withRecordIndication(text, 'on')).toBe(`${text}\r\na=record:on`);
  });

  it('leaves an SDP without live audio unchanged', () => {
    const text = sdpOf('m=audio 0 RTP/AVP 0', 'm=video 5000 RTP/AVP 99');
    expect(withRecordIndication(text, 'on')).toBe(text);
  });
});
