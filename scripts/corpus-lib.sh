# Shared by scripts/make-corpus.sh and scripts/make-unseen-corpus.sh: decoding, the telephone
# channel and the scenario builders. Sourced, not run. The caller sets OUT, TMP (a scratch
# directory), N=0 and RANDOM's seed; every random choice goes through rnd, so a render is the same
# on every build.

rnd() { # rnd MIN MAX: R <- integer in [MIN, MAX]. Sets R instead of printing: bash reseeds RANDOM
  # in every subshell, so $(rnd ...) gave different values on every build.
  R=$(($1 + RANDOM % ($2 - $1 + 1)))
}

case ${CORPUS_CODEC:-} in
  '' | g711u | gsm | amrnb | opus-nb) ;;
  *) echo "CORPUS_CODEC must be g711u, gsm, amrnb or opus-nb, not $CORPUS_CODEC" >&2; exit 2 ;;
esac

# corpus_codec_file: records CORPUS_CODEC in OUT (the benchmark rebuilds the render with it)
corpus_codec_file() {
  if [[ -n ${CORPUS_CODEC:-} ]]; then echo "$CORPUS_CODEC" >"$OUT/CODEC"; else rm -f "$OUT/CODEC"; fi
}

# decode SRC OFFSET DUR DST: any audio -> 8 kHz mono PCM16 (DUR 0 = whole file). An offset that
# would run past the end of a short track wraps around (manolo_camp-morning_coffee is 73 s long:
# without this its voice-over file held no music at all and later segments came out empty).
# Leading digital silence (below -60 dBFS) is cut, so that a labelled hold begins where its music
# is heard: three MOH tracks open with 0.6-0.8 s of near-silence that no detector can tell from
# a pause in a conversation (version 3).
decode() {
  local t=() off=$2 len
  [[ $3 != 0 ]] && t=(-t "$3")
  len=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$1")
  off=$(awk -v d="$len" -v o="$2" -v n="$3" 'BEGIN { r = d - n - 1; if (o > r) o = (r > 1) ? o % r : 0; print int(o) }')
  ffmpeg -v error -nostdin -ss "$off" "${t[@]}" -i "$1" -ac 1 -ar 8000 -c:a pcm_s16le -y "$TMP/d.wav"
  sox "$TMP/d.wav" "$4" silence 1 0.02 -60d
  # An excerpt that is silent throughout stays as it was (an empty file would stall synth).
  awk -v d="$(soxi -D "$4")" 'BEGIN { exit !(d < 1) }' && cp "$TMP/d.wav" "$4"
  rm -f "$TMP/d.wav"
}

# rms FILE: RMS amplitude (0...1)
rms() { sox "$1" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }'; }

# under VOICE MUSIC DB: the volume factor that puts MUSIC's RMS DB dB under VOICE's RMS
under() { awk -v v="$(rms "$1")" -v m="$(rms "$2")" -v d="$3" 'BEGIN { printf "%.5f", v / (m + 1e-9) * 10 ^ (-d / 20) }'; }

# overlay VOICE MUSIC DB SECONDS DST: VOICE with MUSIC mixed under it, the music's RMS DB dB under
# the voice's, SECONDS long (a PBX announcement over its music, or a radio in the office)
overlay() { sox -m -v 1 "$1" -v "$(under "$1" "$2" "$3")" "$2" "$5" trim 0 "$4"; }

# radio VOICE MUSIC SECONDS DST: an agent with a radio in the office: the music band-limited to
# 200-3000 Hz, its RMS 16-26 dB under the voice's
radio() {
  sox "$2" "$TMP/m2.wav" sinc 200-3000
  sox "$1" "$TMP/v2.wav" gain -n -1
  rnd 16 26
  overlay "$TMP/v2.wav" "$TMP/m2.wav" "$R" "$3" "$4"
}

# The queue's announcements between music: Asterisk queue-* prompts, one entry per announcement.
ANNOUNCEMENTS=(queue-periodic-announce queue-thankyou queue-youarenext "queue-thereare queue-callswaiting" "queue-holdtime queue-less-than queue-minutes" queue-reporthold)

