#!/usr/bin/env bash
# The whole test suite on a fresh machine: setup, static checks, unit and real-peer tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm run typecheck
npm run lint
npm run format:check
npm test
