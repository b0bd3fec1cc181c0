import type { Logger } from '../shared/logger.js';
import { cseq as cseqOf } from '../sip/message/index.js';
import type { Dialog, UserAgentCore } from '../sip/dialog/index.js';
import type { RecordIndication } from '../sdp/index.js';
import type { CallerEndpoint } from './session-description-seam.js';

export interface RecordIndicatorDeps {
  readonly core: UserAgentCore;
  readonly endpoint: CallerEndpoint;
  readonly log: Logger;
  /** The caller's dialog, when it exists. */
  readonly dialog: () => Dialog | undefined;
  /** Whether the call is connected (both legs) and not ending. */
  readonly connected: () => boolean;
  /** What the caller should be told now. */
  readonly wanted: () => RecordIndication;
}

/**
 * Tells a record-aware caller (RFC 7866 §6.1 `Supported: record-aware`) whether it is recorded
 * (RFC 7866 §6.2 `a=record:on|off|paused`). Every SDP holdgate sends the caller carries the
 * current value; when the state changes on its own (consent settled, a detected hold, a late
 * opt-out) a re-INVITE with holdgate's last SDP tells it, one at a time (RFC 3261 §14.1), and the
 * state is re-read when it completes. A PBX offer being relayed to the caller at that moment
 * carries the value instead of a re-INVITE of our own.
 */
export class RecordIndicator {
  readonly #deps: RecordIndicatorDeps;
  #indicated: RecordIndication | undefined;
  #inFlight = false;
  /** A PBX offer is being relayed to the caller: it carries the indication itself. */
  relaying = false;

  constructor(deps: RecordIndicatorDeps) {
    this.#deps = deps;
  }

  /** From the first SDP on: `off` (nothing is recorded before the call is set up). */
  start(): void {
    this.#deps.endpoint.indicateRecording('off');
    this.#indicated = 'off';
  }

  /** Re-read the recording state and tell the caller if it changed. */
  update(): void {
    const deps = this.#deps;
    const dialog = deps.dialog();
    if (!deps.connected() || !dialog || dialog.state !== 'confirmed') return;
    const want = deps.wanted();
    if (this.relaying) {
      deps.endpoint.indicateRecording(want);
      this.#indicated = want;
      return;
    }
    if (want === this.#indicated || this.#inFlight) return;
    const body = deps.endpoint.indicateRecording(want);
    this.#indicated = want;
    if (!body) return;
    this.#inFlight = true;
    deps.core.request(
      dialog,
      'INVITE',
      { body, contentType: 'application/sdp' },
      {
        onFinal: (res) => {
          this.#inFlight = false;
          if (res.status >= 200 && res.status < 300) {
            deps.core.ack(dialog, cseqOf(res).seq);
            if (res.body.length > 0) {
              try {
                deps.endpoint.callerAnswered(
                  res.get('content-type') ?? 'application/sdp',
                  res.body,
                );
              } catch (err) {
                deps.log.warn({ err }, 'record-aware caller answered with unusable SDP');
              }
            }
          } else if (res.status === 491 || res.status === 500) {
            this.#indicated = undefined; // glare (RFC 3261 §14.1): try again on the next change
          }
          this.update();
        },
      },
    );
  }
}
