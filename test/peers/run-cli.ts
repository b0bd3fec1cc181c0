// Runs the holdgate CLI from TypeScript sources (tests spawn this with `node --import tsx`).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
