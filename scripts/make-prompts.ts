/**
 * Renders the default consent prompts (issue 6, Build 6) of every queue of a configuration with
 * espeak-ng, in English and Dutch, into `prompts.dir/<queue>/<lang>/`, and prints where each is.
 * holdgate does the same at start-up for what is missing; run this to hear (and replace) them.
 *
 *   node --import tsx scripts/make-prompts.ts [config.yaml]      (default config/default.yaml)
 */
import { loadConfigFile } from '../src/config/load-config.js';
import { ConsentPromptLibrary, consentPolicyOf } from '../src/consent/index.js';

const file = process.argv[2] ?? 'config/default.yaml';
const config = loadConfigFile(file);
const library = new ConsentPromptLibrary(config.prompts);
let failed = false;
for (const queue of config.queues) {
  if (consentPolicyOf(queue.consent).name === 'none') continue;
  for (const language of library.languagesOf(queue)) {
    try {
      const files = await library.filesFor(queue, language);
      console.log(`${queue.name} ${language} announcement ${files.announcement}`);
      console.log(`${queue.name} ${language} confirmation ${files.confirmation}`);
    } catch (err) {
      failed = true;
      console.error(
        `${queue.name} ${language}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
process.exitCode = failed ? 1 : 0;
