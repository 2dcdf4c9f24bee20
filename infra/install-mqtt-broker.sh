#!/usr/bin/env bash
# Installs the MQTT broker the notify tests publish to: Debian's `mosquitto` (test/support/mosquitto.ts starts it
# on a free loopback port with its own config file; the package's system service is not used). Idempotent: exits
# at once when it is present. Debian bookworm main; needs root (CI runs as root).
set -euo pipefail

packages=(mosquitto)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-mqtt-broker: all present (${packages[*]})"
  exit 0
fi

echo "install-mqtt-broker: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
# policy-rc.d-free containers: the package's service may fail to start; the broker binary is all the tests need
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-mqtt-broker: done"
