#!/usr/bin/env bash
# Create the project's virtual environment: scripts/make-venv.sh PYTHON VENV
# Checks for Python 3.11+, and on Debian/Ubuntu installs python3-venv when the
# interpreter cannot create a venv (Debian ships venv and ensurepip separately).
set -euo pipefail
PYTHON="${1:-python3}"
VENV="${2:-.venv}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found; install Python 3.11 or newer (or run make PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: $("$PYTHON" --version 2>&1) is too old; Python 3.11 or newer is needed (make PYTHON=python3.12 ...)" >&2
  exit 1
fi

if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
  rm -rf "$VENV"
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    minor="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    echo "Installing python${minor}-venv (apt-get), needed to create $VENV ..." >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "python${minor}-venv" >/dev/null \
      || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -m venv "$VENV"
  else
    echo "error: $PYTHON cannot create a virtual environment; install its venv module" >&2
    exit 1
  fi
fi
"$VENV/bin/python" -m pip install -q --upgrade pip setuptools
