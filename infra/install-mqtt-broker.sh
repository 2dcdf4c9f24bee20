#!/usr/bin/env bash
# Installs the MQTT broker the notify tests publish to: Debian's `mosquitto` (test/support/mosquitto.ts starts it
# on a free loopback port with its own config file; the package's system service is not used). Idempotent; needs
# root or sudo (CI runs as root).
set -euo pipefail
exec "$(dirname "$0")/apt-ensure.sh" install-mqtt-broker mosquitto
