import { AnyHold } from '../../src/detect/any-hold.js';
import type { HoldDecision, HoldMusicDetector } from '../../src/detect/types.js';

/**
 * Detectors combined as a live call combines them (`CallRecording` through `AnyHold`), as one
 * detector for a bench's evaluation, which sees state changes only: a second hold within an
 * episode (one detector upgrading or joining another's hold) is no change.
 */
export class Combined implements HoldMusicDetector {
  private readonly any: AnyHold;

  constructor(private readonly detectors: readonly HoldMusicDetector[]) {
    this.any = new AnyHold(detectors);
  }

  get stateBytes(): number {
    return this.detectors.reduce((s, d) => s + d.stateBytes, 0);
  }

  push(frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    let out: HoldDecision | undefined;
    for (let i = 0; i < this.detectors.length; i++) {
      const d = this.detectors[i]!.push(frame, callTimeMs);
      if (d === undefined) continue;
      const was = this.any.holding;
      const next = this.any.decide(i, d);
      if (next !== undefined && (next.state === 'no-hold' || !was)) out = next;
    }
    return out;
  }

  reset(): void {
    for (const d of this.detectors) d.reset();
    this.any.reset();
  }
}

/** `detectors` as one: a lone detector as it is, several through {@link Combined}. */
export function asOne(detectors: readonly HoldMusicDetector[]): HoldMusicDetector {
  return detectors.length === 1 ? detectors[0]! : new Combined(detectors);
}

/**
 * `detector` on a stream whose PBX sends nothing before call time `firstPacketMs`: until then it
 * is fed silence in place of each frame if it hears the time before a stream's first packet
 * (`hearsSilenceBeforeStream`), as a call feeds it, and else nothing.
 */
export function fromFirstPacket(
  detector: HoldMusicDetector,
  firstPacketMs: number,
): HoldMusicDetector {
  const silence = new Int16Array(160);
  return {
    push: (frame, callTimeMs) => {
      if (callTimeMs >= firstPacketMs) return detector.push(frame, callTimeMs);
      return detector.hearsSilenceBeforeStream === true
        ? detector.push(silence, callTimeMs)
        : undefined;
    },
    get stateBytes() {
      return detector.stateBytes;
    },
    get pendingOnsetMs() {
      return detector.pendingOnsetMs;
    },
    get openStartMs() {
      return detector.openStartMs;
    },
    ...(detector.releaseLagMs !== undefined ? { releaseLagMs: detector.releaseLagMs } : {}),
    reset: () => detector.reset(),
  };
}
