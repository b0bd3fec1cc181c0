export {
  MusicClassifierDetector,
  MUSIC_CLASSIFIER_CAUSE,
  releaseLagMs,
} from './music-classifier-detector.js';
export type { MusicClassifierOptions } from './music-classifier-detector.js';
export {
  HoldStateMachine,
  DEFAULT_HOLD_STATE_OPTIONS,
  exitMsForAnnouncement,
} from './hold-state-machine.js';
export type { HoldStateOptions, HoldTransition } from './hold-state-machine.js';
export { WindowFeatures, FEATURE_NAMES, FEATURE_COUNT } from './window-features.js';
export { FrameFeatures } from './frame-features.js';
export { ScoreModel } from './score-model.js';
export type { ModelWeights } from './score-model.js';
