/**
 * Erasure receipts: the written confirmation of an erasure request (GDPR Art. 17 with the
 * accountability of Art. 5(2)). Each lists what was deleted and when, is signed with Ed25519
 * over its canonical JSON, and is kept as `<recordingsDir>/receipts/<id>.json`, so it survives
 * restarts and is visible to every instance sharing the recordings storage.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HoldgateError } from '../errors/registry.js';
import { writeFileAtomic } from '../recorder/recording-metadata.js';
import { canonicalJson } from '../store/index.js';

export interface ErasedRecording {
  id: string;
  callId: string;
  queue: string;
  startedAt: string;
  audioSha256: string | null;
  files: string[];
}

export interface ErasureReceipt {
  id: string;
  /** The number the request named. */
  subject: string;
  /** Key id of the privacy officer who made the request. */
  requestedBy: string;
  erasedAt: string;
  recordings: ErasedRecording[];
  /** Public key (SPKI PEM) that verifies `signature`. */
  publicKey: string;
  /** Base64 Ed25519 signature over the canonical JSON of every other field. */
  signature: string;
}

export type ReceiptVerifyResult = { ok: true } | { ok: false; reason: string };

/** Loads the signing key from `keyFile`, or generates it there (mode 0600) on first use. */
export async function loadOrCreateReceiptKey(keyFile: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await readFile(keyFile, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new HoldgateError('HG_ERR_RECEIPT_KEY', keyFile, { keyFile }, err);
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // another instance created it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateReceiptKey(keyFile);
    throw new HoldgateError('HG_ERR_RECEIPT_KEY', keyFile, { keyFile }, err);
  }
  return privateKey;
}

export function defaultReceiptKeyFile(recordingsDir: string): string {
  return join(recordingsDir, '.holdgate', 'receipt-key.pem');
}

export class ReceiptBook {
  private readonly publicKey: KeyObject;
  private readonly publicPem: string;

  constructor(
    private readonly dir: string,
    private readonly privateKey: KeyObject,
  ) {
    this.publicKey = createPublicKey(privateKey);
    this.publicPem = this.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  }

  /** Signs and stores a receipt. */
  async issue(body: Omit<ErasureReceipt, 'publicKey' | 'signature'>): Promise<ErasureReceipt> {
    const unsigned = { ...body, publicKey: this.publicPem };
    const signature = sign(null, Buffer.from(canonicalJson(unsigned)), this.privateKey);
    const receipt: ErasureReceipt = { ...unsigned, signature: signature.toString('base64') };
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.path(receipt.id), JSON.stringify(receipt, null, 2) + '\n');
    return receipt;
  }

  async get(id: string): Promise<ErasureReceipt | undefined> {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(this.path(id), 'utf8')) as ErasureReceipt;
    } catch {
      return undefined;
    }
  }

  /** Verifies against this holdgate's key (not the key the receipt claims). */
  verify(receipt: ErasureReceipt): ReceiptVerifyResult {
    const { signature, ...unsigned } = receipt;
    if (unsigned.publicKey !== this.publicPem) {
      return { ok: false, reason: 'signed with a different key' };
    }
    const good = verify(
      null,
      Buffer.from(canonicalJson(unsigned)),
      this.publicKey,
      Buffer.from(signature, 'base64'),
    );
    return good ? { ok: true } : { ok: false, reason: 'signature does not match the contents' };
  }

  private path(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}
