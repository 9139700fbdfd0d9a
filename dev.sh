#!/usr/bin/env bash
# ClientFile set-up and run script: the two README commands go through here.
#
#   bash dev.sh app [--sample] [clientfile options]   set everything up, then start the app
#   bash dev.sh test [pytest options]                 set everything up, then run the whole test suite
#
# It finds Python >= 3.12 (pyenv's .python-version first), keeps a virtual environment in .venv,
# reinstalls only when pyproject.toml changed, and installs the few system libraries Qt needs when
# they are missing and it may (root or sudo).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"

say() { printf '[dev.sh] %s\n' "$*" >&2; }

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
    local want="" cand
    [ -f .python-version ] && want=$(head -n1 .python-version | tr -d '[:space:]')
    if [ -n "$want" ]; then
        for cand in "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want/bin/python3" \
                    "$(command -v pyenv >/dev/null 2>&1 && pyenv prefix "$want" 2>/dev/null)/bin/python3"; do
            if [ -x "$cand" ] && python_ok "$cand"; then echo "$cand"; return 0; fi
        done
    fi
    for cand in python3.13 python3.12 python3; do
        if command -v "$cand" >/dev/null 2>&1 && python_ok "$(command -v "$cand")"; then
            command -v "$cand"; return 0
        fi
    done
    for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
        if [ -x "$cand" ] && python_ok "$cand"; then echo "$cand"; return 0; fi
    done
    return 1
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

ensure_system_libs() {
    # Qt's xcb/offscreen platforms need these shared libraries; the wheels do not ship them.
    [ "$(uname -s)" = Linux ] || return 0
    command -v ldconfig >/dev/null 2>&1 || return 0
    local missing=() lib pkg
    for pair in libEGL.so.1:libegl1 libGL.so.1:libgl1 libfontconfig.so.1:libfontconfig1 \
                libxkbcommon.so.0:libxkbcommon0 libdbus-1.so.3:libdbus-1-3 \
                libxkbcommon-x11.so.0:libxkbcommon-x11-0 libxcb-cursor.so.0:libxcb-cursor0; do
        lib=${pair%%:*}; pkg=${pair##*:}
        ldconfig -p | grep -q "$lib" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if command -v apt-get >/dev/null 2>&1; then
        say "installing system libraries for Qt: ${missing[*]}"
        as_root apt-get update -qq >/dev/null && \
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || \
            say "could not install ${missing[*]} (need root); Qt may fail to start"
    else
        say "missing system libraries for Qt: ${missing[*]}; install them with your package manager"
    fi
}

ensure_venv() {
    local py stamp want
    if ! py=$(find_python); then
        say "需要 Python 3.12 或更新版本 (Python >= 3.12 is required; see README)."; exit 1
    fi
    if [ -x "$VENV/bin/python" ] && ! python_ok "$VENV/bin/python"; then
        say "removing .venv built with an old Python"; rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating .venv with $("$py" --version)"
        "$py" -m venv "$VENV"
    fi
    want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
    stamp="$VENV/.clientfile-installed"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "installing ClientFile and its dependencies into .venv"
        "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
        "$VENV/bin/python" -m pip install -q -e ".[dev]"
        echo "$want" > "$stamp"
    fi
    ensure_system_libs
}

cmd=${1:-app}
[ $# -gt 0 ] && shift
case "$cmd" in
    app)
        ensure_venv
        if [ "${1:-}" = "--sample" ]; then
            shift
            exec "$VENV/bin/clientfile" --sample "$@"
        fi
        exec "$VENV/bin/clientfile" "$@"
        ;;
    test)
        ensure_venv
        export QT_QPA_PLATFORM=offscreen
        set +e
        if [ $# -gt 0 ]; then
            "$VENV/bin/python" -m pytest "$@"
            rc=$?
        else
            # The whole suite, in two processes: the core, safety and installer tests, then the Qt widget
            # tests in a fresh QApplication of their own (no Qt state can leak from one to the other).
            "$VENV/bin/python" -m pytest --ignore=tests/ui
            rc=$?
            "$VENV/bin/python" -m pytest tests/ui
            rc_ui=$?
            [ $rc -eq 0 ] && rc=$rc_ui
        fi
        set -e
        if [ $rc -eq 5 ]; then say "pytest collected no tests"; exit 1; fi
        exit $rc
        ;;
    *)
        echo "usage: bash dev.sh app [--sample] | bash dev.sh test [pytest options]" >&2; exit 2
        ;;
esac
