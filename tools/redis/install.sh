#!/usr/bin/env bash
# Makes sure redis-server is on PATH, for the fleet rate-budget tests and bench (one Redis shared by
# several provider processes): where missing, installs Debian's redis-server package (apt-get, as
# root or through sudo). The package's service is not used: the tests start their own server on
# loopback. Returns at once when redis-server is there.
set -euo pipefail

log() { printf '[redis] %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

if have redis-server; then
    echo "$(redis-server --version | cut -d' ' -f1-3) already installed"
    exit 0
fi
apt_for="redis-server (https://redis.io)"
# shellcheck source=../apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
apt_install redis-server
echo "$(redis-server --version | cut -d' ' -f1-3) installed"
