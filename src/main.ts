import type { Config, QueueConfig } from './config/schema.js';
import { createMemoryStore, createRedisStore, type Store } from './store/index.js';
import {
  buildAdminApp,
  indexRecording,
  rebuildCatalog,
  RetentionSweeper,
  seedAdminKeyFromEnv,
} from './admin/index.js';
import { createRootLogger, type Logger } from './shared/logger.js';
import { TransportLayer, type Endpoint } from './sip/transport/index.js';
import { TransactionLayer } from './sip/transaction/index.js';
import { UserAgentCore } from './sip/dialog/index.js';
import { B2bua } from './calls/b2bua.js';
import { B2buaCallControl } from './calls/b2bua-call-control.js';
import { CallMetrics } from './calls/call-metrics.js';
import { SharedCallControl } from './calls/shared-call-control.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import type { CallControl } from './calls/call-control.js';
import type { SeamCallInfo } from './calls/session-description-seam.js';
import { MediaSeam } from './calls/media-seam.js';
import { RecordingHub } from './calls/recording-hub.js';
import { setUpHoldDetection } from './calls/hold-detection-setup.js';
import { recoverSpools, type RecordingMetadata } from './recorder/index.js';
import { mkdir } from 'node:fs/promises';
import { MediaController } from './media/relay/index.js';
import { ConsentPromptLibrary } from './consent/index.js';
import { DtmfRouter } from './calls/dtmf-router.js';

