#!/usr/bin/env bash
# Install what `make test-browser` needs, only when it is missing:
#   - Debian's Chromium (/usr/bin/chromium), from apt; no browser is downloaded from anywhere else
#     (never `playwright install`: the tests point Playwright at the system Chromium);
#   - the Python driver, Playwright, as the project's `browser` extra in .venv;
#   - what the website test needs: the `site` extra and axe-core (.ci/site-setup.sh --axe).
# Usage: bash .ci/browser-setup.sh   (from the project folder; needs root or sudo for apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${COURSE_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null; then as_root=(sudo); else
        echo "browser-setup: $CHROMIUM is missing and there is no root or sudo to apt-get install chromium" >&2
        exit 1
    fi
    echo "browser-setup: installing Debian's chromium with apt-get"
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null | grep -v '^$' || { echo "browser-setup: $CHROMIUM does not start" >&2; exit 1; }

if ! .venv/bin/python -c "import playwright.sync_api" 2>/dev/null; then
    echo "browser-setup: installing the 'browser' extra (Playwright) into .venv"
    .venv/bin/python -m pip install --quiet -e '.[cpu,test,browser]'
fi
.venv/bin/python -c "from importlib.metadata import version; print('playwright', version('playwright'))"
bash .ci/site-setup.sh --axe
