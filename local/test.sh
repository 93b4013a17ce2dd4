#!/usr/bin/env bash
# Builds everything and runs every test (unit, loopback providers, handler fixtures, local end to end, packaging).
set -euo pipefail
cd "$(dirname "$0")/.."
. local/jdk.sh
exec mvn -B -ntp verify "$@"
