#!/usr/bin/env bash
# Builds holdgate's hold-music development corpus (issue 5, "Corpus and benchmark") from Debian
# packages, at run time. Audio is never committed.
#
#   scripts/make-corpus.sh <outdir>       (CORPUS_SEED=N for another render of the same sources)
#                                         (CORPUS_CODEC=opus-nb: every file through that codec;
#                                          scripts/corpus-lib.sh's tel)
#
# Every scenario file is rendered to the telephone channel: 8 kHz mono, band-limited 300-3400 Hz,
# peak level -23...-1 dBFS (speech/music RMS about -35...-12 dBFS), a pink/white noise floor at
# -66...-54 dBFS, then a codec chain: G.711 u-law, with GSM or AMR-NB before it on some files.
# (Lost frames are applied by the benchmark at read time, so one corpus serves several loss rates.)
#
# Layout: <outdir>/<class>/<name>.wav (PCM16) + <name>.json sidecar
#   {"class":..., "hold":[[startS,endS],...], "durationS":..., "split":"train"|"test", "source":...}
# Classes: hold (pure Asterisk MOH), hold-announce (MOH with queue-* announcements between),
# voice-over (speech on music, the music's RMS 2-10 dB under the voice), music-other (other
# music; the classifier treats all music sent by the PBX as hold), speech (agent monologues
# en/es/fr, female + pitch-shifted male), speech-with-radio (speech over background music, its RMS
# 16-26 dB under the voice), ivr (espeak-ng prompts + DTMF), tones (ringback, busy, SIT),
# noise (office noise, silence, comfort noise),
# transitions (speech -> hold -> speech).
# Split: two MOH tracks (macroform-cold_day, macroform-robot_dity), all singularity music and odd
# numbered speech files are "test"; the rest "train". Deterministic (fixed RANDOM seed, sox -R).
# Bounded: about 60 min of audio (~60 MB), about 1-2 minutes on 2 cores.
set -euo pipefail

OUT=${1:?usage: make-corpus.sh <outdir>}
SEED=${CORPUS_SEED:-4242}
RANDOM=$SEED
# sox seeds its noise and dither generators at random unless told to repeat (-R): without it the
# noise floor, and with it the figures of `bench moh`, changed from one build to the next.
export SOX_OPTS=-R
MOH=/usr/share/asterisk/moh
SND=/usr/share/asterisk/sounds
WES=/usr/share/games/wesnoth/1.16/data/core/music
SING=/usr/share/games/singularity/music

need=()
for p in asterisk-moh-opsound-wav asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav \
  asterisk-core-sounds-fr-wav wesnoth-1.16-music singularity-music sox ffmpeg espeak-ng; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  echo "installing: ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2; }
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"/{hold,hold-announce,voice-over,music-other,speech,speech-with-radio,ivr,tones,noise,transitions}
N=0

# shellcheck source=scripts/corpus-lib.sh
source "$(dirname "$0")/corpus-lib.sh"