/** A running holdgate: the SIP stack and the B2BUA, wired. */
export interface Holdgate {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly core: UserAgentCore;
  readonly b2bua: B2bua;
  /** The narrow live-call interface the admin API uses. */
  readonly callControl: CallControl;
  /** Queues, recording catalog, consent records, API keys, audit log. */
  readonly store: Store;
  /** Where the admin API listens, when `admin.enabled`. */
  adminAddress(): { address: string; port: number } | undefined;
  /** The RTP relay, when `media.enabled`. */
  readonly media: MediaController | undefined;
  localEndpoints(): readonly Endpoint[];
  /** SIGTERM behaviour: refuse new calls, let calls finish until the deadline, then close. */
  drain(deadlineMs?: number): Promise<void>;
  /** End all calls and close every socket and timer. Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: the only place that picks implementations and wires layers together.
 * Nothing here reads the environment; the CLI passes a validated, frozen config and the
 * environment as data.
 */
export async function startHoldgate(
  config: Readonly<Config>,
  options: {
    logger?: Logger;
    /** The process environment, read only for REDIS_URL, HOLDGATE_REDIS_PREFIX, HOLDGATE_ADMIN_KEY, HOLDGATE_INSTANCE_ID. */
    env?: Readonly<Record<string, string | undefined>>;
  } = {},
): Promise<Holdgate> {
  const logger = options.logger ?? createRootLogger({ level: config.log.level });
  const sip = config.sip;
  const transport = new TransportLayer({
    listen: sip.listen,
    limits: { maxMessageBytes: sip.maxMessageBytes, maxHeaders: sip.maxHeaders },
    tcpIdleTimeoutMs: sip.tcpIdleTimeoutSeconds * 1000,
    logger: logger.child({ layer: 'transport' }),
    ...(sip.advertisedAddress !== undefined ? { advertisedAddress: sip.advertisedAddress } : {}),
  });
  const transactions = new TransactionLayer(transport, {
    t1: sip.t1Ms,
    t2: sip.t2Ms,
    t4: sip.t4Ms,
    maxTransactions: sip.maxTransactions,
    logger: logger.child({ layer: 'transaction' }),
  });
  const core = new UserAgentCore(transactions, transport, {
    t1: sip.t1Ms,
    t2: sip.t2Ms,
    logger: logger.child({ layer: 'dialog' }),
    userAgent: sip.userAgent,
  });
  const media = config.media.enabled
    ? await MediaController.start({
        portMin: config.media.portMin,
        portMax: config.media.portMax,
        mediaTimeoutMs: config.media.mediaTimeoutSeconds * 1000,
        tickMs: Math.min(1000, config.media.mediaTimeoutSeconds * 250),
        logger: logger.child({ layer: 'media' }),
        ...(config.media.workers !== undefined ? { workers: config.media.workers } : {}),
      })
    : undefined;
  const mediaConfig = config.media;
  const recordingConfig = config.recording;
  const callsLogger = logger.child({ layer: 'calls' });
  let hub: RecordingHub | undefined;
  if (media && recordingConfig.enabled) {
    await mkdir(recordingConfig.dir, { recursive: true });
    // A crash leaves spools behind: finalize them as `incomplete` before taking new calls.
    const recovered = await recoverSpools(recordingConfig.dir);
    logger.info({ dir: recordingConfig.dir, recovered }, 'recording spools checked');
    hub = new RecordingHub(callsLogger);
  }
  const recordingHub = hub;
  // Hold heard, not signalled (issue 5): per-queue detectors on what the caller hears.
  const detectors = recordingHub
    ? await setUpHoldDetection(config, logger.child({ layer: 'detect' }))
    : undefined;
  const detectionFor = (queue: QueueConfig) => {
    const d = detectors?.forQueue(queue);
    const queueWait = queue.detection?.queueWait ?? config.detection.queueWait;
    return {
      ...(d ? { detectors: d.detectors, ...(d.learn ? { learn: d.learn } : {}) } : {}),
      ...(queueWait === 'until-new-source' ? { queueWaitUntilNewSource: true } : {}),
    };
  };
  /** The global recording settings with the queue's overrides applied. */
  const recordingFor = (queue: QueueConfig): Readonly<typeof recordingConfig> => ({
    ...recordingConfig,
    ...queue.recording,
  });
  const metricsRegistry = new Registry();
  const callMetrics = new CallMetrics(metricsRegistry);
  // State: memory by default, Redis when REDIS_URL is set (shared by several instances).
  const env = options.env ?? {};
  const store = env.REDIS_URL
    ? createRedisStore({
        url: env.REDIS_URL,
        prefix: env.HOLDGATE_REDIS_PREFIX ?? 'holdgate:',
        onError: (err) => logger.warn({ err }, 'redis error'),
      })
    : createMemoryStore();
  await store.queues.seedIfEmpty(config.queues);
  await seedAdminKeyFromEnv(store, env);
  if (recordingHub) await rebuildCatalog(store.catalog, recordingConfig.dir);
  // Consent (issue 6): prompts per queue and language, checked (and synthesized) now, so a
  // missing purpose text or prompt stops start-up instead of a call.
  const consentPrompts = new ConsentPromptLibrary(config.prompts);
  if (media) for (const queue of await store.queues.list()) await consentPrompts.prepare(queue);
  const dtmfRouter = media ? new DtmfRouter(media) : undefined;
  const b2bua = new B2bua(core, {
    config,
    logger: callsLogger,
    consent: {
      prompts: consentPrompts,
      record: (record) => {
        callMetrics.consentSettled(record.queue, record.outcome);
        store.consent.append(record).catch((err: unknown) => {
          logger.error({ err, callId: record.callId }, 'consent record not stored');
        });
      },
    },
    ...(media
      ? {
          seamFor: (call: SeamCallInfo) =>
            new MediaSeam(media, {
              callId: call.id,
              bindAddress: mediaConfig.address,
              ...(dtmfRouter ? { dtmf: dtmfRouter } : {}),
              advertisedAddress: mediaConfig.advertisedAddress ?? mediaConfig.address,
              latching: mediaConfig.latching,
              logger: callsLogger,
              onMediaFinished: (stats) => callMetrics.mediaFinished(stats),
              ...(recordingHub && recordingFor(call.queueConfig).enabled
                ? {
                    recording: {
                      config: recordingFor(call.queueConfig),
                      hub: recordingHub,
                      queue: call.queue,
                      from: call.from,
                      to: call.to,
                      startedAtMs: call.startedAt,
                      consentPolicy: call.queueConfig.consent?.policy ?? 'none',
                      ...detectionFor(call.queueConfig),
                      onHoldDetected: (cause: string, latency: number) => {
                        callMetrics.holdDetected(cause, latency);
                      },
                      onFinished: (meta: RecordingMetadata) => {
                        callMetrics.recordingFinished(meta);
                        indexRecording(store.catalog, recordingConfig.dir, meta.id).catch(
                          (err: unknown) => {
                            logger.warn({ err, recording: meta.id }, 'recording not indexed');
                          },
                        );
                      },
                    },
                  }
                : {}),
            }),
        }
      : {}),
  });
  media?.on('mediaTimeout', (_sessionId, callId) => b2bua.endCall(callId, 'media timeout'));
  media?.on('sessionLost', (_sessionId, callId, reason) =>
    b2bua.endCall(callId, `media lost: ${reason}`),
  );
  transactions.setUser(core);
  core.setUser(b2bua);
  transport.setListener({ onMessage: (message, ctx) => transactions.receive(message, ctx) });
  await transport.start();

  // Queues live in the store: a change made through the API (or on another instance sharing
  // Redis) applies to new calls here within a couple of seconds; hold detection lets go then of
  // what no queue uses any more (HoldDetection.retainQueues).
  const applyQueues = (queues: QueueConfig[]): void => {
    b2bua.setQueues(queues);
    detectors?.retainQueues(queues);
  };
  const queueRefresh = setInterval(() => {
    store.queues
      .list()
      .then(applyQueues, (err: unknown) => logger.warn({ err }, 'queues not refreshed'));
  }, 2000);
  queueRefresh.unref();
  applyQueues(await store.queues.list());

  // Live calls: with Redis, every instance's calls are visible and controllable from any API.
  const localControl = new B2buaCallControl(b2bua);
  const shared =
    store.kind === 'redis'
      ? new SharedCallControl({
          local: localControl,
          registry: store.liveCalls,
          logger: callsLogger,
        })
      : undefined;
  if (shared) {
    await shared.start(env.HOLDGATE_INSTANCE_ID ?? `${hostname()}-${randomUUID().slice(0, 8)}`);
    await shared.refresh().catch((err: unknown) => logger.warn({ err }, 'live calls not shared'));
  }
  const callControl: CallControl = shared ?? localControl;
  const liveRefresh = setInterval(() => {
    shared?.refresh().catch((err: unknown) => logger.warn({ err }, 'live calls not refreshed'));
  }, 2000);
  liveRefresh.unref();
  const adminConfig = config.admin;
  let admin: Awaited<ReturnType<typeof buildAdminApp>> | undefined;
  let sweep: NodeJS.Timeout | undefined;
  if (adminConfig.enabled) {
    admin = await buildAdminApp({
      store,
      callControl,
      recordingsDir: recordingConfig.dir,
      config,
      logger: logger.child({ layer: 'admin' }),
      metricsRegistry,
      ...(media ? { prepareQueue: (queue: QueueConfig) => consentPrompts.prepare(queue) } : {}),
    });
    await admin.listen({ host: adminConfig.address, port: adminConfig.port });
    const sweeper = new RetentionSweeper({ store, recordingsDir: recordingConfig.dir, logger });
    sweep = setInterval(() => {
      sweeper.sweep().catch((err: unknown) => logger.error({ err }, 'retention sweep failed'));
    }, adminConfig.retentionSweepSeconds * 1000);
    sweep.unref();
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      clearInterval(queueRefresh);
      if (sweep) clearInterval(sweep);
      await admin?.close();
      clearInterval(liveRefresh);
      await shared?.close().catch(() => undefined);
      b2bua.endAll('shutdown');
      // Give the BYEs a moment to leave before the sockets close.
      await new Promise((r) => setTimeout(r, 50));
      core.close();
      transactions.close();
      await recordingHub?.close();
      await Promise.all([transport.close(), media?.close()]);
      await store.close();
    })();
    return closed;
  };

  return {
    config,
    logger,
    transport,
    transactions,
    core,
    b2bua,
    callControl,
    store,
    adminAddress: () => {
      const a = admin?.server.address();
      return a && typeof a === 'object' ? { address: a.address, port: a.port } : undefined;
    },
    media,
    localEndpoints: () => transport.localEndpoints(),
    drain: async (deadlineMs = sip.drainDeadlineSeconds * 1000) => {
      await b2bua.drain(deadlineMs);
    },
    close,
  };
}
