/**
 * Number matching for subject requests and catalog search: the user part of a SIP/tel URI (or a
 * bare number), without visual separators. `sip:+49 30-123@host;user=phone` → `+4930123`.
 * FIXME(rfc3966 §5.1.1): no E.164 normalization of local numbers (`030123` ≠ `+4930123`).
 */
export function normalizeNumber(uriOrNumber: string): string {
  let s = uriOrNumber.trim();
  const angle = /<([^>]*)>/.exec(s);
  if (angle) s = angle[1]!;
  s = s.replace(/^(sips?|tel):/i, '');
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  return s.replace(/[\s\-.()]/g, '').toLowerCase();
}

/** Whether a From/To URI names `number`. */
export function numberMatches(uri: string, number: string): boolean {
  const n = normalizeNumber(number);
  return n !== '' && normalizeNumber(uri) === n;
}
