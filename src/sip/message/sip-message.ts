import { headerDisplayName, headerKey } from './header-names.js';
import { isListHeader, splitHeaderValueSpans } from './split-header-values.js';
import type { HeaderField, SipMessageBase, SipRequest, SipResponse } from './types.js';

/** How header text is encoded on the wire: UTF-8 (RFC 3261 §7.3) or, for legacy peers, Latin-1. */
export type HeaderEncoding = 'utf8' | 'latin1';

/** Header fields as `[name, value]` pairs, in order. */
export type HeaderInit = readonly (readonly [string, string])[];

/** What the parser hands to a message: the exact wire form next to the parsed parts. */
export interface WireParts {
  readonly fields: HeaderField[];
  readonly body: Buffer;
  /** The exact bytes of the message (start line to end of body). */
  readonly source: Buffer;
  readonly encoding: HeaderEncoding;
  /** The start line as received. */
  readonly startLine: string;
}

function makeField(name: string, value: string): HeaderField {
  return { name, key: headerKey(name), value, raw: undefined };
}

function valueCount(field: HeaderField): number {
  return isListHeader(field.key) ? splitHeaderValueSpans(field.value).length : 1;
}

/**
 * Shared implementation of requests and responses (RFC 3261 §7): header fields in wire order
 * with their raw text, a byte body. While nothing changed, `serialize()` returns the received
 * bytes; after a change, the message is rebuilt, untouched fields from their raw text, and
 * Content-Length follows the body (§20.14).
 */
abstract class SipMessageCore implements SipMessageBase {
  protected fields: HeaderField[];
  private bodyBytes: Buffer;
  /** Received bytes, valid while `dirty` is false. */
  protected source: Buffer | undefined;
  protected dirty: boolean;
  /** The start line as received, until it is changed. */
  protected rawLine: string | undefined;
  private headerEncoding: HeaderEncoding;

  protected constructor(fields: HeaderField[], body: Buffer, wire: WireParts | undefined) {
    this.fields = fields;
    this.bodyBytes = body;
    this.source = wire?.source;
    this.rawLine = wire?.startLine;
    this.dirty = wire === undefined;
    this.headerEncoding = wire?.encoding ?? 'utf8';
  }

  /** Encoding of header text; a Latin-1 message stays Latin-1 when re-serialized. */
  get encoding(): HeaderEncoding {
    return this.headerEncoding;
  }

  get headers(): readonly HeaderField[] {
    return this.fields;
  }

  get body(): Buffer {
    return this.bodyBytes;
  }

  set body(body: Buffer) {
    this.bodyBytes = body;
    this.touch();
  }

  /** True until the message is changed (then `serialize()` rebuilds it). */
  get pristine(): boolean {
    return !this.dirty;
  }

  protected touch(): void {
    this.dirty = true;
    this.source = undefined;
  }

