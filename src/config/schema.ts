import { Type, type Static } from '@sinclair/typebox';

/**
 * The configuration schema: the single source of both the JSON schema and the TypeScript type.
 * Every option states its unit and default. Validated once at start-up (see `load-config.ts`).
 */

const ListenSchema = Type.Object(
  {
    protocol: Type.Union([Type.Literal('udp'), Type.Literal('tcp')], {
      description: 'Transport protocol of this listener.',
    }),
    address: Type.String({
      description: "IP literal to bind (IPv4 or IPv6; '0.0.0.0' or '::' for all).",
      minLength: 1,
    }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      description: 'UDP/TCP port (0: any free port).',
    }),
  },
  { additionalProperties: false },
);

const SipSchema = Type.Object(
  {
    listen: Type.Array(ListenSchema, {
      minItems: 1,
      description: 'Where holdgate receives SIP (both legs share these listeners).',
      default: [
        { protocol: 'udp', address: '0.0.0.0', port: 5060 },
        { protocol: 'tcp', address: '0.0.0.0', port: 5060 },
      ],
    }),
    advertisedAddress: Type.Optional(
      Type.String({
        description:
          'Address to put in Via and Contact when listening on a wildcard address. Default: the listen address, or 127.0.0.1 for a wildcard.',
      }),
    ),
    t1Ms: Type.Integer({
      minimum: 50,
      default: 500,
      description: 'RFC 3261 T1, RTT estimate (ms). Default 500.',
    }),
    t2Ms: Type.Integer({
      minimum: 100,
      default: 4000,
      description: 'RFC 3261 T2, max retransmit interval (ms). Default 4000.',
    }),
    t4Ms: Type.Integer({
      minimum: 100,
      default: 5000,
      description: 'RFC 3261 T4, max message lifetime (ms). Default 5000.',
    }),
    maxMessageBytes: Type.Integer({
      minimum: 1024,
      maximum: 65535,
      default: 65535,
      description: 'Largest SIP message accepted (bytes). Default 65535.',
    }),
    maxHeaders: Type.Integer({
      minimum: 16,
      default: 256,
      description: 'Most header fields in one message. Default 256.',
    }),
    maxTransactions: Type.Integer({
      minimum: 10,
      default: 20000,
      description: 'Cap on live transactions; beyond it new requests get 503. Default 20000.',
    }),
    maxDialogs: Type.Integer({
      minimum: 2,
      default: 10000,
      description: 'Cap on live calls; beyond it new INVITEs get 503. Default 10000.',
    }),
    rateLimitPerSource: Type.Number({
      minimum: 1,
      default: 500,
      description:
        'Out-of-dialog requests per second accepted from one source IP (token bucket). Default 500.',
    }),
    rateLimitBurst: Type.Number({
      minimum: 1,
      default: 1000,
      description: 'Token bucket size per source (requests). Default 1000.',
    }),
    tcpIdleTimeoutSeconds: Type.Number({
      minimum: 1,
      default: 64,
      description: 'Close idle TCP connections after this (s). Default 64.',
    }),
    copyHeaders: Type.Array(Type.String(), {
      default: [
        'P-Asserted-Identity',
        'P-Preferred-Identity',
        'Privacy',
        'Diversion',
        'History-Info',
        'User-to-User',
        'Subject',
        'Priority',
        'Call-Info',
        'Alert-Info',
        'Accept-Language',
      ],
      description:
        'Headers copied from the caller INVITE to the PBX INVITE (allow-list, case-insensitive).',
    }),
    userAgent: Type.String({
      default: 'holdgate',
      description: 'User-Agent / Server header value. Default "holdgate".',
    }),
    drainDeadlineSeconds: Type.Number({
      minimum: 0,
      default: 3600,
      description:
        'On SIGTERM, calls in progress may run this long before they are ended (s). Default 3600.',
    }),
    retryAfterSeconds: Type.Integer({
      minimum: 0,
      default: 30,
      description: 'Retry-After on 503 while draining or overloaded (s). Default 30.',
    }),
  },
  { additionalProperties: false, default: {} },
);

const MatchSchema = Type.Object(
  {
    requestUser: Type.Optional(
      Type.String({
        description: 'Regular expression the Request-URI user must match (anchored).',
      }),
    ),
    toUser: Type.Optional(
      Type.String({ description: 'Regular expression the To URI user must match (anchored).' }),
    ),
    header: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'Header name.' }),
          pattern: Type.String({
            description: 'Regular expression its value must match (anchored).',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'All given rules must match. The first matching queue wins.',
  },
);

/**
 * How a queue's wait for an agent is kept out of the recording (issue 5: "the wait in the queue
 * before an agent picks up ... is hold too").
 */
