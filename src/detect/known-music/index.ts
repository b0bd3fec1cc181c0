export { KnownMusicDetector, ONSET_LEAD_MS } from './known-music-detector.js';
export { KnownMusicLibrary } from './known-music-library.js';
export { decodeAudioFile, decodeAudioChunks, readWav8k } from './decode-audio.js';
export { measureKnownMusic } from './bench.js';
export { knownMusicFiles } from './known-music-sources.js';
