import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { silentLogger } from '../shared/logger.js';
import type { HoldDecision, HoldMusicDetector } from '../detect/types.js';
import { agentThenMohTrack } from '../detect/known-music/test-signals.js';
import { setUpHoldDetection, type QueueDetection } from './hold-detection-setup.js';

const MOH = '/usr/share/asterisk/moh';

function decode(file: string, from: number, seconds: number): Int16Array {
  const raw = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(from),
      '-t',
      String(seconds),
      '-i',
      file,
      '-f',
      's16le',
      '-ac',
      '1',
      '-ar',
      '8000',
      '-',
    ],
    {
      maxBuffer: 32 << 20,
    },
  );
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
}

function firstHold(detectors: HoldMusicDetector[], pcm: Int16Array): string | undefined {
  const frame = new Int16Array(160);
  for (let off = 0; off + 160 <= pcm.length; off += 160) {
    frame.set(pcm.subarray(off, off + 160));
    for (const d of detectors) {
      const decision = d.push(frame, off / 8);
      if (decision?.state === 'hold' && decision.cause === 'known-music') return decision.cause;
    }
  }
  return undefined;
}

describe('hold detection set-up', () => {
  it('fingerprints a queue’s known music from a directory and skips what it cannot decode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-'));
    execFileSync('cp', [join(MOH, 'manolo_camp-morning_coffee.wav'), dir]);
    writeFileSync(join(dir, 'broken.wav'), 'not audio');
    const config = validateConfig({
      detection: { knownMusic: [dir] },
      queues: [
        { name: 'care', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } },
        {
          name: 'plain',
          match: { requestUser: '2' },
          pbx: { host: '10.0.0.1' },
          detection: { knownMusic: [] },
        },
      ],
    });
    const detection = await setUpHoldDetection(config, silentLogger());
    expect(detection.forQueue(config.queues[1]!)).toBeUndefined();
    const care = detection.forQueue(config.queues[0]!)!;
    expect(care.learn).toBeUndefined();
    expect(
      firstHold(care.detectors(), decode(join(MOH, 'manolo_camp-morning_coffee.wav'), 60, 6)),
    ).toBe('known-music');
  }, 30_000);

  it('reads an Asterisk moh directory in its headerless formats, skipping what is not sound', async () => {
    // As Asterisk keeps hold music to spare transcoding: µ-law only, and the other track as the
    // GSM and G.722 files Debian installs next to its WAV.
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-'));
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      join(MOH, 'manolo_camp-morning_coffee.wav'),
      '-f',
      'mulaw',
      '-ar',
      '8000',
      '-ac',
      '1',
      join(dir, 'manolo_camp-morning_coffee.ulaw'),
    ]);
    for (const ext of ['gsm', 'g722']) {
      symlinkSync(join(MOH, `reno_project-system.${ext}`), join(dir, `reno_project-system.${ext}`));
    }
    writeFileSync(join(dir, 'README'), 'hold music of the care queue');
    const config = validateConfig({
      detection: { knownMusic: [dir] },
      queues: [{ name: 'care', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } }],
    });
    const care = (await setUpHoldDetection(config, silentLogger())).forQueue(config.queues[0]!)!;
    for (const track of ['manolo_camp-morning_coffee', 'reno_project-system']) {
      expect(firstHold(care.detectors(), decode(join(MOH, `${track}.wav`), 40, 6)), track).toBe(
        'known-music',
      );
    }
  }, 30_000);

  it('says so when a known-music directory holds no sound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-'));
    writeFileSync(join(dir, 'README'), 'the hold music is elsewhere now');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = validateConfig({
      detection: { knownMusic: [dir] },
      queues: [{ name: 'care', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } }],
    });
    const detection = await setUpHoldDetection(config, logger);
    expect(detection.forQueue(config.queues[0]!)).toBeUndefined();
    const warned = lines.map((l) => JSON.parse(l) as { msg: string; source?: string });
    expect(warned).toContainEqual(
      expect.objectContaining({ msg: 'no hold music files in known-music source', source: dir }),
    );
  });

  it('a configured file begins where its music begins; learned audio does not (onsetOpen)', async () => {
    // The same 20 s of music as a PBX's file and as what the classifier learned on a call; the
    // next call joins that music 5 s before it, so either matches only from where it begins (a
    // track whose passages do not repeat: looped ones match the earlier bars already).
    const track = join(MOH, 'manolo_camp-morning_coffee.wav');
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-'));
    const part = join(dir, 'part.wav');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-ss',
      '40',
      '-t',
      '20',
      '-i',
      track,
      '-ar',
      '8000',
      '-ac',
      '1',
      part,
    ]);
    const config = validateConfig({
      detection: { classifier: true },
      queues: [
        {
          name: 'files',
          match: { requestUser: '1' },
          pbx: { host: '10.0.0.1' },
          detection: { knownMusic: [part] },
        },
        { name: 'learned', match: { requestUser: '2' }, pbx: { host: '10.0.0.1' } },
      ],
    });
    const detection = await setUpHoldDetection(config, silentLogger());
    const learned = detection.forQueue(config.queues[1]!)!;
    learned.learn!('learned/call-1#1', decode(part, 0, 20));
    const knownHold = (queue: QueueDetection): HoldDecision | undefined => {
      const known = queue.detectors()[0]!;
      const pcm = decode(track, 35, 12);
      for (let off = 0; off + 160 <= pcm.length; off += 160) {
        const d = known.push(pcm.subarray(off, off + 160), off / 8);
        if (d?.state === 'hold') return d;
      }
      return undefined;
    };
    const fromFile = knownHold(detection.forQueue(config.queues[0]!)!);
    const fromLearned = knownHold(learned);
    // Both found where the part begins, 5 s in; only the learned one says the music began earlier.
    expect(fromFile?.onsetMs).toBeGreaterThan(4500);
    expect(fromLearned?.onsetMs).toBeGreaterThan(4500);
    expect(fromFile?.onsetOpen).toBeUndefined();
    expect(fromLearned?.onsetOpen).toBe(true);
  }, 30_000);

  it('learns hold music the classifier found, so the next call knows it', async () => {
    const config = validateConfig({
      detection: { classifier: true },
      queues: [{ name: 'care', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } }],
    });
    const care = (await setUpHoldDetection(config, silentLogger())).forQueue(config.queues[0]!)!;
    const track = join(MOH, 'reno_project-system.wav');
    expect(firstHold(care.detectors().slice(0, 1), decode(track, 30, 6))).toBeUndefined();
    care.learn!('care/call-1#1', decode(track, 20, 20));
    expect(firstHold(care.detectors().slice(0, 1), decode(track, 28, 6))).toBe('known-music');
  }, 30_000);

  it('lets go of learned music and known-music libraries that no queue uses any more', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-'));
    execFileSync('cp', [join(MOH, 'macroform-cold_day.wav'), dir]);
    const config = validateConfig({
      detection: { classifier: true },
      queues: [
        { name: 'care', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } },
        { name: 'sales', match: { requestUser: '2' }, pbx: { host: '10.0.0.1' } },
      ],
    });
    const [care, sales] = config.queues;
    // Created later through the admin API, with music of its own.
    const [own] = validateConfig({
      queues: [
        {
          name: 'own',
          match: { requestUser: '3' },
          pbx: { host: '10.0.0.1' },
          detection: { knownMusic: [dir], classifier: false },
        },
      ],
    }).queues;
    const detection = await setUpHoldDetection(config, logger);
    const letGo = () => lines.filter((l) => l.msg === 'learned hold music let go');
    const track = join(MOH, 'reno_project-system.wav');
    const knows = (queue: typeof care, from: number, file = track) =>
      firstHold(detection.forQueue(queue!)!.detectors().slice(0, 1), decode(file, from, 6));
    detection.forQueue(care!)!.learn!('care/call-1#1', decode(track, 20, 20));
    detection.forQueue(sales!)!.learn!('sales/call-1#1', decode(track, 100, 20));
    expect(detection.forQueue(own!)).toBeUndefined(); // its library loads in the background
    await vi.waitFor(() => expect(detection.forQueue(own!)).toBeDefined(), { timeout: 20_000 });
    const coldDay = join(dir, 'macroform-cold_day.wav');
    expect(knows(own, 30, coldDay)).toBe('known-music');

    // Every queue still there: nothing is let go.
    detection.retainQueues([care!, sales!, own!]);
    expect(knows(care, 28)).toBe('known-music');
    expect(knows(sales, 108)).toBe('known-music');
    expect(letGo()).toEqual([]);

    // `care` and `own` deleted: their music is let go, `sales` keeps its own.
    detection.retainQueues([sales!]);
    expect(letGo().map((l) => [l.queue, l.learnedSeconds, l.reason])).toEqual([
      ['care', 20, 'queue gone'],
    ]);
    expect(knows(sales, 108)).toBe('known-music');
    // A queue of that name created again starts with nothing learned and loads its files anew.
    expect(knows(care, 28)).toBeUndefined();
    expect(detection.forQueue(own!)).toBeUndefined();
    await vi.waitFor(() => expect(detection.forQueue(own!)).toBeDefined(), { timeout: 20_000 });
    expect(knows(own, 30, coldDay)).toBe('known-music');

    // Deleted while its library loads: the load that ends after that is not kept.
    const loads = () => lines.filter((l) => l.msg === 'known hold music fingerprinted').length;
    detection.retainQueues([sales!]);
    const before = loads();
    expect(detection.forQueue(own!)).toBeUndefined();
    detection.retainQueues([sales!]);
    await vi.waitFor(() => expect(loads()).toBe(before + 1), { timeout: 20_000 });
    expect(detection.forQueue(own!)).toBeUndefined();

    // A queue that learned on its own and now has known music of its own (once loaded), or the
    // classifier off, learns there no more: its learned music is let go too.
    const withMusic = { ...sales!, detection: { ...sales!.detection, knownMusic: [dir] } };
    const classifierOff = { ...care!, detection: { ...care!.detection, classifier: false } };
    detection.forQueue(care!)!.learn!('care/call-2#1', decode(track, 20, 10));
    expect(detection.forQueue(withMusic)).toBeDefined(); // its learned library, while it loads
    const earlier = letGo().length;
    detection.retainQueues([withMusic, care!]);
    expect(letGo()).toHaveLength(earlier);
    await vi.waitFor(() => expect(loads()).toBe(before + 2), { timeout: 20_000 });
    detection.retainQueues([withMusic, classifierOff]);
    expect(
      letGo()
        .slice(earlier)
        .map((l) => [l.queue, l.learnedSeconds, l.reason]),
    ).toEqual([
      ['sales', 20, 'known music configured'],
      ['care', 10, 'classifier off'],
    ]);
  }, 60_000);

  it('keeps the newest learnedMinutes of learned music, forgetting the oldest; 0 learns nothing', async () => {
    const queues = [{ name: 'care', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } }];
    const track = join(MOH, 'reno_project-system.wav');
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const config = validateConfig({ detection: { classifier: true, learnedMinutes: 1 }, queues });
    const care = (await setUpHoldDetection(config, logger)).forQueue(config.queues[0]!)!;
    // Three calls' 25 s of music that never repeats: the first is forgotten at the third.
    care.learn!('care/call-1#1', decode(track, 20, 25));
    care.learn!('care/call-2#1', decode(track, 100, 25));
    care.learn!('care/call-3#1', decode(track, 200, 25));
    const learned = lines.filter((l) => l.msg === 'hold music learned');
    expect(learned.map((l) => [l.learnedSeconds, l.forgotten])).toEqual([
      [25, undefined],
      [50, undefined],
      [50, ['care/call-1#1']],
    ]);
    const known = (from: number) => firstHold(care.detectors().slice(0, 1), decode(track, from, 6));
    expect(known(28)).toBeUndefined();
    expect(known(108)).toBe('known-music');
    expect(known(208)).toBe('known-music');

    const off = validateConfig({ detection: { classifier: true, learnedMinutes: 0 }, queues });
    expect((await setUpHoldDetection(off, silentLogger())).forQueue(off.queues[0]!)!.learn).toBe(
      undefined,
    );
    for (const learnedMinutes of [-5, 241]) {
      expect(() =>
        validateConfig({ detection: { classifier: true, learnedMinutes }, queues }),
      ).toThrow(/learnedMinutes/);
    }
  }, 30_000);

  it('a queue’s announcementSeconds sets how long both detectors hold on after the music stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-'));
    execFileSync('cp', [join(MOH, 'manolo_camp-morning_coffee.wav'), dir]);
    const config = validateConfig({
      detection: { knownMusic: [dir], classifier: true },
      queues: [
        { name: 'care', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } },
        {
          name: 'brief',
          match: { requestUser: '2' },
          pbx: { host: '10.0.0.1' },
          detection: { announcementSeconds: 3 },
        },
      ],
    });
    const detection = await setUpHoldDetection(config, silentLogger());
    // 8 s of the known music, then 16 s of an agent (Asterisk prompts).
    const speech = join(dir, 'agent.wav');
    const prompts = ['agent-loginok', 'call-forwarding', 'auth-thankyou', 'agent-newlocation'];
    execFileSync('sox', [
      ...[...prompts, ...prompts, ...prompts].map(
        (p) => `/usr/share/asterisk/sounds/en_US_f_Allison/${p}.wav`,
      ),
      speech,
    ]);
    const music = decode(join(MOH, 'manolo_camp-morning_coffee.wav'), 60, 8);
    const agent = decode(speech, 0, 16);
    const pcm = new Int16Array(music.length + agent.length);
    pcm.set(music);
    pcm.set(agent, music.length);
    const releases = (queue: number): Record<string, number> => {
      const at: Record<string, number> = {};
      for (const d of detection.forQueue(config.queues[queue]!)!.detectors()) {
        for (let i = 0; i + 160 <= pcm.length; i += 160) {
          const r = d.push(pcm.subarray(i, i + 160), i / 8);
          if (r?.state === 'no-hold' && at[r.cause] === undefined) at[r.cause] = r.onsetMs / 1000;
        }
      }
      return at;
    };
    const care = releases(0);
    const brief = releases(1);
    // Known music: the hold-over after the music's end (8 s).
    expect(care['known-music']).toBeGreaterThan(8 + 10 - 0.5);
    expect(care['known-music']).toBeLessThan(8 + 10 + 0.3);
    expect(brief['known-music']).toBeGreaterThan(8 + 3 - 0.5);
    expect(brief['known-music']).toBeLessThan(8 + 3 + 0.3);
    // The classifier: some exitMs (9 s, 2 s) of the agent's voice after its score fell.
    expect(brief['music-classifier']).toBeLessThan(8 + 6);
    expect(care['music-classifier']).toBeGreaterThan(brief['music-classifier']! + 6);
    // What learning holds back on each queue's calls (s): the classifier's release lag.
    const holdback = (queue: number): number =>
      Math.ceil(
        Math.max(
          ...detection
            .forQueue(config.queues[queue]!)!
            .detectors()
            .map((d) => d.releaseLagMs ?? 0),
        ) / 1000,
      );
    expect(holdback(0)).toBe(26);
    expect(holdback(1)).toBe(12);
  }, 30_000);

  it('gives a call’s classifier its delay line, against which it pauses provisionally', async () => {
    const config = validateConfig({
      detection: { classifier: true },
      queues: [{ name: 'q', match: { requestUser: '1' }, pbx: { host: '10.0.0.1' } }],
    });
    const queue = (await setUpHoldDetection(config, silentLogger())).forQueue(config.queues[0]!)!;
    // An agent, then quiet music that the running score hears late (as in the detector's test).
    const pcm = agentThenMohTrack('macroform-the_simplicity', 19, -36);
    const first = (detectors: HoldMusicDetector[]): HoldDecision | undefined => {
      const classifier = detectors[1]!;
      for (let off = 0; off + 160 <= pcm.length; off += 160) {
        const d = classifier.push(pcm.subarray(off, off + 160), off / 8);
        if (d) return d;
      }
      return undefined;
    };
    expect(first(queue.detectors(2500))).toMatchObject({ state: 'hold', provisional: true });
    expect(first(queue.detectors())).toMatchObject({ state: 'hold', confident: true });
    expect(first(queue.detectors())?.provisional).toBeUndefined();
  });

  it('pauses a silent start as the queue says (silentStart, on by default), with the classifier or without', async () => {
    const moh = join(MOH, 'macroform-robot_dity.wav');
    const queue = (name: string, user: string, detection: object) => ({
      name,
      match: { requestUser: user },
      pbx: { host: '10.0.0.1' },
      detection,
    });
    const config = validateConfig({
      detection: { classifier: true },
      queues: [
        queue('on', '1', {}),
        queue('off', '2', { silentStart: false }),
        queue('known', '3', { classifier: false, knownMusic: [moh] }),
        queue('known-off', '4', { classifier: false, knownMusic: [moh], silentStart: false }),
      ],
    });
    const setup = await setUpHoldDetection(config, silentLogger());
    /**
     * The first decision of a call's detectors over 4 s of digital silence from call time 1 s,
     * with a 2.5 s delay line, and the call time it came at.
     */
    const first = (q: number): [HoldDecision, number] | undefined => {
      const detectors = setup.forQueue(config.queues[q]!)!.detectors(2500);
      const silence = new Int16Array(160);
      for (let ms = 1000; ms < 5000; ms += 20) {
        for (const detector of detectors) {
          const d = detector.push(silence, ms);
          if (d) return [d, ms];
        }
      }
      return undefined;
    };
    // The same detector beside the classifier as beside known music alone (whose library loads
    // meanwhile).
    const [classifier, at] = first(0)!;
    expect(classifier).toMatchObject({ state: 'hold', onsetMs: 1000, provisional: true });
    expect(classifier.cause).toBe('silent-start');
    expect(at).toBe(3500);
    expect(first(1)).toBeUndefined();
    const [alone, aloneAt] = first(2)!;
    expect(alone).toMatchObject({ state: 'hold', onsetMs: 1000, provisional: true });
    expect(alone.cause).toBe('silent-start');
    expect(aloneAt).toBe(3500);
    expect(first(3)).toBeUndefined();
    // No delay line given: nothing to pause against.
    expect(setup.forQueue(config.queues[2]!)!.detectors()).toHaveLength(1);
    expect(setup.forQueue(config.queues[0]!)!.detectors()).toHaveLength(2); // learned, classifier
  });
});