const QueueWaitSchema = Type.Union([Type.Literal('detect'), Type.Literal('until-new-source')], {
  default: 'detect',
  description:
    "How the queue's wait for an agent is kept out of the recording. 'detect': as any hold, by the hold-music detectors (and SDP hold). 'until-new-source': paused from the answer until the audio the PBX sends the caller comes from a new RTP source (SSRC), which is how Asterisk's Queue() bridges the agent who answers; nothing the caller says while waiting is recorded, whatever the PBX plays. Only for PBXs that change the SSRC when they bridge the agent: on one that keeps it, such calls record nothing (the recording shows one queue-wait pause to the end, and holdgate logs a warning). Default 'detect'.",
});

/** Hold heard, not signalled (issue 5): detectors run on what the caller hears. */
const DetectionSchema = Type.Object(
  {
    knownMusic: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        "Files or directories of the hold music the PBXs play (e.g. /var/lib/asterisk/moh); fingerprinted at start-up and matched live. Any format ffmpeg reads, and Asterisk's headerless ones by extension (.ulaw, .alaw, .sln, .sln16, .gsm, .g722...); a directory's track kept in several formats is fingerprinted once, from the most faithful. Default: none.",
    }),
    classifier: Type.Boolean({
      default: false,
      description:
        'Run the music/speech classifier for hold music nobody configured. Default false.',
    }),
    announcementSeconds: Type.Number({
      minimum: 0,
      maximum: 120,
      default: 10,
      description:
        'The longest queue announcement the PBX plays between its hold music: known music that stops for up to this long is still the same hold (the recording resumes this long after the music ended), and the classifier lets go of a hold only after about this long of a voice with no music under it. Default 10.',
    }),
    queueWait: QueueWaitSchema,
    silentStart: Type.Boolean({
      default: true,
      description:
        'On a queue with hold-music detection: the start of what the PBX sends (the answer, and each new RTP source) is judged with its first sound. If it is still silent, or its first sound is still being judged, when the delay line would write it, the caller is paused from that start; unless hold music is found within 1.5 s of the first sound, the recording then resumes from the start again: the delay line gives back the sound, and what the caller said in the silence before it (more than 2.5 s before the judgement) is lost. A queue wait that opens with silence (Answer, Wait) writes none of it. false: the silence is recorded. Default true.',
    }),
    learnedMinutes: Type.Number({
      minimum: 0,
      maximum: 240,
      default: 60,
      description:
        'With the classifier: how much hold music it learned (audio it judged hold that no known track matched) each library keeps, so that later calls recognise it as known; past it the oldest learned is forgotten first. A queue whose hold music never repeats (a radio stream) would otherwise learn without end. Each 20 s learned re-indexes all of it on the main thread: about 7 ms at 60 minutes, 16 ms at 240 (the most allowed). 0: learn nothing. Default 60.',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** Per-queue recording overrides: each key, when given, replaces the global `recording` value. */
const QueueRecordingSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ description: "Record this queue's calls. Default: recording.enabled." }),
    ),
    format: Type.Optional(
      Type.Union(
        [Type.Literal('wav'), Type.Literal('flac'), Type.Literal('opus'), Type.Literal('mp3')],
        {
          description: 'Audio format. Default: recording.format.',
        },
      ),
    ),
    pauseBehaviour: Type.Optional(
      Type.Union([Type.Literal('gap'), Type.Literal('silence')], {
        description: 'Default: recording.pauseBehaviour.',
      }),
    ),
    delaySeconds: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 10,
        description: 'Delay line D (s). Default: recording.delaySeconds.',
      }),
    ),
    retentionDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Retention (days). Default: recording.retentionDays.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** RFC 4733 §3.2 keys usable as consent digits. */
const DIGIT = '^[0-9*#A-D]$';

/** One language's prompt files (any format ffmpeg reads); absent ones are synthesized. */
const PromptFilesSchema = Type.Object(
  {
    announcement: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The announcement; it must state the purpose. Default: synthesized by espeak-ng from the purpose text (en and nl only).',
      }),
    ),
    confirmation: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Played after the digit was accepted. Default: synthesized by espeak-ng (en and nl only).',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Per-queue consent (issue 6): announcement, opt-out or opt-in by DTMF. */
