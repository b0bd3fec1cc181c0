export type {
  Endpoint,
  InboundContext,
  ListenSpec,
  TransportListener,
  TransportOptions,
  TransportProtocol,
  TransportStats,
} from './types.js';
export type { SendOptions, Transport, TransportSink } from './transport.js';
export { TransportLayer } from './transport-layer.js';
export { UdpTransport, type UdpTransportOptions } from './udp-transport.js';
export { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { responseDestination } from './response-destination.js';
export { stampReceived } from './via-received.js';
