/** Consent (issue 6): policy, the dialogue's state machine, digits, prompts, RFC 7866 hints. */
export {
  announces,
  consentPolicyOf,
  pickLanguage,
  type ConsentPlacement,
  type ConsentPolicy,
  type ConsentPolicyName,
} from './consent-policy.js';
export {
  ConsentSession,
  type ConsentDigit,
  type ConsentOutcome,
  type ConsentPhase,
  type ConsentStep,
} from './consent-session.js';
export {
  CROSS_SOURCE_WINDOW_MS,
  DigitDeduplicator,
  type DigitSource,
} from './digit-deduplicator.js';
export { DigitSequence, INTER_DIGIT_TIMEOUT_MS } from './digit-sequence.js';
export { parseInfoDigit, type InfoDigit } from './dtmf-info.js';
export {
  DEFAULT_PROMPT_LANGUAGES,
  defaultPromptText,
  synthesizePrompt,
  type PromptKind,
} from './default-prompts.js';
export { ConsentPromptLibrary, type ConsentPrompt, type ConsentPrompts } from './prompt-library.js';
