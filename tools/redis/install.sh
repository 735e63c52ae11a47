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
if ! have apt-get; then
    log "error: redis-server is required (https://redis.io); no apt-get here to install it"
    exit 1
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
    have sudo || { log "error: installing redis-server needs root (or sudo)"; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
log "installing redis-server from Debian's packages"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends redis-server
echo "$(redis-server --version | cut -d' ' -f1-3) installed"
