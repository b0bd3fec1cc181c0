import type { B2bua } from './b2bua.js';
import type { Call } from './call.js';
import type { CallControl, CallDetail, CallSummary } from './call-control.js';

/** `CallControl` over the B2BUA's live calls. */
export class B2buaCallControl implements CallControl {
  readonly #b2bua: B2bua;

  constructor(b2bua: B2bua) {
    this.#b2bua = b2bua;
  }

  list(): CallSummary[] {
    return [...this.#b2bua.calls()].map((c) => summary(c));
  }

  get(id: string): CallDetail | undefined {
    const call = this.#find(id);
    if (!call) return undefined;
    const gate = call.recording?.gate;
    const causes = gate?.causes ?? [];
    return {
      ...summary(call),
      legs: {
        caller: { sipCallId: call.callerCallId, dialog: call.callerDialog?.state ?? 'none' },
        pbx: { dialog: call.pbxDialog?.state ?? 'none' },
      },
      onHold: causes.some((c) => c.startsWith('sdp-hold')),
      gateEvents: (gate?.events ?? []).map((e) => ({ t: e.t, state: e.state, cause: e.cause })),
    };
  }

  pauseRecording(id: string, reason: string): boolean {
    const recording = this.#find(id)?.recording;
    if (!recording) return false;
    recording.apiPause(reason);
    return true;
  }

  resumeRecording(id: string): boolean {
    const recording = this.#find(id)?.recording;
    if (!recording) return false;
    recording.apiResume();
    return true;
  }

  hangUp(id: string, reason: string): boolean {
    return this.#b2bua.endCall(id, reason);
  }

  #find(id: string): Call | undefined {
    return this.#b2bua.call(id);
  }
}

function summary(call: Call): CallSummary {
  const gate = call.recording?.gate;
  return {
    id: call.id,
    queue: call.queue.name,
    from: call.numbers.from,
    to: call.numbers.to,
    startedAt: new Date(call.startedAt).toISOString(),
    state: call.state,
    recording: gate ? gate.state : 'not-recorded',
    pauseCauses: gate?.causes ?? [],
  };
}
