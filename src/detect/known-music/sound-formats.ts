import { extname } from 'node:path';

/**
 * The sound file formats a PBX's hold music comes in (issue 5, Build item 1: "per queue, the
 * PBX's hold-music files (e.g. an Asterisk moh directory)"), by file extension.
 *
 * Asterisk keeps most of its sounds headerless, named by extension (its `format_pcm` module:
 * µ-law, A-law, G.722; `format_sln`; `format_gsm`), and one sound often lies in several formats
 * side by side: Debian's `asterisk-moh-opsound-wav`, `-gsm` and `-g722` all install into
 * /usr/share/asterisk/moh, and Asterisk plays whichever transcodes most cheaply to the call's codec.
 * ffmpeg cannot probe a headerless file, so those get their demuxer, sample rate and channel count
 * named (`input`); the rest carry a header ffmpeg reads.
 */
interface SoundFormat {
  /** ffmpeg input options for a headerless format; absent: ffmpeg probes the file's header. */
  readonly input?: readonly string[];
}

const ULAW: SoundFormat = { input: ['-f', 'mulaw', '-ar', '8000', '-ac', '1'] };
const ALAW: SoundFormat = { input: ['-f', 'alaw', '-ar', '8000', '-ac', '1'] };
/** Asterisk's signed linear: 16-bit samples in host order (little-endian on its platforms). */
const slin = (hz: number): SoundFormat => ({
  input: ['-f', 's16le', '-ar', String(hz), '-ac', '1'],
});
const HEADER: SoundFormat = {};

/**
 * Known formats, in order of preference when one sound lies in several: lossless first, then
 * wideband G.722, G.711, and the lossy codecs last (GSM 06.10 loses most of what the fingerprint
 * compares). `WAV` (upper case) and `wav49` are Asterisk's GSM-in-WAV, not PCM.
 */
const FORMATS: ReadonlyMap<string, SoundFormat> = new Map<string, SoundFormat>([
  ['wav', HEADER],
  ['flac', HEADER],
  ['sln192', slin(192_000)],
  ['sln96', slin(96_000)],
  ['sln48', slin(48_000)],
  ['sln44', slin(44_100)],
  ['sln32', slin(32_000)],
  ['sln24', slin(24_000)],
  ['sln16', slin(16_000)],
  ['sln12', slin(12_000)],
  ['sln', slin(8000)],
  ['raw', slin(8000)],
  ['g722', { input: ['-f', 'g722'] }],
  ['ulaw', ULAW],
  ['ul', ULAW],
  ['mu', ULAW],
  ['ulw', ULAW],
  ['pcm', ULAW],
  ['alaw', ALAW],
  ['al', ALAW],
  ['alw', ALAW],
  ['au', HEADER],
  ['opus', HEADER],
  ['ogg', HEADER],
  ['m4a', HEADER],
  ['aac', HEADER],
  ['mp3', HEADER],
  ['wma', HEADER],
  ['gsm', { input: ['-f', 'gsm'] }],
  ['WAV', HEADER],
  ['wav49', HEADER],
]);
const RANK: ReadonlyMap<string, number> = new Map([...FORMATS.keys()].map((e, i) => [e, i]));

/** The format key of `path`: its extension without the dot, lower case except Asterisk's `WAV`. */
function formatOf(path: string): string {
  const ext = extname(path).slice(1);
  return ext === 'WAV' ? ext : ext.toLowerCase();
}

/** Whether `path` is named as a sound file of a known format. */
export function isSoundFile(path: string): boolean {
  return FORMATS.has(formatOf(path));
}

/**
 * The ffmpeg options to put before `-i path`: a headerless format's demuxer and layout, or none
 * (ffmpeg probes the header; also for names of no known format).
 */
export function ffmpegInputOptions(path: string): readonly string[] {
  return FORMATS.get(formatOf(path))?.input ?? [];
}

/**
 * One file per sound from a directory's file names: the sound files among `names`, and of those
 * that share a name but for the extension (`reno_project-system.wav`, `.gsm`, `.g722`), the one
 * in the most preferred format. Sorted by name.
 */
export function onePerSound(names: readonly string[]): string[] {
  const best = new Map<string, string>();
  for (const name of names) {
    if (name.startsWith('.') || !isSoundFile(name)) continue;
    const sound = name.slice(0, name.length - extname(name).length);
    const held = best.get(sound);
    if (held === undefined || RANK.get(formatOf(name))! < RANK.get(formatOf(held))!) {
      best.set(sound, name);
    }
  }
  return [...best.values()].sort();
}