echo "hold" >&2
for f in "$MOH"/*.wav; do
  b=$(basename "$f" .wav)
  split=train
  [[ $b == macroform-cold_day || $b == macroform-robot_dity ]] && split=test
  for k in 0 1; do
    decode "$f" $((k * 60)) 45 "$TMP/s.wav"
    tel "$TMP/s.wav" "$OUT/hold/$b-$k" hold $split "$b" '[[0,DUR]]'
  done
done

echo "hold-announce" >&2
i=0
for f in "$MOH"/*.wav; do
  b=$(basename "$f" .wav)
  split=train
  [[ $b == macroform-cold_day || $b == macroform-robot_dity ]] && split=test
  announced "$f" 30 20 "$SND/en_US_f_Allison" "$i" "$TMP/s.wav"
  tel "$TMP/s.wav" "$OUT/hold-announce/$b" hold-announce $split "$b" '[[0,DUR]]'
  i=$((i + 1))
done

echo "voice-over" >&2
i=0
for f in "$MOH"/*.wav; do
  b=$(basename "$f" .wav)
  split=train
  [[ $b == macroform-cold_day || $b == macroform-robot_dity ]] && split=test
  monologue "$SND/en_US_f_Allison" 30 "$TMP/v.wav"
  decode "$f" 100 30 "$TMP/m.wav"
  # Voice-over: the music's RMS 2-10 dB under the voice's (a PBX announcement over its music).
  rnd 2 10
  overlay "$TMP/v.wav" "$TMP/m.wav" "$R" 30 "$TMP/s.wav"
  tel "$TMP/s.wav" "$OUT/voice-over/$b" voice-over $split "$b" '[[0,DUR]]'
  i=$((i + 1))
done

echo "music-other" >&2
mapfile -t wes < <(ls "$WES"/*.ogg | sort)
mapfile -t sing < <(ls "$SING"/*.ogg | sort)
for ((j = 0; j < 12; j++)); do
  f=${wes[$((j * 3 % ${#wes[@]}))]}
  decode "$f" 20 40 "$TMP/s.wav"
  tel "$TMP/s.wav" "$OUT/music-other/wesnoth-$(basename "$f" .ogg)" music-other train "$(basename "$f")" '[[0,DUR]]'
done
for ((j = 0; j < ${#sing[@]} && j < 8; j++)); do
  f=${sing[$j]}
  decode "$f" 10 40 "$TMP/s.wav"
  tel "$TMP/s.wav" "$OUT/music-other/singularity-$(basename "$f" .ogg)" music-other test "$(basename "$f")" '[[0,DUR]]'
done

echo "speech" >&2
langs=(en_US_f_Allison es_MX_f_Allison fr_CA_f_June)
for ((j = 0; j < 18; j++)); do
  l=${langs[$((j % 3))]}
  [[ -d $SND/$l ]] || l=en_US_f_Allison
  split=$([[ $((j % 2)) == 0 ]] && echo train || echo test)
  if ((j % 3 == 1)); then
    rnd 300 500
    monologue "$SND/$l" 60 "$TMP/s.wav" "-$R"
    tel "$TMP/s.wav" "$OUT/speech/$l-male-$j" speech $split "$l male" '[]'
  else
    monologue "$SND/$l" 60 "$TMP/s.wav"
    tel "$TMP/s.wav" "$OUT/speech/$l-$j" speech $split "$l" '[]'
  fi
done

echo "speech-with-radio" >&2
for ((j = 0; j < 8; j++)); do
  split=$([[ $((j % 2)) == 0 ]] && echo train || echo test)
  monologue "$SND/${langs[$((j % 3))]}" 45 "$TMP/v.wav" $([[ $((j % 2)) == 1 ]] && echo -400)
  if [[ $split == train ]]; then f=${wes[$((j * 5 % ${#wes[@]}))]}; else f=${sing[$((j % ${#sing[@]}))]}; fi
  decode "$f" 30 45 "$TMP/m.wav"
  radio "$TMP/v.wav" "$TMP/m.wav" 45 "$TMP/s.wav"
  tel "$TMP/s.wav" "$OUT/speech-with-radio/radio-$j" speech-with-radio $split "$(basename "$f")" '[]'
done

echo "ivr" >&2
texts=("Welcome to Example Corporation. For sales, press one. For support, press two. For billing, press three. To hear these options again, press star."
  "Please enter your account number followed by the pound key."
  "Your call may be recorded for quality and training purposes. Please hold while we connect you."
  "Bienvenido. Para espanol, oprima dos. Please say or enter your customer number now.")
voices=(en-us en-gb+m3 en-us+f2 es)
for ((j = 0; j < 6; j++)); do
  rnd 140 180
  espeak-ng -v "${voices[$((j % 4))]}" -s "$R" -w "$TMP/t.wav" "${texts[$((j % 4))]}"
  sox "$TMP/t.wav" -r 8000 -c 1 -b 16 "$TMP/t8.wav"
  keys=("697 1209" "770 1336" "852 1477" "941 1336" "697 1336")
  parts=("$TMP/t8.wav")
  for ((k = 0; k < 5; k++)); do
    set -- ${keys[$(((j + k) % 5))]}
    rnd 2 6
    sox -n -r 8000 -c 1 -b 16 "$TMP/d$k.wav" synth 0.1 sine "$1" synth 0.1 sine mix "$2" pad 0 "0.$R" gain -n -6
    parts+=("$TMP/d$k.wav")
  done
  sil 1.5 "$TMP/q.wav"
  sox "${parts[@]}" "$TMP/q.wav" "$TMP/t8.wav" "$TMP/s.wav"
  tel "$TMP/s.wav" "$OUT/ivr/ivr-$j" ivr $([[ $((j % 2)) == 0 ]] && echo train || echo test) "espeak-ng ${voices[$((j % 4))]}" '[]'
done

echo "tones" >&2
# ringback (US 440+480 2/4 s, UK 400+450 .4/.2/.4/2 s), busy (480+620 .5/.5), SIT then announcement
sox -n -r 8000 -c 1 -b 16 "$TMP/r.wav" synth 2 sine 440 synth 2 sine mix 480 pad 0 4 gain -n -6 repeat 9
tel "$TMP/r.wav" "$OUT/tones/ringback-us" tones train ringback-us '[]'
sox -n -r 8000 -c 1 -b 16 "$TMP/r1.wav" synth 0.4 sine 400 synth 0.4 sine mix 450 pad 0 0.2 gain -n -6
sox -n -r 8000 -c 1 -b 16 "$TMP/r2.wav" synth 0.4 sine 400 synth 0.4 sine mix 450 pad 0 2 gain -n -6
sox "$TMP/r1.wav" "$TMP/r2.wav" "$TMP/r.wav" repeat 19
tel "$TMP/r.wav" "$OUT/tones/ringback-uk" tones test ringback-uk '[]'
sox -n -r 8000 -c 1 -b 16 "$TMP/b.wav" synth 0.5 sine 480 synth 0.5 sine mix 620 pad 0 0.5 gain -n -6 repeat 39
tel "$TMP/b.wav" "$OUT/tones/busy" tones train busy '[]'
sox -n -r 8000 -c 1 -b 16 "$TMP/s1.wav" synth 0.33 sine 913.8 synth 0.33 sine 1370.6 synth 0.33 sine 1776.7 gain -n -6
sox "$TMP/s1.wav" "$SND/en_US_f_Allison/cannot-complete-as-dialed.wav" "$SND/en_US_f_Allison/check-number-dial-again.wav" "$TMP/s.wav" pad 0 1 repeat 5
tel "$TMP/s.wav" "$OUT/tones/sit" tones test sit '[]'

echo "noise" >&2
sox -n -r 8000 -c 1 -b 16 "$TMP/o.wav" synth 60 pinknoise tremolo 0.4 70 gain -n -20
sox -n -r 8000 -c 1 -b 16 "$TMP/o2.wav" synth 60 brownnoise synth 60 pinknoise mix tremolo 1.7 40 gain -n -26
tel "$TMP/o.wav" "$OUT/noise/office-a" noise train office '[]'
tel "$TMP/o2.wav" "$OUT/noise/office-b" noise test office '[]'
sil 60 "$TMP/z.wav"
tel "$TMP/z.wav" "$OUT/noise/silence" noise train silence '[]'
sox -n -r 8000 -c 1 -b 16 "$TMP/c.wav" synth 60 whitenoise gain -n -45
tel "$TMP/c.wav" "$OUT/noise/comfort-noise" noise test comfort-noise '[]'

echo "transitions" >&2
j=0
for f in "$MOH"/*.wav; do
  b=$(basename "$f" .wav)
  split=train
  [[ $b == macroform-cold_day || $b == macroform-robot_dity ]] && split=test
  rnd 12 20; a=$R
  rnd 25 40; h=$R
  monologue "$SND/${langs[$((j % 3))]}" "$a" "$TMP/x1.wav" $([[ $((j % 2)) == 1 ]] && echo -400)
  monologue "$SND/${langs[$(((j + 1) % 3))]}" 15 "$TMP/x3.wav"
  decode "$f" $((20 + j * 7)) "$h" "$TMP/x2.wav"
  s1=$(soxi -D "$TMP/x1.wav")
  s2=$(soxi -D "$TMP/x2.wav")
  sox "$TMP/x1.wav" "$TMP/x2.wav" "$TMP/x3.wav" "$TMP/s.wav"
  tel "$TMP/s.wav" "$OUT/transitions/$b" transitions $split "$b" "[[$s1,$(awk "BEGIN{print $s1 + $s2}")]]"
  j=$((j + 1))
done

# Corpus version, reported by the benchmark. 2: offsets wrap on short tracks, voice-over and radio
# mixed by RMS (music 2-10 / 16-26 dB under the voice), silence without amplified dither.
# 3: leading digital silence of music excerpts cut (labelled hold begins with audible music).
# 4: repeatable: random levels, gaps and noise are the same on every build (rnd sets R; sox -R).
echo 4 >"$OUT/VERSION"
# The render's seed, so that the benchmark rebuilds an outdated corpus as the same render.
echo "$SEED" >"$OUT/SEED"
corpus_codec_file
echo "done: $N files, $(du -sh "$OUT" | cut -f1)" >&2
