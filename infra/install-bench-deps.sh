#!/usr/bin/env bash
# Installs what `npm run bench` needs beyond npm: Debian's ffmpeg CLI, which makes the 1280×720 25 fps inputs from
# a shared clip (bench/analyze-speed.ts, bench/camera-density.ts). The camera-density part's cameras are the ingest
# tests' RTSP server in Node (pipelines/ingest/testing/rtsp-server.ts), so they need no package of their own.
# Runs as `prebench`, so it must be idempotent and quick:
# it exits at once when ffmpeg is already on PATH, and runs apt-get update only when it has to install.
# Debian bookworm main; needs root (CI runs as root).
set -euo pipefail

if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  echo "install-bench-deps: ffmpeg present ($(command -v ffmpeg))"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# Only now, with the package missing, refresh the lists: a fresh machine has none, and stale ones can point at
# .deb versions the mirror no longer serves.
echo "install-bench-deps: apt-get update"
"${sudo_cmd[@]}" apt-get update -qq
echo "install-bench-deps: installing ffmpeg"
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
echo "install-bench-deps: done ($(ffmpeg -version | head -n1))"
