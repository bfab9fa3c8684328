#!/usr/bin/env bash
# Run the test suite as it would run on a machine without some of the Debian
# packages the tests use, and show that a test needing a missing piece skips
# (naming the package to install) instead of failing.
#
#   scripts/bare_machine_check.sh                 # every set below, the default test run each
#   scripts/bare_machine_check.sh bare no-x11-apps -- tests/screen -q   # chosen sets, own pytest args
#
# Sets (the packages each one hides):
#   bare          all of them: a machine with only Python and pip
#   no-x11-apps   x11-apps (Xvfb is there, xlogo is not)
#   no-xvfb       xvfb
#   no-portaudio  libportaudio2 (PulseAudio is there)
#   no-pulse      pulseaudio pulseaudio-utils (PortAudio is there)
#   no-alsa-pulse libasound2-plugins (PortAudio cannot reach PulseAudio)
#
# Nothing on the machine changes: each run happens in a private mount
# namespace where /usr is an overlay in which every file of the hidden
# packages is deleted (an overlayfs whiteout), with the dynamic linker's cache
# rebuilt without them, so `shutil.which` and `ctypes.util.find_library` see
# what a machine without the packages would. Needs root and unshare (util-linux).
# GEMINI_LIVE_REQUIRE_DEVICES is unset for these runs (it turns skips into failures).
set -euo pipefail
cd "$(dirname "$0")/.."

ALL="pulseaudio pulseaudio-utils libportaudio2 libasound2-plugins xvfb x11-utils xdotool x11-apps espeak-ng sox tmux"
declare -A SETS=(
  [bare]="$ALL"
  [no-x11-apps]="x11-apps"
  [no-xvfb]="xvfb"
  [no-portaudio]="libportaudio2"
  [no-pulse]="pulseaudio pulseaudio-utils"
  [no-alsa-pulse]="libasound2-plugins"
)
ORDER="bare no-x11-apps no-xvfb no-portaudio no-pulse no-alsa-pulse"

sets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  [ -n "${SETS[$1]+x}" ] || { echo "unknown set $1 (sets: $ORDER)" >&2; exit 2; }
  sets+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
[ ${#sets[@]} -gt 0 ] || read -r -a sets <<<"$ORDER"
pytest_args=("$@")

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  echo "bare_machine_check: needs root and unshare (a private mount namespace)" >&2
  exit 2
fi

# Whiteouts for every file (not folder) a package installed under /usr
# (/bin, /sbin and /lib are /usr's on a merged-/usr system).
whiteouts() {  # upper-dir packages...
  local upper=$1 pkg path rel
  shift
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || continue  # not installed: already hidden
    while IFS= read -r path; do
      case "$path" in
        /usr/*) rel=${path#/usr/} ;;
        /bin/* | /sbin/* | /lib/* | /lib64/*) rel=${path#/} ;;
        *) continue ;;
      esac
      if [ -L "$path" ] || [ -f "$path" ]; then
        mkdir -p "$upper/$(dirname "$rel")"
        [ -e "$upper/$rel" ] || mknod "$upper/$rel" c 0 0
      fi
    done < <(dpkg -L "$pkg")
  done
}

status=0
summary=()
for set in "${sets[@]}"; do
  work=$(mktemp -d /tmp/bare-machine.XXXXXX)
  mkdir -p "$work/upper" "$work/work"
  # shellcheck disable=SC2086 - the set is a list of package names
  whiteouts "$work/upper" ${SETS[$set]}
  echo "=== $set: without ${SETS[$set]}"
  log="$work/pytest.log"
  set +e
  unshare --mount --propagation private env -u GEMINI_LIVE_REQUIRE_DEVICES \
    WORK="$work" bash -c '
      set -e
      mount -t overlay overlay -o "lowerdir=/usr,upperdir=$WORK/upper,workdir=$WORK/work" /usr
      ldconfig -X -C "$WORK/ld.so.cache" 2>/dev/null
      mount --bind "$WORK/ld.so.cache" /etc/ld.so.cache
      exec uv run pytest -p no:cacheprovider "$@"
    ' bash "${pytest_args[@]}" 2>&1 | tee "$log"
  code=${PIPESTATUS[0]}
  set -e
  summary+=("$set: exit $code, $(grep -E '[0-9]+ (passed|failed|errors?)|no tests ran' "$log" | tail -1 | tr -d '=' | xargs)")
  [ "$code" = 0 ] || status=1
  rm -rf "$work"
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
