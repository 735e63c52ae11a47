#!/usr/bin/env bash
# Builds the Pulumi CLI v3.259.0 and Python, Node.js and Go language hosts from Go modules into
# <repo>/.tools/bin, because the Pulumi download site is not reachable here (the
# Go module proxy, PyPI, npm and Debian are). Idempotent: a second run returns
# at once when the installed tools are current.
#
#   bash tools/pulumi-cli/install.sh      # then: export PATH="$PWD/.tools/bin:$PATH"
#
# Installs into .tools/bin:
#   pulumi                          github.com/pulumi/pulumi/pkg/v3/cmd/pulumi @ v3.259.0
#   pulumi-language-python          ./pulumi-language-python (this folder; see its main.go
#                                   for why it is not the upstream module)
#   pulumi-language-nodejs          ./pulumi-language-nodejs, TypeScript/JavaScript programs (same reason)
#   pulumi-language-go              ./pulumi-language-go, Go programs (same reason); the three hosts
#                                   share ./internal/langhost, the two last ./internal/pkggen
#   pulumi-language-python-exec     copied from the sdk/v3 v3.259.0 module (python/cmd/)
#   pulumi-resource-pulumi-python   copied from the sdk/v3 v3.259.0 module (python/dist/);
#                                   the dynamic-provider plugin
#   pulumi-sdkgen                   ./sdkgen (this folder): TypeScript and Go SDKs from a schema
#                                   with pkg/v3 v3.259.0's code generators (tools/sdk-check/)
# Python policy packs need no pulumi-analyzer-policy-python: the engine runs them
# through the language host's RunPlugin (and sdk/v3 v3.259.0 ships no such script).
#
# Environment: GO (go binary, default: go on PATH); PULUMI_CLI_FORCE=1 rebuilds.
set -euo pipefail

readonly PULUMI_VERSION=v3.259.0
readonly SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
readonly CLI_PACKAGE=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bindir="$repo/.tools/bin"
stampfile="$bindir/.pulumi-cli.stamp"
tools=(pulumi pulumi-language-python pulumi-language-nodejs pulumi-language-go pulumi-language-python-exec
    pulumi-resource-pulumi-python)
# Ours alone (no upstream install has it): built even when another pulumi is accepted.
readonly SDKGEN=pulumi-sdkgen
sdkgen_stampfile="$bindir/.pulumi-sdkgen.stamp"

log() { printf '[pulumi-cli] %s\n' "$*" >&2; }

# Identifies the inputs of a build: the wrapper module, our programs' sources and this script.
stamp() {
    (cd "$here" && cat go.mod go.sum tools.go install.sh $(find internal pulumi-language-* sdkgen -name '*.go' | LC_ALL=C sort)) |
        sha256sum | cut -d' ' -f1
}

# True when "$1" is a pulumi binary reporting $PULUMI_VERSION (no update check, no stdin).
reports_version() {
    local out
    out="$(PULUMI_SKIP_UPDATE_CHECK=true "$1" version </dev/null 2>/dev/null)" || return 1
    [[ "$(printf '%s' "$out" | tr -d '[:space:]')" == "$PULUMI_VERSION" ]]
}

# 1) Our own build in .tools/bin, complete and built from the current sources.
installed_here() {
    local t
    for t in "${tools[@]}" "$SDKGEN"; do [[ -x "$bindir/$t" ]] || return 1; done
    [[ -f "$stampfile" && "$(cat "$stampfile")" == "$(stamp)" ]] || return 1
    reports_version "$bindir/pulumi"
}

# pulumi-sdkgen in .tools/bin, built from the current sources (beside another accepted pulumi).
sdkgen_here() {
    [[ -x "$bindir/$SDKGEN" && -f "$sdkgen_stampfile" && "$(cat "$sdkgen_stampfile")" == "$(stamp)" ]]
}

# 2) Another pulumi of the right version on PATH, with the Python plugins beside it or on PATH.
installed_on_path() {
    local p dir t
    p="$(command -v pulumi 2>/dev/null)" || return 1
    dir="$(cd "$(dirname "$p")" && pwd)"
    [[ "$dir" != "$bindir" ]] || return 1 # .tools/bin is judged by installed_here
    for t in "${tools[@]:1}"; do
        [[ -x "$dir/$t" ]] || command -v "$t" >/dev/null 2>&1 || return 1
    done
    reports_version "$p"
}

sdkgen_only=
if [[ "${PULUMI_CLI_FORCE:-}" != 1 ]]; then
    if installed_here || { installed_on_path && sdkgen_here; }; then
        echo "pulumi CLI $PULUMI_VERSION already installed"
        exit 0
    fi
    installed_on_path && sdkgen_only=1
fi

GO="${GO:-go}"
if ! command -v "$GO" >/dev/null 2>&1; then
    log "error: Go is required (go.mod needs go >= $(awk '$1 == "go" {print $2}' "$here/go.mod"))"
    exit 1
fi

start=$SECONDS
if [[ -n "$sdkgen_only" ]]; then
    log "pulumi $PULUMI_VERSION found on PATH at $(command -v pulumi); building only $SDKGEN into $bindir"
else
    log "building pulumi $PULUMI_VERSION with $("$GO" version) into $bindir"
    log "(cold: ~50 s to fetch ~1.4 GB of modules, ~8 min to compile on 2 cores; warm: ~20 s)"
fi

# -mod=readonly: go.mod/go.sum are complete; never rewrite them during a build.
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"

mkdir -p "$bindir"
staging="$(mktemp -d "$bindir/.staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

cd "$here"
if [[ -n "$sdkgen_only" ]]; then
    "$GO" mod download
    "$GO" build -o "$staging/" ./sdkgen
    mv -f "$staging/sdkgen" "$bindir/$SDKGEN"
    stamp >"$sdkgen_stampfile"
    log "installed $SDKGEN into $bindir in $((SECONDS - start)) s"
    exit 0
fi
log "downloading modules"
"$GO" mod download
sdkdir="$("$GO" list -m -f '{{.Dir}}' "$SDK_MODULE")"
log "modules ready after $((SECONDS - start)) s; compiling pulumi, the language hosts and $SDKGEN"
# One invocation: they share most packages and compile them once.
"$GO" build -ldflags "$ldflags" -o "$staging/" "$CLI_PACKAGE" \
    ./pulumi-language-python ./pulumi-language-nodejs ./pulumi-language-go ./sdkgen
mv "$staging/sdkgen" "$staging/$SDKGEN"
log "compiled after $((SECONDS - start)) s"

# The Python-side scripts: module-cache files are read-only, so copy with a mode.
install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$staging/"
install -m 0755 "$sdkdir/python/dist/pulumi-resource-pulumi-python" "$staging/"

if ! reports_version "$staging/pulumi"; then
    log "error: the built pulumi does not report $PULUMI_VERSION:"
    "$staging/pulumi" version >&2 || true
    exit 1
fi

rm -f "$stampfile" "$sdkgen_stampfile"
for t in "${tools[@]}" "$SDKGEN"; do mv -f "$staging/$t" "$bindir/$t"; done
stamp >"$stampfile"
stamp >"$sdkgen_stampfile"

log "installed ${tools[*]} $SDKGEN into $bindir in $((SECONDS - start)) s"
echo "pulumi CLI $PULUMI_VERSION installed in $bindir (add it to PATH)"
