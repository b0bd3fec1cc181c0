export {
  MediaController,
  type MediaControllerEvents,
  type MediaControllerOptions,
} from './media-controller.js';
export type {
  CreateSessionRequest,
  LatchingMode,
  LegName,
  LegPorts,
  RemoteEndpoint,
  SessionPorts,
  SessionStats,
  TapDirection,
} from './control-protocol.js';
export { TapReader } from './tap-ring.js';
export { PortPool } from './port-pool.js';
