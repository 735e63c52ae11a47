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
apt_for="node and npm (https://nodejs.org)"
# shellcheck source=../apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
# A nodejs from another source may carry npm itself: add Debian's npm only where still missing.
have node || apt_install nodejs
have npm || apt_install npm
echo "node $(node --version) and npm $(npm --version) installed"
