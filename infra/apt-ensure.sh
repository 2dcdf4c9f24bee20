#!/usr/bin/env bash
# apt-ensure.sh <who> <package>...: installs the Debian packages that are missing, for scripts that need system
# packages (install-browser.sh, install-mqtt-broker.sh, install-test-media.sh). Idempotent: exits at once when everything is present. Debian bookworm main;
# needs root or sudo (CI runs as root).
set -euo pipefail

who=$1
shift
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$who: all present ($*)"
  exit 0
fi

echo "$who: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "$who: done"
