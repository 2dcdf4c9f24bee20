#!/usr/bin/env bash
# Installs the browser the console's tests drive (test/console/): Debian's Chromium, run headless by playwright-core
# with executablePath /usr/bin/chromium — never a browser download by a test tool.
# Idempotent: exits at once when it is present. Debian bookworm main; needs root (CI runs as root).
set -euo pipefail

packages=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ -x /usr/bin/chromium ]; then
  echo "install-browser: all present (${packages[*]})"
  exit 0
fi

echo "install-browser: installing ${missing[*]:-${packages[*]}}"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-browser: done"
