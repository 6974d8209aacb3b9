#!/usr/bin/env bash
# Install bubblewrap (`bwrap`), the grader's sandbox, when it is missing (Linux only).
# Called by `make test` and `make grade`. Needs root or sudo for apt-get; without them, or on a
# system without apt-get, it says so and returns 0: the grader then runs without a sandbox and says so.
# Usage: bash .ci/sandbox-setup.sh
set -uo pipefail

[ "$(uname -s)" = Linux ] || exit 0
command -v bwrap >/dev/null && exit 0
if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo -n); else
    echo "sandbox-setup: bubblewrap is missing and there is no root or sudo to install it;" \
         "the grader will run kernels without a sandbox (install the 'bubblewrap' package)" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "sandbox-setup: bubblewrap is missing; install it with your package manager (package 'bubblewrap')" >&2
    exit 0
fi
echo "sandbox-setup: installing bubblewrap with apt-get"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq bubblewrap >/dev/null \
    || echo "sandbox-setup: apt-get install bubblewrap failed; the grader will run without a sandbox" >&2
command -v bwrap >/dev/null && bwrap --version
exit 0
