export {
  HoldGate,
  PAUSE_CAUSES,
  type GateEvent,
  type GateListener,
  type GateState,
  type HoldFlag,
  type HoldGateOptions,
  type HoldInterval,
  type Leg,
  type MusicDetection,
  type PauseCause,
  type SdpReport,
  type ConsentState,
} from './hold-gate.js';
export {
  DelayLine,
  FRAME_MS,
  FRAME_SAMPLES,
  type DelayLineOptions,
  type DelayLineSink,
  type DelayLineStats,
  type Direction,
  type PauseTimeline,
} from './delay-line.js';
export { tellGateMusic } from './music-guard.js';
