#!/usr/bin/env bash
# Install what the course website needs, only when it is missing:
#   - the `site` extra (Sphinx, MyST-NB, sphinx-book-theme) into .venv, for `make site`;
#   - with --axe, also axe-core (the accessibility checker the browser test injects into each page)
#     from the npm registry into build/npm/ (git-ignored); npm itself from apt-get when missing.
# Usage: bash .ci/site-setup.sh [--axe]   (from the project folder; .venv must exist: `make install`)
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1

if ! .venv/bin/python -c "import sphinx, myst_nb, sphinx_book_theme" 2>/dev/null; then
    echo "site-setup: installing the 'site' extra (Sphinx, MyST-NB, sphinx-book-theme) into .venv"
    .venv/bin/python -m pip install --quiet -e '.[cpu,test,site]'
fi

if [ "${1:-}" = "--axe" ] && [ ! -f build/npm/node_modules/axe-core/axe.min.js ]; then
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null; then as_root=(sudo); else
            echo "site-setup: npm is missing and there is no root or sudo to apt-get install it" >&2
            exit 1
        fi
        echo "site-setup: installing npm with apt-get"
        "${as_root[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq npm >/dev/null
    fi
    echo "site-setup: installing axe-core $AXE_VERSION from npm into build/npm"
    mkdir -p build/npm
    npm install --silent --no-audit --no-fund --no-save --prefix build/npm "axe-core@$AXE_VERSION"
fi
