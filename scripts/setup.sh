#!/usr/bin/env bash
# Installs what holdgate needs on a Debian machine (idempotent) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  sip-tester                   # SIPp: caller and PBX peers in tests and benchmarks
  baresip                      # a real softphone peer
  ffmpeg                       # recording finalize and prompt conversion (fluent-ffmpeg)
  sox                          # test signal generation and measurement
  espeak-ng                    # generated default prompts
  asterisk-moh-opsound-wav     # Asterisk's hold music, for hold detection tests
  asterisk-moh-opsound-gsm     # the same tracks as Asterisk also keeps them: GSM and G.722
  asterisk-moh-opsound-g722
  asterisk-core-sounds-en-wav  # speech prompts, for tests
  rtpengine-daemon             # relay baseline for `npm run bench -- relay`
  rtpengine-utils
  tshark                       # wire-level latency in `npm run bench -- sip`
  redis-server                 # state store for multi-instance tests
  ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# rtpengine-daemon's package starts a system service; holdgate's tests start their own.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now rtpengine-daemon >/dev/null 2>&1 || true; fi

npm ci --no-audit --no-fund

# The embedded default's consent prompts (English and Dutch, espeak-ng), ready to listen to.
node --import tsx scripts/make-prompts.ts config/default.yaml
