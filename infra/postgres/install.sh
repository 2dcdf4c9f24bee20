#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server (package `postgresql`), which infra/postgres starts throw-away clusters from
# (initdb + postgres in /usr/lib/postgresql/15/bin). Called by the test support when the binaries are missing and by
# `npm run postgres:install`; CI may call it too. Idempotent and quick: exits at once when initdb and postgres are
# present, and runs apt-get update only when it has to install. The package's own cluster (`main`, port 5432) is
# not needed and is not started (policy-rc.d refuses service starts during the install). Debian bookworm main;
# needs root (CI runs as root) or sudo.
set -euo pipefail

bin_dir="${FACESTREAM_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ -x "$bin_dir/initdb" ] && [ -x "$bin_dir/postgres" ]; then
  echo "install-postgres: present ($bin_dir)"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# Keep the package from starting its default cluster: tests start their own on free ports. Only when no policy
# exists already; removed again afterwards.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" -eq 1 ]; then "${sudo_cmd[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

# Only now, with the package missing, refresh the lists: a fresh machine has none.
echo "install-postgres: apt-get update"
"${sudo_cmd[@]}" apt-get update -qq
echo "install-postgres: installing postgresql"
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null
if [ ! -x "$bin_dir/initdb" ]; then
  echo "install-postgres: postgresql installed but $bin_dir/initdb is missing (set FACESTREAM_PG_BIN to its bin directory)" >&2
  exit 1
fi
echo "install-postgres: done ($("$bin_dir/postgres" --version))"
