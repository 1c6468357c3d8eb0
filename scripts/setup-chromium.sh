#!/usr/bin/env bash
# Headless Chromium for the HTML report test (Debian's package, /usr/bin/chromium).
# Idempotent: when it is installed, this is a fast no-op.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then echo "setup-chromium: run as root (apt-get install chromium)" >&2; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
