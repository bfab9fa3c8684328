#!/bin/sh
# install.sh — install gemini-live into its own isolated environment.
#
#   ./install.sh               install (or reinstall) from this checkout
#   ./install.sh --uninstall   remove what this script installed (where its receipt says)
#
# Environment:
#   INSTALL_DIR         where the `gemini-live` command goes (default ~/.local/bin)
#   GEMINI_LIVE_SOURCE  what to install: a checkout folder, a wheel, or a
#                       `git+https://…` URL (default: the folder of this script)
#
# It uses `uv tool install` (installing uv into a private virtualenv with pip
# when uv is missing), never pipes a download into a shell, and is safe to
# run twice. `gemini-live update` later reinstalls from the same source.
set -eu

APP=gemini-live
PACKAGE=gemini-live-tui
INSTALL_DIR=${INSTALL_DIR:-"$HOME/.local/bin"}
DATA_DIR=${XDG_DATA_HOME:-"$HOME/.local/share"}/$APP
BOOTSTRAP="$DATA_DIR/bootstrap"
RECEIPT="$DATA_DIR/install-receipt"
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
SOURCE=${GEMINI_LIVE_SOURCE:-"$HERE"}
# A relative folder or wheel is stored absolute, so `gemini-live update` works from anywhere.
case "$SOURCE" in
  /* | *://* | git+*) ;;
  *)
    if [ -d "$SOURCE" ]; then
      SOURCE=$(CDPATH='' cd -- "$SOURCE" && pwd)
    elif [ -e "$SOURCE" ]; then
      SOURCE=$(CDPATH='' cd -- "$(dirname -- "$SOURCE")" && pwd)/$(basename -- "$SOURCE")
    fi
    ;;
esac

say() { printf '%s\n' "install.sh: $*"; }
die() { printf '%s\n' "install.sh: error: $*" >&2; exit 1; }

find_python() {
  for candidate in python3 python3.13 python3.12 python3.11 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

find_uv() {
  if [ -x "$BOOTSTRAP/bin/uv" ]; then echo "$BOOTSTRAP/bin/uv"; return 0; fi
  if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
  return 1
}

# The value of KEY in the install receipt (empty when there is none).
receipt_value() {
  [ -f "$RECEIPT" ] && sed -n "s/^$1=//p" "$RECEIPT" | head -n 1
}

uninstall() {
  # What install.sh recorded wins: the command may be in another INSTALL_DIR, made by another uv.
  recorded_dir=$(receipt_value install_dir || true)
  [ -n "$recorded_dir" ] && INSTALL_DIR=$recorded_dir
  recorded_uv=$(receipt_value uv || true)
  if [ -n "$recorded_uv" ] && [ -x "$recorded_uv" ]; then
    uv=$recorded_uv
  else
    uv=$(find_uv) || uv=
  fi
  if [ -n "$uv" ]; then
    UV_TOOL_BIN_DIR="$INSTALL_DIR" "$uv" tool uninstall "$PACKAGE" >/dev/null 2>&1 || true
  else
    say "uv not found: removing the command only (uv's tool environment, if any, stays)"
  fi
  rm -f "$INSTALL_DIR/$APP"
  rm -rf "$BOOTSTRAP" "$RECEIPT"
  rmdir "$DATA_DIR" 2>/dev/null || true
  say "removed $APP from $INSTALL_DIR (your settings in ~/.config/$APP are kept; delete them by hand if you like)"
}

portaudio_present() {
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libportaudio\.so'; then return 0; fi
  for dir in /usr/lib /usr/local/lib /opt/homebrew/lib /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu; do
    ls "$dir"/libportaudio* >/dev/null 2>&1 && return 0
  done
  return 1
}

ensure_portaudio() {
  portaudio_present && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing PortAudio (libportaudio2) for voice"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libportaudio2 >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libportaudio2 >/dev/null 2>&1; } ||
      say "could not install libportaudio2; voice (/mic, /speak) needs it"
  elif command -v brew >/dev/null 2>&1 && [ "$(uname)" = Darwin ]; then
    say "installing PortAudio with Homebrew for voice"
    brew install portaudio >/dev/null 2>&1 || say "could not install portaudio; voice needs it (brew install portaudio)"
  else
    say "note: voice (/mic, /speak) needs the PortAudio library: install libportaudio2 (Debian/Ubuntu), portaudio (Fedora, Homebrew) — text chat works without it"
  fi
}

install() {
  python=$(find_python) || die "Python 3.11 or newer is needed (python3 not found or too old)"
  # the data folder holds the receipt and the bootstrap uv: the user's alone
  (umask 077 && mkdir -p "$DATA_DIR") && chmod 700 "$DATA_DIR"
  if ! uv=$(find_uv); then
    say "installing uv into $BOOTSTRAP"
    "$python" -m venv "$BOOTSTRAP" || die "could not create a virtual environment (install python3-venv)"
    "$BOOTSTRAP/bin/python" -m pip install --quiet --disable-pip-version-check uv || die "pip could not install uv"
    uv="$BOOTSTRAP/bin/uv"
  fi
  mkdir -p "$INSTALL_DIR"
  say "installing $APP from $SOURCE"
  UV_TOOL_BIN_DIR="$INSTALL_DIR" "$uv" tool install --quiet --force --reinstall --python "$python" "$SOURCE" ||
    die "uv tool install failed"
  # The receipt lets `gemini-live update` reinstall from the same source.
  umask 077
  {
    printf 'source=%s\n' "$SOURCE"
    printf 'uv=%s\n' "$uv"
    printf 'python=%s\n' "$python"
    printf 'install_dir=%s\n' "$INSTALL_DIR"
  } > "$RECEIPT"
  ensure_portaudio
  version=$("$INSTALL_DIR/$APP" --version 2>/dev/null || echo "$APP (version unknown)")
  say "installed $version as $INSTALL_DIR/$APP"
  case ":$PATH:" in
    *":$INSTALL_DIR:"*) ;;
    *) say "add it to your PATH:  export PATH=\"$INSTALL_DIR:\$PATH\"  (e.g. in ~/.profile)" ;;
  esac
  say "try it offline:  $APP --demo"
}

case "${1:-}" in
  --uninstall) uninstall ;;
  ""|--install) install ;;
  -h|--help) sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p' ;;
  *) die "unknown option $1 (use --uninstall or --help)" ;;
esac
