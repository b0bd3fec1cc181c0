export {
  MediaController,
  type MediaControllerEvents,
  type MediaControllerOptions,
} from './media-controller.js';
export type {
  CreateSessionRequest,
  DtmfDetectedEvent,
  DtmfSource,
  LatchingMode,
  LegName,
  LegPorts,
  PlayResult,
  RemoteEndpoint,
  SessionPorts,
  SessionStats,
  TapDirection,
} from './control-protocol.js';
export { TapReader } from './tap-ring.js';
export { PortPool } from './port-pool.js';
