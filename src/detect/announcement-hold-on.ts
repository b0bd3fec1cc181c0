import { exitMsForAnnouncement, type MusicClassifierOptions } from './classifier/index.js';
import type { KnownMusicOptions } from './known-music/known-music-detector.js';

/** What one `announcementSeconds` asks of each hold-music detector. */
export interface AnnouncementHoldOn {
  readonly knownMusic: KnownMusicOptions;
  readonly classifier: MusicClassifierOptions;
}

/**
 * `detection.announcementSeconds` (issue 5: the hold "stays on hold through queue announcements
 * between music"): the longest stretch without music the caller may still be waiting through.
 * Known music holds on that long after its end; the classifier needs about that long of a voice
 * with no music under it ({@link exitMsForAnnouncement}). The one place that maps the knob, for
 * live calls and `holdgate classify` alike.
 */
export function announcementHoldOn(seconds: number): AnnouncementHoldOn {
  return {
    knownMusic: { holdOverMs: seconds * 1000 },
    classifier: { state: { exitMs: exitMsForAnnouncement(seconds) } },
  };
}
