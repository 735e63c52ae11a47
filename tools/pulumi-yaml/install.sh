#!/usr/bin/env bash
# Builds the Pulumi YAML language host (and the YAML converter plugin) from Go
# modules into <repo>/.tools/bin, beside the CLI that ../pulumi-cli/install.sh
# builds. Idempotent the same way: a second run returns at once when the
# installed tools are current.
#
#   bash tools/pulumi-yaml/install.sh      # then: export PATH="$PWD/.tools/bin:$PATH"
#
# Installs into .tools/bin:
#   pulumi-language-yaml    github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml  @ v1.25.0
#                           runs `runtime: yaml` programs; its GenerateProject/GenerateProgram
#                           serve `pulumi convert --language yaml` and
#                           `pulumi import --generate-code` on a YAML project
#   pulumi-converter-yaml   github.com/pulumi/pulumi-yaml/cmd/pulumi-converter-yaml @ v1.25.0
#                           the `yaml` converter plugin: `pulumi convert --from yaml` (the default)
#
# This folder is a wrapper module of its own, not part of ../pulumi-cli: pulumi-yaml v1.25.0
# compiles only against the pkg/v3 and sdk/v3 it requires itself (v3.206.0), and one module can
# select only one version of each. pulumi-yaml's go.mod has no replace directives to copy.
#
# Environment: GO (go binary, default: go on PATH); PULUMI_CLI_FORCE=1 rebuilds.
set -euo pipefail

readonly YAML_VERSION=v1.25.0
readonly YAML_MODULE=github.com/pulumi/pulumi-yaml
readonly PKG_VERSION=v3.206.0 # the pkg/v3 that pulumi-yaml v1.25.0 requires (go.mod)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bindir="$repo/.tools/bin"
stampfile="$bindir/.pulumi-yaml.stamp"
tools=(pulumi-language-yaml pulumi-converter-yaml)
GO="${GO:-go}"

log() { printf '[pulumi-yaml] %s\n' "$*" >&2; }

# Identifies the inputs of a build: the wrapper module and this script.
stamp() {
    (cd "$here" && cat go.mod go.sum tools.go install.sh) | sha256sum | cut -d' ' -f1
}

# 1) Our own build in .tools/bin, complete and built from the current sources.
installed_here() {
    local t
    for t in "${tools[@]}"; do [[ -x "$bindir/$t" ]] || return 1; done
    [[ -f "$stampfile" && "$(cat "$stampfile")" == "$(stamp)" ]]
}

# 2) A YAML host beside a pulumi on PATH outside .tools/bin (an official install bundles
#    pulumi-language-yaml and pulumi-converter-yaml with the CLI; ../pulumi-cli/install.sh has
#    already judged that CLI's version).
installed_on_path() {
    local p dir t
    p="$(command -v pulumi 2>/dev/null)" || return 1
    dir="$(cd "$(dirname "$p")" && pwd)"
    [[ "$dir" != "$bindir" ]] || return 1
    for t in "${tools[@]}"; do [[ -x "$dir/$t" ]] || return 1; done
}

if [[ "${PULUMI_CLI_FORCE:-}" != 1 ]] && { installed_here || installed_on_path; }; then
    echo "pulumi-language-yaml $YAML_VERSION already installed"
    exit 0
fi

if ! command -v "$GO" >/dev/null 2>&1; then
    log "error: Go is required (go.mod needs go >= $(awk '$1 == "go" {print $2}' "$here/go.mod"))"
    exit 1
fi

start=$SECONDS
log "building pulumi-language-yaml $YAML_VERSION with $("$GO" version) into $bindir"
log "(cold: ~70 s to compile on 2 cores; warm: a few seconds)"

# -mod=readonly: go.mod/go.sum are complete; never rewrite them during a build.
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ldflags="-X $YAML_MODULE/pkg/version.Version=$YAML_VERSION"

mkdir -p "$bindir"
staging="$(mktemp -d "$bindir/.staging-yaml.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

cd "$here"
log "downloading modules"
"$GO" mod download
log "modules ready after $((SECONDS - start)) s; compiling"
"$GO" build -ldflags "$ldflags" -o "$staging/" \
    "$YAML_MODULE/cmd/pulumi-language-yaml" "$YAML_MODULE/cmd/pulumi-converter-yaml"
log "compiled after $((SECONDS - start)) s"

# The binaries must be built from the pinned modules (read from their build info, so nothing is
# run; -trimpath keeps -ldflags out of it, so the version stamp is checked by the tests through
# `pulumi about`).
for t in "${tools[@]}"; do
    info="$("$GO" version -m "$staging/$t")"
    if ! grep -Eq "^[[:space:]]mod[[:space:]]+$YAML_MODULE[[:space:]]+$YAML_VERSION[[:space:]]" <<<"$info" ||
        ! grep -Eq "^[[:space:]]dep[[:space:]]+github.com/pulumi/pulumi/pkg/v3[[:space:]]+$PKG_VERSION[[:space:]]" <<<"$info"; then
        log "error: $t is not built from $YAML_MODULE $YAML_VERSION on pkg/v3 $PKG_VERSION:"
        printf '%s\n' "$info" | head -5 >&2
        exit 1
    fi
done

rm -f "$stampfile"
for t in "${tools[@]}"; do mv -f "$staging/$t" "$bindir/$t"; done
stamp >"$stampfile"

log "installed ${tools[*]} into $bindir in $((SECONDS - start)) s"
echo "pulumi-language-yaml $YAML_VERSION installed in $bindir (add it to PATH)"
