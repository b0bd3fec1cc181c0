/** RTP/RTCP header access and per-stream statistics (RFC 3550). */
export * from './rtp-header.js';
export * from './rtcp-header.js';
export { SequenceTracker } from './sequence-tracker.js';
export { JitterEstimator } from './jitter-estimator.js';
export { SamplingClock } from './sampling-clock.js';
export { FrameGaps } from './frame-gaps.js';
