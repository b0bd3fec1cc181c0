export { SilentStartDetector, SILENT_START_CAUSE } from './silent-start-detector.js';
export { StreamStartSound, START_JUDGE_MS, START_SOUND_FRAMES } from './stream-start-sound.js';
export type { StartPhase } from './stream-start-sound.js';
