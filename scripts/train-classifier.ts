/**
 * Trains the unknown-hold-music classifier (issue 5, Build 2) on a corpus made by
 * scripts/make-corpus.sh and writes src/detect/classifier/weights.json.
 *
 *   node --import tsx scripts/train-classifier.ts <corpus-dir> [--hidden 0] [--l2 3e-3] [--epochs 600] [--out path]
 *
 * Features are extracted by the very WindowFeatures class the detector runs, over the corpus's
 * "train" split only (the "test" split is left to `npm run bench -- moh`), with 1 % lost frames.
 * Labels: 1 inside the sidecar's hold intervals (all music the PBX sends counts as hold), else 0.
 * `hold-announce` files are left out: their announcements are speech labelled hold, which the
 * state machine's hysteresis handles, not the frame model. The model is a tiny tanh MLP (or
 * logistic regression, the default: monotone in every feature, it does not extrapolate wildly on
 * talkers or levels outside the corpus the way the MLP did) fitted by full-batch Adam on a
 * class-balanced log loss.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  WindowFeatures,
} from '../src/detect/classifier/window-features.js';
import { CLIP, type ModelWeights } from '../src/detect/classifier/score-model.js';
import { readWav8k } from '../src/detect/known-music/index.js';

export interface CorpusFile {
  readonly path: string;
  readonly name: string;
  readonly cls: string;
  readonly split: 'train' | 'test';
  readonly durationS: number;
  readonly hold: readonly (readonly [number, number])[];
  readonly source: string;
  readonly codec: string;
}

/** Lists the scenario files of a corpus directory (each `<class>/<name>.wav` with its `.json`). */
export async function listCorpus(dir: string): Promise<CorpusFile[]> {
  const out: CorpusFile[] = [];
  for (const cls of (await readdir(dir)).sort()) {
    let names: string[];
    try {
      names = (await readdir(join(dir, cls))).filter((n) => n.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      const meta = JSON.parse(await readFile(join(dir, cls, n), 'utf8')) as {
        class: string;
        split: 'train' | 'test';
        durationS: number;
        hold: [number, number][];
        source: string;
        codec: string;
      };
      out.push({
        path: join(dir, cls, n.replace(/\.json$/, '.wav')),
        name: `${cls}/${n.replace(/\.json$/, '')}`,
        cls: meta.class,
        split: meta.split,
        durationS: meta.durationS,
        hold: meta.hold,
        source: meta.source,
        codec: meta.codec,
      });
    }
  }
  return out;
}

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zeroes a share `rate` of the 20 ms frames (lost packets without concealment), in place. */
export function dropFrames(pcm: Int16Array, rate: number, rand: () => number): Int16Array {
  for (let f = 0; f + 160 <= pcm.length; f += 160) if (rand() < rate) pcm.fill(0, f, f + 160);
  return pcm;
}

/** True when time `t` (s) lies in one of the hold intervals. */
export function inHold(hold: readonly (readonly [number, number])[], t: number): boolean {
  for (const [a, b] of hold) if (t >= a && t < b) return true;
  return false;
}

const CLASS_WEIGHT: Record<string, number> = {
  speech: 3,
  'speech-with-radio': 1.5,
  'voice-over': 1.5,
};

/** Seconds after a change of label during which frames are not used for training. */
export const LABEL_SETTLE_S = 1.2;

export interface Sample {
  readonly x: Float64Array;
  readonly y: number;
  w: number;
  readonly cls: string;
}

/**
 * Feature vectors of every second frame of `files` (1 % lost frames, seeded). Frames less than
 * LABEL_SETTLE_S after a change of label are left out: their 1 s window mixes both classes.
 * (Later frames keep the new label although the 3 s window still holds the old class: the model
 * must follow a change within about a second for the delay line to cover the onset.)
 */
export function extract(files: readonly CorpusFile[], seed = 7): Sample[] {
  const samples: Sample[] = [];
  const rand = seededRandom(seed);
  for (const f of files) {
    const pcm = dropFrames(readWav8k(f.path), 0.01, rand);
    const wf = new WindowFeatures();
    const frame = new Int16Array(160);
    for (let i = 0, k = 0; i + 160 <= pcm.length; i += 160, k++) {
      frame.set(pcm.subarray(i, i + 160));
      const x = wf.push(frame);
      if (k < 25 || k % 2 !== 0) continue;
      const t = (i + 80) / 8000;
      const y = inHold(f.hold, t);
      if (inHold(f.hold, Math.max(0, t - LABEL_SETTLE_S)) !== y) continue;
      samples.push({ x: Float64Array.from(x), y: y ? 1 : 0, w: 1, cls: f.cls });
    }
  }
  return samples;
}

/**
 * Fits the model. `l2`: weight decay on all parameters; large enough that the tanh units stay
 * near-linear and the model generalises to talkers and music it never saw (tune on the train
 * split, never on the test split).
 */
export function train(samples: Sample[], hidden: number, epochs: number, l2 = 3e-3): ModelWeights {
  const n = samples.length;
  const F = FEATURE_COUNT;
  // Class-balanced weights: every (class, label) group sums to its class weight.
  const groups = new Map<string, number>();
  for (const s of samples) groups.set(`${s.cls}:${s.y}`, (groups.get(`${s.cls}:${s.y}`) ?? 0) + 1);
  let wPos = 0;
  let wNeg = 0;
  for (const s of samples) {
    s.w = (CLASS_WEIGHT[s.cls] ?? 1) / groups.get(`${s.cls}:${s.y}`)!;
    if (s.y === 1) wPos += s.w;
    else wNeg += s.w;
  }
  for (const s of samples) s.w /= s.y === 1 ? 2 * wPos : 2 * wNeg;

  const mean = new Float64Array(F);
  const std = new Float64Array(F);
  for (const s of samples) for (let i = 0; i < F; i++) mean[i]! += s.x[i]! / n;
  for (const s of samples) for (let i = 0; i < F; i++) std[i]! += (s.x[i]! - mean[i]!) ** 2 / n;
  for (let i = 0; i < F; i++) std[i] = Math.sqrt(std[i]!) || 1;
  const xs = samples.map((s) =>
    Float64Array.from(s.x, (v, i) => Math.max(-CLIP, Math.min(CLIP, (v - mean[i]!) / std[i]!))),
  );

  const rand = seededRandom(11);
  const H = hidden;
  const nOut = H > 0 ? H : F;
  const params = new Float64Array(H * F + H + nOut + 1);
  for (let i = 0; i < params.length; i++) params[i] = (rand() - 0.5) * (H > 0 ? 0.6 : 0.01);
  const iW1 = 0;
  const iB1 = H * F;
  const iW2 = iB1 + H;
  const iB2 = iW2 + nOut;
  const grad = new Float64Array(params.length);
  const m1 = new Float64Array(params.length);
  const v1 = new Float64Array(params.length);
  const h = new Float64Array(H);
  let loss = 0;
  for (let ep = 1; ep <= epochs; ep++) {
    grad.fill(0);
    loss = 0;
    for (let s = 0; s < n; s++) {
      const x = xs[s]!;
      const { y, w } = samples[s]!;
      let z = params[iB2]!;
      if (H > 0) {
        for (let j = 0; j < H; j++) {
          let a = params[iB1 + j]!;
          for (let i = 0; i < F; i++) a += params[iW1 + j * F + i]! * x[i]!;
          h[j] = Math.tanh(a);
          z += params[iW2 + j]! * h[j]!;
        }
      } else {
        for (let i = 0; i < F; i++) z += params[iW2 + i]! * x[i]!;
      }
      const p = 1 / (1 + Math.exp(-z));
      loss -= w * (y === 1 ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12));
      const dz = w * (p - y);
      grad[iB2]! += dz;
      if (H > 0) {
        for (let j = 0; j < H; j++) {
          grad[iW2 + j]! += dz * h[j]!;
          const da = dz * params[iW2 + j]! * (1 - h[j]! * h[j]!);
          grad[iB1 + j]! += da;
          for (let i = 0; i < F; i++) grad[iW1 + j * F + i]! += da * x[i]!;
        }
      } else {
        for (let i = 0; i < F; i++) grad[iW2 + i]! += dz * x[i]!;
      }
    }
    const lr = 0.03;
    for (let k = 0; k < params.length; k++) {
      const g = grad[k]! + l2 * params[k]!;
      m1[k] = 0.9 * m1[k]! + 0.1 * g;
      v1[k] = 0.999 * v1[k]! + 0.001 * g * g;
      const mh = m1[k]! / (1 - 0.9 ** ep);
      const vh = v1[k]! / (1 - 0.999 ** ep);
      params[k]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
    if (ep % 100 === 0) process.stderr.write(`epoch ${ep} loss ${loss.toFixed(4)}\n`);
  }
  const r = (v: number): number => Math.round(v * 1e6) / 1e6;
  const hiddenRows: number[][] = [];
  for (let j = 0; j < H; j++)
    hiddenRows.push(Array.from(params.subarray(iW1 + j * F, iW1 + (j + 1) * F), r));
  return {
    version: 1,
    features: [...FEATURE_NAMES],
    mean: Array.from(mean, r),
    std: Array.from(std, r),
    hidden: hiddenRows,
    hiddenBias: Array.from(params.subarray(iB1, iB1 + H), r),
    out: Array.from(params.subarray(iW2, iW2 + nOut), r),
    outBias: r(params[iB2]!),
    trainedOn: { samples: n, loss: r(loss), hidden: H, epochs, l2 },
  };
}

async function main(argv: string[]): Promise<void> {
  const dir = argv[0];
  if (dir === undefined)
    throw new Error(
      'usage: train-classifier.ts <corpus-dir> [--hidden 0] [--l2 3e-3] [--epochs 600] [--out path]',
    );
  const opt = (name: string, dflt: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? dflt) : dflt;
  };
  const hidden = Number(opt('--hidden', '0'));
  const l2 = Number(opt('--l2', '3e-3'));
  const epochs = Number(opt('--epochs', '600'));
  const out = resolve(opt('--out', 'src/detect/classifier/weights.json'));
  const files = (await listCorpus(dir)).filter(
    (f) => f.split === 'train' && f.cls !== 'hold-announce',
  );
  process.stderr.write(`extracting features from ${files.length} files\n`);
  const samples = extract(files);
  process.stderr.write(`${samples.length} samples; training\n`);
  const weights = train(samples, hidden, epochs, l2);
  await writeFile(
    out,
    `${JSON.stringify({ ...weights, trainedOn: { ...(weights.trainedOn as object), files: files.length } }, null, 1)}\n`,
  );
  process.stderr.write(`wrote ${out}\n`);
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
