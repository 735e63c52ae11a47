#!/usr/bin/env bash
# Makes sure node and npm are on PATH, for tools/sdk-check/check.sh (the TypeScript SDK): where
# either is missing, installs Debian's nodejs and npm packages (apt-get, as root or through sudo).
# Returns at once when both are there.
set -euo pipefail

log() { printf '[node] %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

if have node && have npm; then
    echo "node $(node --version) and npm $(npm --version) already installed"
    exit 0
fi
if ! have apt-get; then
    log "error: node and npm are required (https://nodejs.org); no apt-get here to install them"
    exit 1
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
    have sudo || { log "error: installing node and npm needs root (or sudo)"; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
log "installing node and npm from Debian's packages"
"${sudo[@]}" apt-get update -qq
# A nodejs from another source may carry npm itself: add Debian's npm only where still missing.
have node || "${sudo[@]}" apt-get install -y -qq --no-install-recommends nodejs
have npm || "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm
echo "node $(node --version) and npm $(npm --version) installed"
