#!/usr/bin/env bash
# `make demo`: pulumi up the quickstart against the embedded ilert emulator, with a local backend,
# first the Python program (dynamic resources, stack dev, user 1001), then the same quickstart as a
# Pulumi YAML program on the native provider (examples/yaml-quickstart, stack yaml-dev, user 1002).
# Safe to run again: the emulator keeps its data in a file next to the Pulumi state, so the second
# run finds everything in place and changes nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

state="$root/.pulumi-state"
mkdir -p "$state"
export PULUMI_BACKEND_URL="file://$state"
export PULUMI_CONFIG_PASSPHRASE="demo-passphrase"   # fixed: the demo stack holds nothing real
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
unset ILERT_API_TOKEN ILERT_ENDPOINT                 # the stack config is what the provider uses
token="demo-token"
stack="dev"
yaml_dir="$root/examples/yaml-quickstart"
yaml_stack="yaml-dev"
yaml_user="1002"

say() { printf '\n==> %s\n' "$*"; }

command -v pulumi-language-yaml >/dev/null 2>&1 || {
  echo "demo failed: pulumi-language-yaml is not on PATH (make pulumi-cli builds it into .tools/bin)" >&2; exit 1; }

say "starting the ilert emulator on loopback (data: .pulumi-state/emulator.db)"
log="$state/emulator.log"
python -m pulumi_ilert_contacts.emulator --host 127.0.0.1 --port 0 --token "$token" \
  --users "1001,$yaml_user" --db "$state/emulator.db" >"$log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^ilert emulator listening on \(http[^ ]*\).*$/\1/p' "$log" | head -n1)"
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$log"; echo "the emulator did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "the emulator did not start" >&2; exit 1; }
echo "emulator at $url (users 1001 and $yaml_user)"

say "selecting stack '$stack' (local backend in .pulumi-state/)"
pulumi stack select "$stack" --create --non-interactive >/dev/null
pulumi config set ilert:endpoint "$url" --stack "$stack"
pulumi config set --secret ilert:apiToken "$token" --stack "$stack"

say "pulumi up: an email address and a primary mobile number for user 1001"
pulumi up --yes --non-interactive --skip-preview --stack "$stack"

say "stack outputs"
pulumi stack output --stack "$stack"

say "pulumi preview: the program and ilert agree, so nothing should change"
preview="$(pulumi preview --non-interactive --diff --expect-no-changes --stack "$stack" 2>&1)" || {
  echo "$preview"; echo "demo failed: the second preview wanted changes" >&2; exit 1; }
echo "$preview"

# The same quickstart in Pulumi YAML. Its Pulumi.yaml declares the plugin's folder (../../.venv/bin)
# under `plugins:`, so the engine takes it as a regular plugin and prints no "from $PATH" warning.
ypulumi() { pulumi --cwd "$yaml_dir" --non-interactive "$@" --stack "$yaml_stack"; }

say "Pulumi YAML: selecting stack '$yaml_stack' of examples/yaml-quickstart (native provider ilert-contacts)"
pulumi --cwd "$yaml_dir" stack select "$yaml_stack" --create --non-interactive >/dev/null
ypulumi config set ilert-contacts:endpoint "$url"
ypulumi config set --secret ilert-contacts:apiToken "$token"
ypulumi config set userId "$yaml_user"

say "pulumi up (YAML): the same email address and primary mobile number, for user $yaml_user"
ypulumi up --yes --skip-preview

say "stack outputs (YAML)"
ypulumi stack output

say "pulumi preview (YAML): nothing should change, and no plugin-from-PATH warning"
preview="$(ypulumi preview --diff --expect-no-changes 2>&1)" || {
  echo "$preview"; echo "demo failed: the preview of the YAML quickstart wanted changes" >&2; exit 1; }
echo "$preview"
if grep -q 'from \$PATH' <<<"$preview"; then
  echo "demo failed: the engine took pulumi-resource-ilert-contacts from PATH, not from Pulumi.yaml" >&2; exit 1
fi

say "contacts the emulator now holds"
python - "$url" <<'PY'
import sys
from pulumi_ilert_contacts.emulator import EmulatorAdmin
contacts = EmulatorAdmin(sys.argv[1]).contacts()
for kind, items in contacts.items():
    for c in items:
        extra = f" region={c['regionCode']} primary={c['primary']}" if kind == "phone_numbers" else ""
        print(f"  user {c['user_id']}  {kind[:-1]:<12} id={c['id']:<3} {c['target']}{extra} status={c['status']}")
PY

printf '\nDemo complete: the quickstart contacts are in the ilert emulator, declared in Python (stack %s, user 1001) and in Pulumi YAML (stack %s, user %s), and a preview of each stack shows no changes.\n' \
  "$stack" "$yaml_stack" "$yaml_user"
