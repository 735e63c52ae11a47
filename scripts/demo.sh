#!/usr/bin/env bash
# `make demo`: pulumi up the quickstart against the embedded ilert emulator, with a local backend.
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

say() { printf '\n==> %s\n' "$*"; }

say "starting the ilert emulator on loopback (data: .pulumi-state/emulator.db)"
log="$state/emulator.log"
python -m pulumi_ilert_contacts.emulator --host 127.0.0.1 --port 0 --token "$token" \
  --users 1001 --db "$state/emulator.db" >"$log" 2>&1 &
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
echo "emulator at $url (user 1001)"

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

printf '\nDemo complete: pulumi up created the quickstart contacts in the ilert emulator and a second preview shows no changes.\n'
