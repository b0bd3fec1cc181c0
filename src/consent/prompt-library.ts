import { join } from 'node:path';
import type { PromptsConfig, QueueConfig } from '../config/schema.js';
import { HoldgateError } from '../errors/registry.js';
import { g711SilenceByte, type G711Law } from '../media/g711/index.js';
import { PromptCache, type ConvertedPrompt } from '../media/prompt/index.js';
import { consentPolicyOf } from './consent-policy.js';
import {
  DEFAULT_PROMPT_LANGUAGES,
  defaultPromptText,
  synthesizePrompt,
  type PromptKind,
} from './default-prompts.js';

/** One prompt ready to play: 20 ms G.711 payloads plus what the consent record names. */
export interface ConsentPrompt {
  readonly file: string;
  /** SHA-256 (hex) of the prompt file's content (issue 6, Build 5). */
  readonly sha256: string;
  readonly durationMs: number;
  readonly payloads: readonly Uint8Array[];
}

export interface ConsentPrompts {
  readonly language: string;
  readonly announcement: ConsentPrompt;
  readonly confirmation: ConsentPrompt;
}

type Files = Record<PromptKind, string>;

const SAMPLES_PER_PACKET = 160;

/**
 * The consent prompts of every queue and language (issue 6, Build 1 and 6): the operator's files
 * where configured, else default prompts synthesized by espeak-ng from the queue's purpose text
 * into `<prompts.dir>/<queue>/<lang>/`. Files are converted to G.711 once by the prompt cache
 * (keyed by content), and split into 20 ms payloads for the relay.
 */
export class ConsentPromptLibrary {
  readonly #config: Readonly<PromptsConfig>;
  readonly #cache: PromptCache;
  readonly #files = new Map<string, Promise<Files>>();
  readonly #payloads = new Map<string, ConsentPrompt>();

  /** `cache` defaults to G.711 conversions in `<prompts.dir>/.g711`. */
  constructor(config: Readonly<PromptsConfig>, cache?: PromptCache) {
    this.#config = config;
    this.#cache = cache ?? new PromptCache({ cacheDir: join(config.dir, '.g711') });
  }

  /** Languages the queue has (or can synthesize) prompts for; the default language first. */
  languagesOf(queue: QueueConfig): Set<string> {
    const consent = queue.consent;
    const out = new Set<string>([consent?.language ?? 'en']);
    for (const lang of Object.keys(consent?.prompts ?? {})) out.add(lang);
    for (const lang of Object.keys(queue.purpose ?? {}))
      if (DEFAULT_PROMPT_LANGUAGES.has(lang)) out.add(lang);
    return out;
  }

  /**
   * Resolves (and synthesizes) every language's prompt files of a queue that asks for consent and
   * converts them, so a configuration error shows at start-up or on the API call that made it,
   * not on a call.
   * @throws HoldgateError `HG_ERR_CONSENT_CONFIG` / `HG_ERR_PROMPT_SYNTHESIS` / `HG_ERR_PROMPT_CONVERT`
   */
  async prepare(queue: QueueConfig): Promise<void> {
    if (consentPolicyOf(queue.consent).name === 'none') return;
    for (const lang of this.languagesOf(queue)) await this.load(queue, lang, 'ulaw');
  }

  /** The prompts of `queue` in `language`, converted to `law`. */
  async load(queue: QueueConfig, language: string, law: G711Law): Promise<ConsentPrompts> {
    const files = await this.filesFor(queue, language);
    const [announcement, confirmation] = await Promise.all([
      this.#prompt(files.announcement, law),
      this.#prompt(files.confirmation, law),
    ]);
    return { language, announcement, confirmation };
  }

  filesFor(queue: QueueConfig, language: string): Promise<Files> {
    const key = `${queue.name}\n${language}\n${JSON.stringify(queue.consent)}\n${JSON.stringify(queue.purpose)}`;
    let files = this.#files.get(key);
    if (files === undefined) {
      files = this.#resolve(queue, language);
      this.#files.set(key, files);
      files.catch(() => this.#files.delete(key));
    }
    return files;
  }

  async #resolve(queue: QueueConfig, language: string): Promise<Files> {
    const policy = consentPolicyOf(queue.consent);
    const given = queue.consent?.prompts[language];
    const dir = join(this.#config.dir, queue.name, language);
    const voice = this.#config.voice[language] ?? language;
    const resolveKind = async (kind: PromptKind): Promise<string> => {
      const file = given?.[kind];
      if (file !== undefined) return file;
      const purpose = queue.purpose?.[language];
      if (kind === 'announcement' && purpose === undefined) {
        throw new HoldgateError(
          'HG_ERR_CONSENT_CONFIG',
          `queue ${queue.name}: consent needs purpose.${language} or consent.prompts.${language}.announcement`,
          { queue: queue.name, language },
        );
      }
      const text = defaultPromptText(kind, policy.name, language, purpose ?? '', policy.digit);
      if (text === undefined) {
        throw new HoldgateError(
          'HG_ERR_CONSENT_CONFIG',
          `queue ${queue.name}: no default ${kind} prompt in "${language}"; configure consent.prompts.${language}.${kind}`,
          { queue: queue.name, language },
        );
      }
      return synthesizePrompt(dir, kind, voice, text);
    };
    return {
      announcement: await resolveKind('announcement'),
      confirmation: await resolveKind('confirmation'),
    };
  }

  /**
   * One prompt ready to play. The 20 ms payloads of a conversion are cut once and shared by every
   * call (keyed by the content-addressed conversion, so an edited file gets new payloads).
   */
  async #prompt(file: string, law: G711Law): Promise<ConsentPrompt> {
    const converted = await this.#cache.load(file, law);
    const key = `${file}\n${converted.path}`;
    let prompt = this.#payloads.get(key);
    if (prompt === undefined) {
      prompt = this.#packetize(file, converted);
      this.#payloads.set(key, prompt);
    }
    return prompt;
  }

  #packetize(file: string, converted: ConvertedPrompt): ConsentPrompt {
    const audio = converted.audio;
    const payloads: Uint8Array[] = [];
    for (let at = 0; at < audio.length; at += SAMPLES_PER_PACKET) {
      const p = new Uint8Array(SAMPLES_PER_PACKET).fill(g711SilenceByte(converted.law));
      p.set(audio.subarray(at, Math.min(audio.length, at + SAMPLES_PER_PACKET)));
      payloads.push(p);
    }
    return { file, sha256: converted.sourceSha256, durationMs: converted.durationMs, payloads };
  }
}
