# Sourced by the install scripts that add a Debian package where a tool is missing (node/npm,
# redis-server): apt_install PACKAGE... installs them as root, or through sudo.
# The caller defines log() and names what needs the packages in $apt_for.

apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        log "error: $apt_for is required; no apt-get here to install it"
        exit 1
    fi
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { log "error: installing $apt_for needs root (or sudo)"; exit 1; }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    log "installing $* from Debian's packages"
    # apt-get update once per script run.
    if [[ -z "${_apt_updated:-}" ]]; then
        "${sudo[@]}" apt-get update -qq
        _apt_updated=1
    fi
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"
}
