#!/usr/bin/env bash
# Installs what the ingest tests use beyond npm: GStreamer's RTSP server library and the gjs JavaScript runtime
# that drives it, so RTSP-over-TCP is also checked against an independent server (pipelines/ingest/rtsp.test.ts).
# Idempotent: exits at once when everything is present. Debian bookworm main; needs root (CI runs as root).
set -euo pipefail

packages=(gjs gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-media: all present (${packages[*]})"
  exit 0
fi

echo "install-test-media: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-test-media: done"
