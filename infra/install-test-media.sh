#!/usr/bin/env bash
# Installs what the ingest tests use beyond npm: GStreamer's RTSP server library and the gjs JavaScript runtime
# that drives it, so RTSP-over-TCP is also checked against an independent server (pipelines/ingest/rtsp.test.ts).
# Idempotent: exits at once when everything is present. Debian bookworm main; needs root (CI runs as root).
set -euo pipefail
exec "$(dirname "$0")/apt-ensure.sh" install-test-media gjs gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