const QueueConsentSchema = Type.Object(
  {
    policy: Type.Union(
      [
        Type.Literal('none'),
        Type.Literal('announce'),
        Type.Literal('opt-out'),
        Type.Literal('opt-in'),
      ],
      {
        default: 'none',
        description:
          'none: record without announcement (e.g. a legal duty); announce: announce, then record; opt-out: record unless the caller presses the digit; opt-in: record only if the caller presses it. Default none.',
      },
    ),
    placement: Type.Union([Type.Literal('answer'), Type.Literal('early-media')], {
      default: 'answer',
      description:
        'answer: holdgate answers the caller (200) and settles consent before the PBX leg exists; early-media: 183 with SDP, the caller is answered when the PBX answers. Default answer.',
    }),
    digit: Type.Optional(
      Type.String({
        pattern: DIGIT,
        description: 'The consent digit. Default 9 for opt-out, 1 for opt-in.',
      }),
    ),
    timeoutSeconds: Type.Number({
      minimum: 0,
      maximum: 60,
      default: 5,
      description: 'How long a digit is awaited after the announcement ends (s). Default 5.',
    }),
    lateOptOutDigits: Type.Optional(
      Type.String({
        pattern: '^[0-9*#A-D]{1,8}$',
        description:
          'Digits that opt out later in the call (recording stops and everything recorded is deleted), e.g. "*9". Default: late opt-out off.',
      }),
    ),
    language: Type.String({
      pattern: '^[a-z]{2,3}$',
      default: 'en',
      description: 'Prompt language when no header picks one. Default en.',
    }),
    languageHeader: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'SIP header whose value picks the language (e.g. Accept-Language: first tag with prompts). Default: none.',
      }),
    ),
    recordpref: Type.Union([Type.Literal('honour'), Type.Literal('ignore')], {
      default: 'honour',
      description:
        'RFC 7866 a=recordpref in the caller offer: honour (off counts as opt-out, on as opt-in) or ignore. Default honour.',
    }),
    prompts: Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), PromptFilesSchema, {
      default: {},
      description: 'Prompt files per language. Default: synthesized en and nl prompts.',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const QueueSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'Queue identifier.',
    }),
    match: MatchSchema,
    pbx: Type.Object(
      {
        host: Type.String({ minLength: 1, description: 'PBX address (IP literal).' }),
        port: Type.Integer({
          minimum: 1,
          maximum: 65535,
          default: 5060,
          description: 'PBX SIP port. Default 5060.',
        }),
        transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp')], {
          default: 'udp',
          description: 'Transport to the PBX. Default udp.',
        }),
        user: Type.Optional(
          Type.String({
            description: "Request-URI user toward the PBX. Default: the caller's Request-URI user.",
          }),
        ),
      },
      { additionalProperties: false },
    ),
    recording: Type.Optional(QueueRecordingSchema),
    consent: Type.Optional(QueueConsentSchema),
    purpose: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), Type.String({ minLength: 1 }), {
        description:
          'Why this queue records, per language (e.g. en: "to train our staff"); stated in the consent announcement and kept in the consent record. Default: none.',
      }),
    ),
    listenRoles: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('supervisor'),
          Type.Literal('privacy-officer'),
          Type.Literal('admin'),
        ]),
        {
          uniqueItems: true,
          description:
            "API roles that may listen to (download) this queue's recordings. Default: supervisor and every role above it.",
        },
      ),
    ),
    detection: Type.Optional(
      Type.Object(
        {
          knownMusic: Type.Optional(
            Type.Array(Type.String({ minLength: 1 }), {
              description: 'Default: detection.knownMusic.',
            }),
          ),
          classifier: Type.Optional(
            Type.Boolean({ description: 'Default: detection.classifier.' }),
          ),
          announcementSeconds: Type.Optional(
            Type.Number({
              minimum: 0,
              maximum: 120,
              description: 'Default: detection.announcementSeconds.',
            }),
          ),
          queueWait: Type.Optional(
            Type.Union([Type.Literal('detect'), Type.Literal('until-new-source')], {
              description: 'Default: detection.queueWait.',
            }),
          ),
          silentStart: Type.Optional(
            Type.Boolean({ description: 'Default: detection.silentStart.' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const MediaSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        'Anchor RTP through holdgate (required for gating and recording). false: SDP passes through unchanged. Default true.',
    }),
    address: Type.String({
      default: '127.0.0.1',
      description: 'IP literal the RTP relay binds for both legs. Default 127.0.0.1.',
    }),
    advertisedAddress: Type.Optional(
      Type.String({ description: 'Address written into SDP c= lines. Default: `address`.' }),
    ),
    portMin: Type.Integer({
      minimum: 1024,
      maximum: 65534,
      default: 20000,
      description: 'Lowest RTP port (even). Default 20000.',
    }),
    portMax: Type.Integer({
      minimum: 1025,
      maximum: 65535,
      default: 29999,
      description: 'Highest RTP port. Default 29999.',
    }),
    workers: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        description: 'Relay worker threads. Default: CPU cores - 1, at least 1.',
      }),
    ),
    mediaTimeoutSeconds: Type.Number({
      minimum: 1,
      default: 30,
      description:
        'No RTP in either direction for this long ends the call with BYE on both legs (s). Default 30.',
    }),
    latching: Type.Union([Type.Literal('symmetric'), Type.Literal('strict')], {
      default: 'symmetric',
      description:
        "symmetric: send to where a party's RTP really comes from (NAT); strict: accept RTP only from the SDP address. Default symmetric.",
    }),
  },
  { additionalProperties: false, default: {} },
);

const RecordingSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Record calls (needs media.enabled). Default true.',
    }),
    dir: Type.String({
      minLength: 1,
      default: './recordings',
      description: 'Directory for spools, audio files and metadata. Default ./recordings.',
    }),
    format: Type.Union(
      [Type.Literal('wav'), Type.Literal('flac'), Type.Literal('opus'), Type.Literal('mp3')],
      {
        default: 'wav',
        description:
          'Audio format: WAV PCM16 stereo (caller left, agent right), FLAC, Opus or MP3. Default wav.',
      },
    ),
    pauseBehaviour: Type.Union([Type.Literal('gap'), Type.Literal('silence')], {
      default: 'gap',
      description:
        'gap: paused time is cut out (segments map file time to call time); silence: digital silence keeps wall-clock alignment. Default gap.',
    }),
    delaySeconds: Type.Number({
      minimum: 0,
      maximum: 10,
      default: 2.5,
      description:
        'Delay line D: recorder-bound audio is held this long so a pause can be back-dated to its onset (s). Default 2.5.',
    }),
    retentionDays: Type.Integer({
      minimum: 1,
      default: 90,
      description: 'Retention deadline written into the metadata (days). Default 90.',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** The admin REST API (issue 7). Secrets (API keys) come from the environment, never from here. */
const AdminSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Serve the admin API (config/default.yaml turns it on). Default false.',
    }),
    address: Type.String({
      default: '127.0.0.1',
      description: 'IP literal the admin HTTP server binds. Default 127.0.0.1 (local only).',
    }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 8080,
      description: 'Admin HTTP port (0: any free port). Default 8080.',
    }),
    receiptKeyFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'PEM file of the Ed25519 private key that signs erasure receipts. Default: generated once and kept at <recording.dir>/.holdgate/receipt-key.pem.',
      }),
    ),
    authFailuresPerMinute: Type.Integer({
      minimum: 1,
      default: 10,
      description:
        'Failed authentications accepted per source IP and minute; beyond it every request from that source gets 429 until the minute ends. Default 10.',
    }),
    retentionSweepSeconds: Type.Number({
      minimum: 1,
      default: 3600,
      description:
        'How often the retention sweeper deletes recordings past their retainUntil (s). Default 3600.',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** Where consent prompts live (issue 6, Build 6). */
const PromptsSchema = Type.Object(
  {
    dir: Type.String({
      minLength: 1,
      default: './prompts',
      description:
        'Directory of the synthesized default prompts (<dir>/<queue>/<lang>/) and of the G.711 conversions of every prompt (<dir>/.g711). Default ./prompts.',
    }),
    voice: Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), Type.String({ minLength: 1 }), {
      default: { en: 'en-us', nl: 'nl' },
      description:
        'espeak-ng voice per language for synthesized prompts. Default en: en-us, nl: nl.',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    sip: SipSchema,
    media: MediaSchema,
    recording: RecordingSchema,
    detection: DetectionSchema,
    acl: Type.Object(
      {
        trunks: Type.Array(Type.String(), {
          description:
            'CIDRs whose INVITEs are accepted (carrier trunks). Anything else gets 403. Default: none.',
          default: [],
        }),
        pbx: Type.Array(Type.String(), {
          description:
            'CIDRs of PBXs (their in-dialog requests are always accepted). Default: the queue targets.',
          default: [],
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    queues: Type.Array(QueueSchema, { default: [], description: 'Call queues, matched in order.' }),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) =>
            Type.Literal(l),
          ),
          { default: 'info', description: 'pino log level. Default info.' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    admin: AdminSchema,
    prompts: PromptsSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type QueueConfig = Static<typeof QueueSchema>;
export type AdminConfig = Static<typeof AdminSchema>;
export type SipConfig = Static<typeof SipSchema>;
export type MediaConfig = Static<typeof MediaSchema>;
export type RecordingConfig = Static<typeof RecordingSchema>;
export type QueueConsentConfig = Static<typeof QueueConsentSchema>;
export type PromptFilesConfig = Static<typeof PromptFilesSchema>;
export type PromptsConfig = Static<typeof PromptsSchema>;
export type DetectionConfig = Static<typeof DetectionSchema>;
