/**
 * Entry point of a media worker thread (`worker_threads`): no SIP, no HTTP, only the relay.
 * Requests arrive from the main thread's `MediaController`; replies and events go back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MediaWorkerConfig, WorkerMessage, WorkerRequest } from './control-protocol.js';
import { WorkerRuntime } from './worker-runtime.js';

const port = parentPort;
if (port === null) throw new Error('media-worker must run in a worker thread');
const runtime = new WorkerRuntime(workerData as MediaWorkerConfig, (message: WorkerMessage) => {
  port.postMessage(message);
});
port.on('message', (req: WorkerRequest) => {
  void runtime.dispatch(req);
});
port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
