import type { HoldDecision, HoldMusicDetector } from '../types.js';
import { FrameFeatures } from '../classifier/frame-features.js';
import { STREAM_START_MIN_DB } from '../classifier/music-classifier-detector.js';
import { StreamStartSound } from './stream-start-sound.js';

export const SILENT_START_CAUSE = 'silent-start';

/**
 * A stream's silent start (issue 5, `detection.silentStart`), on every queue with hold-music
 * detection and a delay line: once the stream's first frame reaches the delay line's exit while
 * the stream is still silent, or its first sound still being judged, it is paused from that
 * frame, provisionally and unsure; when its first sound has been heard for 1.5 s
 * (`START_JUDGE_MS`), the pause ends at that same frame, and
 * the delay line gives the sound back. Hold music found meanwhile, known or classified, holds on
 * by itself (the call combines the detectors, `AnyHold`), so a queue wait that opens with
 * `Answer()` and `Wait()` and then plays its music writes none of either. After the judgement it
 * does nothing: the frame features (one FFT) are computed only while the start is open.
 *
 * Why (issue 5, stop 36): a queue wait that opens with silence (Asterisk's `Answer()` and
 * `Wait()` before `Queue()`) or with music under the −48 dBFS of a sound (`hr3-caves`, its first
 * second at −65 dBFS) was judged only when the music was, later than the delay line: the caller's
 * words in that silence were written.
 *
 * One detector beside the others, not a mode of each (stop 37): until then the classifier held its
 * own start open inside its state machine, and this detector stood in for it on queues without the
 * classifier. Beside the classifier, `npm run bench -- moh` (development corpus, both unseen
 * renders) and `bench learning --unseen` give the same figures as that. `bench silent-start`
 * (stream starts after 3 s of a line's noise, D = 2.5 s) does not: the judgement no longer ends a
 * provisional pause the classifier made on its own evidence. Music starts that write any of the
 * silence or the music: 85 → 58 of 1428 (1363 without a silent start), 66 → 45 of 931 with
 * `--unseen` (900); prompt starts that lose any of the agent's first words: 152 → 162 of 1944 (157
 * without), 166 → 172 of 2056 (168), over half a second 148 → 150 (149) and 158 → 159 (159). The
 * price of the separate detector: a second FFT per frame and its frame features' 17.7 kB per
 * stream, both until the start is judged.
 *
 * A first sound still being judged is paused like silence (stop 38): a start whose sound came
 * less than 1.5 s before its first frame reached the exit was let through unpaused, and music the
 * classifier heard later than that wrote its start (`hr3-caves` on the second unseen render, 0.2 s:
 * 10 frames of sound at last after a second of faint notes). Now the pause holds until the
 * judgement; what leaves the delay line meanwhile is from before the judgement less D, some 1 s
 * before the sound's count began, so an agent's voice comes back whole unless its first second
 * stays under −48 dBFS. `npm run bench -- silent-start`, D = 2.5 s, with the classifier: after
 * 1.5 s of silence 301 → 68 of 1428 music starts write any of it (`--unseen`: 225 → 50 of 931),
 * after 1 s 237 → 170 (199 → 141); prompt starts losing over half a second of the agent unchanged
 * after 0.5, 1, 1.5 and 3 s (44 → 45 after 0.5 s), any of it 65 → 69 after 1 s (73 → 77). `bench
 * moh`: `hr3-caves` no longer leaks (second unseen render 0.939 → 0.947), nothing else moves.
 *
 * The stream's start is the call's (stop 40): until the PBX's first packet, the call feeds this
 * detector silence from the SDP answer, or the caller's first frame if sooner
 * (`hearsSilenceBeforeStream`), and a hold another detector decides while the start is still
 * being judged begins where the start began (`openStartMs`, `AnyHold`). Before, the start was
 * the PBX's first packet: what the caller said before it was written, all of it when a PBX sent
 * nothing for longer than D. `npm run bench -- silent-start --no-packets` (the PBX's first
 * packet S seconds after the answer, development sources, D = 2.5 s, with the classifier): music
 * starts that write any of the caller's wait or of the music 1354 → 5 of 1428 for S = 0.5 s, 1370
 * → 9 for 1 s, 1428 → 9 for 3 s; prompt starts that lose any of the agent unchanged (77, 84, 85),
 * or of the time before the agent's first word (what a caller said there) 37 → 130 for 0.5 s,
 * 46 → 1944 for 1 s, 48 → 1944 for 3 s (as when that time is silence on the wire). With silence on
 * the wire (without `--no-packets`), and in `bench moh`, every figure is as before.
 */
export class SilentStartDetector implements HoldMusicDetector {
  /** The frame features while the start is open; let go once it is judged (17.7 kB). */
  private features: FrameFeatures | undefined = new FrameFeatures();
  private readonly start = new StreamStartSound(STREAM_START_MIN_DB);
  private startMs = -1;
  private paused = false;

  /** `delayLineMs`: the call's delay line D. */
  constructor(private readonly delayLineMs: number) {
    if (!(delayLineMs > 0)) throw new RangeError(`delayLineMs must be > 0, not ${delayLineMs}`);
  }

  /** Bytes of state now: the frame features only until the start is judged. */
  get stateBytes(): number {
    return (this.features?.stateBytes ?? 0) + 64;
  }

  /** The time before the PBX's first packet is the stream's start too: silence to the caller. */
  readonly hearsSilenceBeforeStream = true;

  /** While the start is open: the stream's first frame, where a hold decided now would begin. */
  get pendingOnsetMs(): number | undefined {
    return this.features === undefined || this.startMs < 0 ? undefined : this.startMs;
  }

  /** While the start is open: the stream's first frame (see `AnyHold`). */
  get openStartMs(): number | undefined {
    return this.pendingOnsetMs;
  }

  push(frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    const features = this.features;
    if (features === undefined) return undefined; // judged
    if (this.startMs < 0) this.startMs = callTimeMs;
    features.push(frame);
    const phase = this.start.push(features.energyDb, callTimeMs);
    if (phase === 'judged') {
      this.features = undefined;
      if (!this.paused) return undefined;
      this.paused = false;
      return this.decision('no-hold', true);
    }
    if (!this.paused && callTimeMs - this.delayLineMs >= this.startMs) {
      this.paused = true;
      return this.decision('hold', false);
    }
    return undefined;
  }

  private decision(state: 'hold' | 'no-hold', confident: boolean): HoldDecision {
    return {
      state,
      onsetMs: this.startMs,
      cause: SILENT_START_CAUSE,
      confident,
      provisional: true,
    };
  }

  /** A new stream (a new RTP source): its start is open again, with fresh frame features. */
  reset(): void {
    if (this.features) this.features.reset();
    else this.features = new FrameFeatures();
    this.start.reset();
    this.startMs = -1;
    this.paused = false;
  }
}