  protected abstract startLine(): string;
  /** A new message of the same class and start line, to be filled by `clone()`. */
  protected abstract shell(): this;

  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const field of this.fields) {
      if (field.key !== key) continue;
      if (!isListHeader(key)) return field.value;
      const span = splitHeaderValueSpans(field.value)[0];
      if (span) return field.value.slice(span[0], span[1]);
    }
    return undefined;
  }

  getAll(name: string): string[] {
    const key = headerKey(name);
    const values: string[] = [];
    for (const field of this.fields) {
      if (field.key !== key) continue;
      if (!isListHeader(key)) {
        values.push(field.value);
        continue;
      }
      for (const [s, e] of splitHeaderValueSpans(field.value)) values.push(field.value.slice(s, e));
    }
    return values;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.fields.some((f) => f.key === key);
  }

  set(name: string, value: string): void {
    const key = headerKey(name);
    const index = this.fields.findIndex((f) => f.key === key);
    const wireName = index >= 0 ? this.fields[index]!.name : headerDisplayName(name);
    const next = this.fields.filter((f) => f.key !== key);
    next.splice(index >= 0 ? index : next.length, 0, makeField(wireName, value));
    this.fields = next;
    this.touch();
  }

  append(name: string, value: string): void {
    const key = headerKey(name);
    let last = -1;
    this.fields.forEach((f, i) => {
      if (f.key === key) last = i;
    });
    const at = last >= 0 ? last + 1 : this.fields.length;
    this.fields.splice(at, 0, makeField(headerDisplayName(name), value));
    this.touch();
  }

  prepend(name: string, value: string): void {
    const key = headerKey(name);
    const first = this.fields.findIndex((f) => f.key === key);
    this.fields.splice(first >= 0 ? first : 0, 0, makeField(headerDisplayName(name), value));
    this.touch();
  }

  remove(name: string): number {
    const key = headerKey(name);
    let removed = 0;
    const kept = this.fields.filter((f) => {
      if (f.key !== key) return true;
      removed += valueCount(f);
      return false;
    });
    if (kept.length !== this.fields.length) {
      this.fields = kept;
      this.touch();
    }
    return removed;
  }

  shift(name: string): string | undefined {
    const key = headerKey(name);
    const index = this.fields.findIndex((f) => f.key === key);
    if (index < 0) return undefined;
    const field = this.fields[index]!;
    const spans = isListHeader(key) ? splitHeaderValueSpans(field.value) : [];
    const first = spans[0];
    const second = spans[1];
    this.touch();
    if (first && second) {
      this.fields[index] = makeField(field.name, field.value.slice(second[0]));
      return field.value.slice(first[0], first[1]);
    }
    this.fields.splice(index, 1);
    return first ? field.value.slice(first[0], first[1]) : field.value;
  }

  serialize(): Buffer {
    if (!this.dirty && this.source) return this.source;
    const length = String(this.bodyBytes.length);
    const cl = this.fields.findIndex((f) => f.key === 'content-length');
    if (cl < 0) this.fields.push(makeField('Content-Length', length));
    else if (this.fields[cl]!.value !== length) {
      this.fields[cl] = makeField(this.fields[cl]!.name, length);
    }
    let head = (this.rawLine ?? this.startLine()) + '\r\n';
    for (const field of this.fields)
      head += (field.raw ?? `${field.name}: ${field.value}`) + '\r\n';
    head += '\r\n';
    return Buffer.concat([Buffer.from(head, this.encoding), this.bodyBytes]);
  }

  clone(): this {
    const copy = this.shell();
    copy.fields = this.fields.slice();
    copy.dirty = this.dirty;
    copy.rawLine = this.rawLine;
    copy.headerEncoding = this.headerEncoding;
    if (this.source) {
      copy.source = Buffer.from(this.source);
      copy.bodyBytes = copy.source.subarray(copy.source.length - this.bodyBytes.length);
    } else {
      copy.source = undefined;
      copy.bodyBytes = Buffer.from(this.bodyBytes);
    }
    return copy;
  }
}

/** Options to build a request from scratch. */
export interface RequestInit {
  readonly method: string;
  readonly uri: string;
  readonly version?: string;
  readonly headers?: HeaderInit;
  readonly body?: Buffer;
}

/** A SIP request (RFC 3261 §7.1). */
export class SipRequestMessage extends SipMessageCore implements SipRequest {
  readonly kind = 'request' as const;
  readonly method: string;
  readonly version: string;
  private requestUri: string;

  constructor(init: RequestInit, wire?: WireParts) {
    super(
      wire?.fields ?? (init.headers ?? []).map(([n, v]) => makeField(n, v)),
      wire?.body ?? init.body ?? Buffer.alloc(0),
      wire,
    );
    this.method = init.method;
    this.requestUri = init.uri;
    this.version = init.version ?? 'SIP/2.0';
  }

  get uri(): string {
    return this.requestUri;
  }

  set uri(uri: string) {
    this.requestUri = uri;
    this.rawLine = undefined;
    this.touch();
  }

  protected startLine(): string {
    return `${this.method} ${this.requestUri} ${this.version}`;
  }

  protected shell(): this {
    const init = { method: this.method, uri: this.requestUri, version: this.version };
    return new SipRequestMessage(init) as this;
  }
}

/** Options to build a response from scratch. */
export interface ResponseInit {
  readonly status: number;
  readonly reason: string;
  readonly version?: string;
  readonly headers?: HeaderInit;
  readonly body?: Buffer;
}

/** A SIP response (RFC 3261 §7.2). */
export class SipResponseMessage extends SipMessageCore implements SipResponse {
  readonly kind = 'response' as const;
  readonly status: number;
  readonly reason: string;
  readonly version: string;

  constructor(init: ResponseInit, wire?: WireParts) {
    super(
      wire?.fields ?? (init.headers ?? []).map(([n, v]) => makeField(n, v)),
      wire?.body ?? init.body ?? Buffer.alloc(0),
      wire,
    );
    this.status = init.status;
    this.reason = init.reason;
    this.version = init.version ?? 'SIP/2.0';
  }

  protected startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }

  protected shell(): this {
    const init = { status: this.status, reason: this.reason, version: this.version };
    return new SipResponseMessage(init) as this;
  }
}
