#!/usr/bin/env bash
# `make compat`: the unit, gRPC and policy suites against the oldest and the newest dependency
# versions the package declares (pyproject.toml's ranges), each in a virtualenv of its own that
# holds the built wheel (not the source tree) and exactly the versions of its constraints file:
#
#   constraints/lowest.txt   the lower bounds, on the oldest Python declared (3.10)
#   constraints/newest.txt   the newest releases, raised on purpose (never floating), newest Python
#
# A venv is made again only when its constraints file or the package changed (a stamp).
# LOWEST_PYTHON / NEWEST_PYTHON pick the interpreters; pytest arguments may follow.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

say() { printf '[compat] %s\n' "$*" >&2; }

# An interpreter of version $1: on PATH, else one pyenv installed (not necessarily the global one),
# else the one running the repository (the run still tests the constraints, on another Python).
find_python() {
    local found
    for found in "$(command -v "python$1" 2>/dev/null)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/"python$1"; do
        if [[ -x "$found" ]] && "$found" --version >/dev/null 2>&1; then echo "$found"; return; fi
    done
    say "no Python $1 here: using $(python --version)"
    command -v python
}
lowest_python="${LOWEST_PYTHON:-$(find_python 3.10)}"
newest_python="${NEWEST_PYTHON:-$(find_python 3.13)}"
work="$root/.compat"
mkdir -p "$work"

# The wheel of the current sources, built once per run.
rm -rf "$work/dist"
python -m pip wheel --quiet --no-deps -w "$work/dist" .
wheel="$(ls "$work"/dist/pulumi_ilert_contacts-*.whl)"

run_suite() {
    local name="$1" python="$2" constraints="$root/constraints/$1.txt"
    if [[ -z "$python" ]]; then
        say "error: no interpreter for the $name run (set ${name^^}_PYTHON)"; return 1
    fi
    local venv="$work/$name" stamp
    # Made again when the constraints, the interpreter or the declared dependencies change; the
    # package itself is reinstalled from the fresh wheel on every run.
    stamp="$( (cat "$constraints" pyproject.toml; "$python" --version) | sha256sum | cut -d' ' -f1)"
    if [[ ! -f "$venv/.stamp" || "$(cat "$venv/.stamp")" != "$stamp" ]]; then
        say "$name: creating $venv with $("$python" --version) and $(basename "$constraints")"
        rm -rf "$venv"
        "$python" -m venv "$venv"
        "$venv/bin/pip" install --quiet -c "$constraints" \
            "$wheel[emulator,policy,redis]" pytest pytest-timeout hypothesis jsonschema schemathesis
        echo "$stamp" > "$venv/.stamp"
    fi
    "$venv/bin/pip" install --quiet --no-deps --force-reinstall "$wheel"
    say "$name: $("$venv/bin/python" -c 'import importlib.metadata as m; print("pulumi", m.version("pulumi"), "requests", m.version("requests"), "urllib3", m.version("urllib3"))')"
    # The installed wheel is what the tests import: the sources live under provider/, which is
    # not on this interpreter's path.
    (cd "$root" && "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit tests/grpc tests/policy \
        -m "not e2e and not reliability" "${@:3}")
}

run_suite lowest "$lowest_python" "$@"
run_suite newest "$newest_python" "$@"
