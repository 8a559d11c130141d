#!/usr/bin/env bash
# Install the load generator of benchmarks/query_path.py when it is missing:
# wrk, from Debian's packages (the oxigraph server comes with the bench extra, from PyPI).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: wrk is missing and there is no apt-get; install wrk 4.x (https://github.com/wg/wrk)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "Installing Debian's wrk for the query-path benchmark (apt-get)..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
wrk --version 2>&1 | head -1 >&2 || true
