#!/usr/bin/env bash
# Install what the JupyterHub browser test (tests/browser/test_classroom_hub.py) needs, only when missing:
#   - JupyterHub itself, as the project's `hub` extra in .venv;
#   - configurable-http-proxy (the hub's proxy) from npm, with Debian's nodejs and npm if there is no npm.
# Usage: bash .ci/hub-setup.sh   (from the project folder; needs root or sudo for apt-get and npm -g)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null; then as_root=(sudo); else as_root=(); fi

if ! .venv/bin/python -c "import jupyterhub" 2>/dev/null; then
    echo "hub-setup: installing the 'hub' extra (JupyterHub) into .venv"
    .venv/bin/python -m pip install --quiet -e '.[cpu,test,browser,hub]'
fi
.venv/bin/python -c "import jupyterhub; print('jupyterhub', jupyterhub.__version__)"

if ! command -v configurable-http-proxy >/dev/null; then
    if ! command -v npm >/dev/null; then
        echo "hub-setup: installing Debian's nodejs and npm with apt-get"
        "${as_root[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq nodejs npm >/dev/null
    fi
    echo "hub-setup: installing configurable-http-proxy from npm"
    "${as_root[@]}" npm install --global --no-fund --no-audit --loglevel=error 'configurable-http-proxy@5'
fi
echo "configurable-http-proxy $(configurable-http-proxy --version)"
