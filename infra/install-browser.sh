#!/usr/bin/env bash
# Installs the browser the console's tests drive (test/console/): Debian's Chromium (/usr/bin/chromium), run headless
# by playwright-core with executablePath — never a browser download by a test tool. Idempotent.
set -euo pipefail
exec bash "$(dirname "$0")/apt-ensure.sh" install-browser chromium
