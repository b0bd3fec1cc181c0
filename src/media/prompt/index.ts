/** Prompt playback material: cached conversion to G.711 and RTP packetization. */
export { PromptCache, type ConvertedPrompt, type PromptCacheOptions } from './prompt-cache.js';
export { PromptPacketizer, type PromptPacketizerOptions } from './prompt-packetizer.js';