# announced MUSIC FIRST STEP VOICE K DST: three 15 s excerpts of MUSIC, from FIRST s on and STEP s
# apart, with ANNOUNCEMENTS[K] and [K+1] (prompts of the sound directory VOICE) between them
announced() {
  local parts=() seg a p
  for seg in 0 1 2; do
    decode "$1" $(($2 + seg * $3)) 15 "$TMP/h$seg.wav"
    parts+=("$TMP/h$seg.wav")
    if ((seg < 2)); then
      a=()
      for p in ${ANNOUNCEMENTS[$((($5 + seg) % ${#ANNOUNCEMENTS[@]}))]}; do a+=("$4/$p.wav"); done
      sox "${a[@]}" -r 8000 -c 1 -b 16 "$TMP/a$seg.wav"
      parts+=("$TMP/a$seg.wav")
    fi
  done
  sox "${parts[@]}" "$6"
}

# tel IN OUT CLASS SPLIT SOURCE HOLDJSON: telephone channel + sidecar. The codec before G.711
# takes turns (G.711 alone, GSM, G.711 alone, AMR-NB); CORPUS_CODEC (g711u, gsm, amrnb, opus-nb)
# puts every file through one instead: a render of the whole corpus through that chain. Opus is
# narrowband (8 kHz in) at 12 kbit/s in libopus's VoIP mode, by ffmpeg.
tel() {
  local in=$1 out=$2 peak noise codec dur pick
  N=$((N + 1))
  rnd -23 -1; peak=$R
  rnd -66 -54; noise=$R
  dur=$(soxi -D "$in")
  sox -D "$in" -r 8000 -c 1 -b 16 "$TMP/a.wav" sinc 300-3400 gain -n "$peak"
  sox -n -r 8000 -c 1 -b 16 "$TMP/n.wav" synth "$dur" $([[ $((N % 2)) == 0 ]] && echo pinknoise || echo whitenoise) gain -n "$noise"
  sox -m -v 1 "$TMP/a.wav" -v 1 "$TMP/n.wav" "$TMP/b.wav"
  pick=$((N % 4))
  case ${CORPUS_CODEC:-} in
    g711u) pick=0 ;;
    gsm) pick=1 ;;
    amrnb) pick=3 ;;
    opus-nb) pick=opus ;;
  esac
  case $pick in
    opus) codec=opus-nb+g711u
      ffmpeg -v error -nostdin -i "$TMP/b.wav" -c:a libopus -b:a 12k -application voip -y "$TMP/c.ogg"
      # fatal: the Ogg demuxer reports the pre-skip's negative start as an error on every file
      ffmpeg -v fatal -nostdin -i "$TMP/c.ogg" -ar 8000 -ac 1 -c:a pcm_s16le -y "$TMP/c.wav"
      mv "$TMP/c.wav" "$TMP/b.wav" ;;
    1) codec=gsm+g711u
      sox "$TMP/b.wav" -t gsm "$TMP/c.gsm" && sox -t gsm "$TMP/c.gsm" -b 16 "$TMP/b.wav" ;;
    3) codec=amrnb+g711u
      if sox "$TMP/b.wav" -t amr-nb -C 7 "$TMP/c.amr" 2>/dev/null; then
        sox -t amr-nb "$TMP/c.amr" -b 16 "$TMP/b.wav"
      else codec=gsm+g711u; sox "$TMP/b.wav" -t gsm "$TMP/c.gsm" && sox -t gsm "$TMP/c.gsm" -b 16 "$TMP/b.wav"; fi ;;
    *) codec=g711u ;;
  esac
  sox "$TMP/b.wav" -t ul "$TMP/c.ul"
  sox -t ul -r 8000 -c 1 "$TMP/c.ul" -e signed -b 16 "$out.wav"
  dur=$(soxi -D "$out.wav")
  printf '{"class":"%s","split":"%s","source":"%s","durationS":%s,"hold":%s,"codec":"%s","peakDb":%s}\n' \
    "$3" "$4" "$5" "$dur" "${6//DUR/$dur}" "$codec" "$peak" >"$out.json"
}

sil() { sox -D -n -r 8000 -c 1 -b 16 "$2" trim 0 "$1"; }

# prompts DIR [MORE]: PROMPTS <- DIR's spoken prompts: its WAV files (asterisk-core-sounds-*-wav)
# or, if none, its GSM ones (asterisk-prompt-*), without tones and beeps, nor names matching the
# extended regex MORE.
prompts() {
  local ext=wav
  compgen -G "$1/*.wav" >/dev/null || ext=gsm
  mapfile -t PROMPTS < <(ls "$1"/*."$ext" | grep -v -E "beep|tone|dtmf|silence|ascending|descending${2:+|$2}")
}

# prompt SRC I: SRC as 8 kHz PCM16 in $TMP/pI.wav; MS <- its length in ms. A GSM file has no
# header, so the length is read after decoding.
prompt() {
  local d
  sox "$1" -r 8000 -c 1 -b 16 "$TMP/p$2.wav"
  d=$(soxi -D "$TMP/p$2.wav")
  MS=$((10#${d%.*} * 1000 + 10#${d#*.} / 1000))
}

# gap I: G <- 100-1200 ms, that long a silence in $TMP/gI.wav (the pause after prompt I)
gap() {
  rnd 100 1200
  G=$R
  sil "$(printf %d.%03d $((G / 1000)) $((G % 1000)))" "$TMP/g$1.wav"
}

# monologue DIR SECONDS DST [PITCH]: prompts of DIR (see prompts) with 0.1-1.2 s gaps, about
# SECONDS long.
monologue() {
  local files=() total=0 f i=0
  prompts "$1"
  while ((total < $2 * 1000)); do
    f=${PROMPTS[$(( (RANDOM * 32768 + RANDOM) % ${#PROMPTS[@]} ))]}
    prompt "$f" "$i"
    ((MS / 1000 > 12)) && continue
    gap "$i"
    files+=("$TMP/p$i.wav" "$TMP/g$i.wav")
    total=$((total + MS + G))
    i=$((i + 1))
  done
  if [[ -n ${4:-} ]]; then
    sox "${files[@]}" "$TMP/m.wav"
    sox "$TMP/m.wav" "$3" pitch "$4" rate 8000
  else
    sox "${files[@]}" "$3"
  fi
  rm -f "$TMP"/p*.wav "$TMP"/g*.wav
}
