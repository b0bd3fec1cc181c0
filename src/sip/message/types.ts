/**
 * The SIP message model (RFC 3261 §7). This file is the contract between the layers:
 * `message` implements it, `transport`, `transaction` and `dialog` use it.
 *
 * A message keeps its header fields in wire order with their raw text, so an unchanged message
 * re-serializes byte for byte; a changed or added field is serialized from its value.
 */

/** One header field line as received (after unfolding) or as added. RFC 3261 §7.3. */
export interface HeaderField {
  /** The name as written on the wire (may be a compact form such as `v`). */
  readonly name: string;
  /** Canonical lower-case long name (`v` → `via`, `Call-ID` → `call-id`). */
  readonly key: string;
  /** The value, unfolded and trimmed. For a multi-value line, all values joined as on the wire. */
  readonly value: string;
  /** The exact bytes of the field line(s) as received, without the final CRLF; undefined once changed. */
  readonly raw: string | undefined;
}

/** Parsed SIP, SIPS or tel URI. RFC 3261 §19.1, RFC 3966. */
export interface SipUri {
  readonly scheme: 'sip' | 'sips' | 'tel';
  /** Unescaped user part (or the tel number). */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Host as written; IPv6 references keep their brackets (`[::1]`). Empty for tel. */
  readonly host: string;
  readonly port: number | undefined;
  /** uri-parameters; a flag parameter (`;lr`) maps to null. Names lower-cased. */
  readonly params: ReadonlyMap<string, string | null>;
  /** `?` headers of the URI, unescaped. */
  readonly headers: ReadonlyMap<string, string>;
}

/** name-addr or addr-spec with header parameters (From, To, Contact, Route...). RFC 3261 §20.10. */
export interface NameAddr {
  readonly displayName: string | undefined;
  /** The URI text exactly as written (without angle brackets). */
  readonly uriText: string;
  readonly uri: SipUri;
  /** Header parameters (`;tag=`, `;expires=`); flag parameters map to null. Names lower-cased. */
  readonly params: ReadonlyMap<string, string | null>;
}

/** One Via value. RFC 3261 §20.42, RFC 3581. */
export interface Via {
  /** `UDP`, `TCP`, `TLS`, ... upper-case. */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  /** Names lower-cased; flag parameters (`;rport` without value) map to null. */
  readonly params: ReadonlyMap<string, string | null>;
  readonly branch: string | undefined;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** Common surface of requests and responses. */
export interface SipMessageBase {
  readonly headers: readonly HeaderField[];
  /** Body bytes, exactly Content-Length long. */
  body: Buffer;
  /** First value of a header by any name form (`v`, `Via`, `via`); for multi-value lines the first element. */
  get(name: string): string | undefined;
  /** Every value of a header, multi-value lines split at top-level commas (not inside quotes or <>). */
  getAll(name: string): string[];
  has(name: string): boolean;
  /** Replace all fields of that name by one field. */
  set(name: string, value: string): void;
  /** Add a field after the last field of that name (or at the end). */
  append(name: string, value: string): void;
  /** Add a field before the first field of that name (e.g. a new top Via). */
  prepend(name: string, value: string): void;
  /** Remove every field of that name; returns how many values were removed. */
  remove(name: string): number;
  /** Remove only the first value (top Via on a response); returns it. */
  shift(name: string): string | undefined;
  /** Serialize; Content-Length is set from the body when the message was changed. */
  serialize(): Buffer;
  /** Deep copy. */
  clone(): this;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  readonly method: string;
  /** Request-URI text as written. */
  uri: string;
  readonly version: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly version: string;
}

export type SipMessage = SipRequest | SipResponse;
