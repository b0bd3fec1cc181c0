export { buildAdminApp, type AdminAppOptions } from './build-admin-app.js';
export { createApiKey, seedAdminKeyFromEnv, hashApiKey, ADMIN_KEY_ENV } from './api-keys.js';
export { RetentionSweeper, type RetentionSweeperOptions } from './retention-sweeper.js';
export { rebuildCatalog, indexRecording, catalogEntryFrom } from './recording-files.js';
export { loadOrCreateReceiptKey, defaultReceiptKeyFile } from './erasure-receipts.js';
