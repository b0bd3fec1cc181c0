export { FileRecorder, type FileRecorderOptions } from './file-recorder.js';
export {
  finalizeSpool,
  sha256File,
  AUDIO_FORMATS,
  type FinalizeOptions,
} from './finalize-recording.js';
export { recoverSpools, type RecoveryResult } from './recover-spools.js';
export { verifyRecording, type VerifyResult } from './verify-recording.js';
export {
  pauseLayout,
  holdIntervalsFromEvents,
  type Segment,
  type HoldIntervalRecord,
  type PauseLayout,
} from './pause-layout.js';
export {
  FINAL_STATUSES,
  METADATA_SCHEMA,
  type RecordingMetadata,
  type RecordingStatus,
  type RecordingAudio,
} from './recording-metadata.js';
export {
  readSpool,
  SPOOL_MAGIC,
  type AudioFormat,
  type PauseBehaviour,
  type RecorderGateEvent,
  type SpoolHeader,
} from './spool-format.js';
export { SpoolWriter, type SpoolFile, type SpoolOpener } from './spool-writer.js';
