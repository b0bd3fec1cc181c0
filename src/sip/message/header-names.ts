/**
 * Header field names: case-insensitive matching, compact forms and canonical spelling.
 * RFC 3261 §7.3.1 (names are case-insensitive), §7.3.3 (compact forms), §20 (field list),
 * plus the compact forms registered later in the IANA "Header Fields" registry (RFC 3515 `r`,
 * RFC 3892 `b`, RFC 6665 `o`/`u`, RFC 4028 `x`, RFC 3841 `a`/`j`/`d`, RFC 4474 `y`/`n`).
 */

/** Compact form → lower-case long name. */
const COMPACT: ReadonlyMap<string, string> = new Map([
  ['a', 'accept-contact'],
  ['b', 'referred-by'],
  ['c', 'content-type'],
  ['d', 'request-disposition'],
  ['e', 'content-encoding'],
  ['f', 'from'],
  ['i', 'call-id'],
  ['j', 'reject-contact'],
  ['k', 'supported'],
  ['l', 'content-length'],
  ['m', 'contact'],
  ['n', 'identity-info'],
  ['o', 'event'],
  ['r', 'refer-to'],
  ['s', 'subject'],
  ['t', 'to'],
  ['u', 'allow-events'],
  ['v', 'via'],
  ['x', 'session-expires'],
  ['y', 'identity'],
]);

/** Lower-case long name → spelling used when holdgate writes a new field. */
const CANONICAL: ReadonlyMap<string, string> = new Map(
  [
    'Accept',
    'Accept-Contact',
    'Accept-Encoding',
    'Accept-Language',
    'Alert-Info',
    'Allow',
    'Allow-Events',
    'Authentication-Info',
    'Authorization',
    'Call-ID',
    'Call-Info',
    'Contact',
    'Content-Disposition',
    'Content-Encoding',
    'Content-Language',
    'Content-Length',
    'Content-Type',
    'CSeq',
    'Date',
    'Diversion',
    'Error-Info',
    'Event',
    'Expires',
    'From',
    'History-Info',
    'Identity',
    'Identity-Info',
    'In-Reply-To',
    'Max-Forwards',
    'Min-Expires',
    'Min-SE',
    'MIME-Version',
    'Organization',
    'P-Asserted-Identity',
    'P-Preferred-Identity',
    'Priority',
    'Privacy',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Proxy-Require',
    'RAck',
    'Reason',
    'Record-Route',
    'Refer-To',
    'Referred-By',
    'Reject-Contact',
    'Replaces',
    'Reply-To',
    'Request-Disposition',
    'Require',
    'Retry-After',
    'Route',
    'RSeq',
    'Server',
    'Session-Expires',
    'Subject',
    'Supported',
    'Timestamp',
    'To',
    'Unsupported',
    'User-Agent',
    'User-to-User',
    'Via',
    'Warning',
    'WWW-Authenticate',
  ].map((name) => [name.toLowerCase(), name]),
);

/** Canonical lower-case long name of any name form (`v` → `via`, `Call-ID` → `call-id`). */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT.get(lower) ?? lower) : lower;
}

/** The spelling for a field holdgate adds: `call-id` → `Call-ID`; unknown names are kept. */
export function headerDisplayName(name: string): string {
  const key = headerKey(name);
  return CANONICAL.get(key) ?? (name.length === 1 ? key : name);
}
