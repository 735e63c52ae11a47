#!/usr/bin/env bash
# Generates the TypeScript and Go SDKs of the ilert-contacts package from its schema and compiles
# both, the way a user of each would:
#
#   TypeScript  tsc -p on the generated package (its own tsconfig.json), against @pulumi/pulumi
#               3.259.0, typescript 4.9.5 and @types/node 20 installed by `npm ci` from
#               package.json + package-lock.json (this folder); then node loads the compiled
#               package and lists its exports
#   Go          go build ./... on the generated package, as a module requiring
#               github.com/pulumi/pulumi/sdk/v3 v3.259.0: its go.mod and go.sum are those of
#               tools/pulumi-cli (so every dependency is at the version the CLI was built with,
#               and the CLI's build cache already holds them compiled)
#
#   bash tools/sdk-check/check.sh [--schema FILE] [--out DIR] [--lang nodejs,go]
#
#   --schema FILE  the package schema; default: the plugin's, from
#                  `pulumi package get-schema <path of pulumi-resource-ilert-contacts>`
#   --out DIR      where the SDKs go (replaced); default .tools/sdk-check/out
#   --lang LIST    nodejs, go or both (the default)
#
# Needs: pulumi-sdkgen (built by tools/pulumi-cli/install.sh into .tools/bin), Go, and for
# TypeScript node and npm (`make node` installs them from Debian's packages where missing).
# The npm packages go to .tools/sdk-check/npm (gitignored) and are installed again only when
# package-lock.json or the node version changes; the Go modules come from the module cache
# (downloaded once through the Go module proxy). A second run takes a few seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="$repo/.tools/sdk-check"
npmdir="$cache/npm"
out="$cache/out"
schema=""
langs="nodejs,go"
GO="${GO:-go}"
export PATH="$repo/.tools/bin:$repo/.venv/bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

log() { printf '[sdk-check] %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

while (($#)); do
    case "$1" in
    --schema) schema="$2" && shift 2 ;;
    --out) out="$2" && shift 2 ;;
    --lang) langs="$2" && shift 2 ;;
    -h | --help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' && exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"

t0=$SECONDS
step_start=$SECONDS
step() { # "what": logs the step and starts its clock (done_step logs its time)
    log "$1"
    step_start=$SECONDS
}
done_step() { log "  done in $((SECONDS - step_start)) s"; }

command -v pulumi-sdkgen >/dev/null 2>&1 ||
    die "pulumi-sdkgen not found in .tools/bin: run 'make pulumi-cli' (tools/pulumi-cli/install.sh)"

if [[ -z "$schema" ]]; then
    step "schema: pulumi package get-schema pulumi-resource-ilert-contacts"
    plugin="$(command -v pulumi-resource-ilert-contacts 2>/dev/null)" ||
        die "pulumi-resource-ilert-contacts is not on PATH (it comes with 'pip install -e .', .venv/bin)"
    command -v pulumi >/dev/null 2>&1 || die "pulumi not found: run 'make pulumi-cli'"
    schema="$out/schema.json"
    # A path, not the bare name: a name is looked up in the Pulumi registry, which is not reachable.
    pulumi package get-schema "$plugin" >"$schema.tmp" || die "pulumi package get-schema $plugin failed"
    mv "$schema.tmp" "$schema"
    done_step
fi
[[ -f "$schema" ]] || die "no schema file: $schema"

step "generate: pulumi-sdkgen -schema $schema -out $out -lang $langs"
pulumi-sdkgen -schema "$schema" -out "$out" -lang "$langs"
done_step

manifest() { # "lang" "key": a value of sdkgen.json
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' \
        "$out/sdkgen.json" "$1" "$2"
}

if [[ ",$langs," == *,nodejs,* ]]; then
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
        die "node and npm are required for the TypeScript SDK: run 'make node' (apt-get install nodejs npm)"

    step "npm: @pulumi/pulumi, typescript and @types/node from package-lock.json into $npmdir"
    want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node --version)"
    if [[ -d "$npmdir/node_modules" && -f "$npmdir/.stamp" && "$(cat "$npmdir/.stamp")" == "$want" ]]; then
        log "  up to date"
    else
        rm -rf "$npmdir"
        mkdir -p "$npmdir"
        cp "$here/package.json" "$here/package-lock.json" "$npmdir/"
        # No install scripts: nothing here needs one to compile (protobufjs' only checks versions).
        (cd "$npmdir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) ||
            die "npm ci failed in $npmdir"
        printf '%s\n' "$want" >"$npmdir/.stamp"
    fi
    done_step

    sdk="$out/$(manifest nodejs dir)"
    step "tsc: the TypeScript SDK ($(manifest nodejs packageName)) in $sdk"
    ln -sfn "$npmdir/node_modules" "$sdk/node_modules"
    "$npmdir/node_modules/.bin/tsc" --version >&2
    (cd "$sdk" && "$npmdir/node_modules/.bin/tsc" -p .) || die "tsc failed on the TypeScript SDK in $sdk"
    done_step

    step "node: load the compiled package and list its exports"
    # The published layout: package.json beside the compiled code (utilities.ts reads it).
    cp "$sdk/package.json" "$sdk/bin/package.json"
    (cd "$sdk" && node -e '
        const m = require("./bin");
        process.stdout.write(JSON.stringify(Object.keys(m).sort(), null, 2) + "\n");
    ' >"$out/nodejs-exports.json") || die "node could not load the compiled TypeScript SDK"
    log "  exports: $(tr -d ' \n' <"$out/nodejs-exports.json")"
    done_step
fi

if [[ ",$langs," == *,go,* ]]; then
    command -v "$GO" >/dev/null 2>&1 || die "Go is required for the Go SDK"
    sdk="$out/$(manifest go dir)"
    module="$(manifest go modulePath)"
    step "go build: the Go SDK ($(manifest go importPath)) in $sdk"
    # Any go.mod the generator wrote (schemas with supportPack) gives way to the CLI's.
    cp "$repo/tools/pulumi-cli/go.mod" "$repo/tools/pulumi-cli/go.sum" "$sdk/"
    chmod u+w "$sdk/go.mod" "$sdk/go.sum"
    (cd "$sdk" && "$GO" mod edit -module "$module")
    # The CLI's build flags (tools/pulumi-cli/install.sh), so its compiled packages are reused.
    (cd "$sdk" && GOFLAGS="-mod=readonly -buildvcs=false -trimpath" CGO_ENABLED=0 "$GO" build ./...) ||
        die "go build failed on the Go SDK in $sdk"
    (cd "$sdk" && "$GO" list ./... >"$out/go-packages.txt")
    log "  packages: $(tr '\n' ' ' <"$out/go-packages.txt")"
    done_step
fi

log "SDKs generated and compiled in $((SECONDS - t0)) s: $out"
