#!/usr/bin/env bash
# Records the TUI as an asciicast v2 file (play it with `asciinema play assets/kafka-flow.cast`),
# so the README's recording can be re-made whenever the screen changes.
#
# Usage: scripts/record-cast.sh [bin] [out]
#   bin  the binary to record (default target/release/kafka-flow; this script builds nothing)
#   out  the cast to write (default assets/kafka-flow.cast)
# Environment (all optional):
#   CAST_SECONDS  how long to record (default 26)
#   CAST_FPS      samples per second (default 8)
#   CAST_KEYS     "SECONDS:KEY ..." pressed during the recording (default "1:F 20:+ 21:+ 22:+":
#                 follow the next record sent at the opening speed, then speed up);
#                 a single character is typed as itself, a longer word is a tmux key name
#                 (Space, Tab, Right...). A key kafka-flow does not know does nothing.
#   CAST_ARGS     extra arguments for kafka-flow (default "--lang en")
#
# It runs kafka-flow at 120x36 in a private tmux server (like .ci/tui-e2e.sh), samples the pane
# with `capture-pane -e -p` (the text with its colours), and writes one frame per sample that
# differs from the one before: first ESC[H and the pane's lines joined with \r\n, then only the
# rows that changed (keeps the cast small). The header's timestamp is fixed, so a re-made cast
# differs from the old one only where the screen does.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(realpath "${1:-target/release/kafka-flow}")
out=${2:-assets/kafka-flow.cast}
seconds=${CAST_SECONDS:-26}
fps=${CAST_FPS:-8}
keys=${CAST_KEYS:-1:F 20:+ 21:+ 22:+}
args=${CAST_ARGS:---lang en}
width=120
height=36

fail() {
    printf 'record-cast: %s\n' "$*" >&2
    exit 1
}
[ -x "$bin" ] || fail "$bin is not built (run cargo build --release)"
command -v python3 >/dev/null || fail "python3 is needed"
# shellcheck source=scripts/lib/tmux.sh
. scripts/lib/tmux.sh
need_tmux
private_tmux kf-cast C.UTF-8
work=$(mktemp -d)
cleanup() {
    stop_private_tmux
    rm -rf "$work"
}
trap cleanup EXIT

# A clean environment: a fresh HOME and data directory, so saved lesson progress or the
# user's LANG cannot change what is recorded.
# shellcheck disable=SC2086 # CAST_ARGS is split into words on purpose
tmx new-session -d -s cast -x "$width" -y "$height" \
    env -i PATH="$PATH" HOME="$work" XDG_DATA_HOME="$work/data" TERM=screen-256color \
    LANG=C.UTF-8 "$bin" $args
tmx set-option -t cast remain-on-exit on >/dev/null

mkdir -p "$(dirname "$out")"
python3 - "$tmux_socket" "$width" "$height" "$seconds" "$fps" "$keys" "$out" <<'PY'
import json, os, subprocess, sys, time

socket, width, height, seconds, fps, keys, out = sys.argv[1:]
width, height, seconds, fps = int(width), int(height), float(seconds), float(fps)
env = dict(os.environ, LC_ALL="C.UTF-8")


def tmux(*args):
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args],
                          env=env, capture_output=True, check=True).stdout


def capture():
    # -e: colours and attributes as escape sequences; -N: keep trailing spaces, so each line
    # overwrites the whole row of the frame before it (and keeps its background colour).
    text = tmux("capture-pane", "-t", "cast", "-e", "-p", "-N").decode("utf-8", "replace")
    # Each line starts from plain attributes, as the pane's own rows do.
    return ["\x1b[0m" + l for l in text.split("\n")[:height]]


def frame(lines, before):
    """The first frame is the whole screen (ESC[H, the lines joined with \\r\\n); later ones
    rewrite only the rows that changed, each after a cursor move to its start: the header's
    clock changes every sample, most panels do not, and whole frames would make a 20 s cast
    several megabytes."""
    if before is None:
        return "\x1b[H" + "\r\n".join(lines)
    return "".join(f"\x1b[{row + 1};1H{line}"
                   for row, (line, old) in enumerate(zip(lines, before)) if line != old)


schedule = []
for item in keys.split():
    at, _, key = item.partition(":")
    schedule.append((float(at), key))
schedule.sort()

# Wait for the app to draw (its alternate screen), at most 5 s.
deadline = time.monotonic() + 5
while tmux("display", "-p", "-t", "cast", "#{alternate_on}").strip() != b"1":
    if time.monotonic() > deadline:
        sys.exit("record-cast: kafka-flow did not start its screen")
    time.sleep(0.05)

header = {"version": 2, "width": width, "height": height, "timestamp": 1767225600,
          "title": "kafka-flow", "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"}}
events = [[0.0, "o", "\x1b[?25l\x1b[2J"]]
last = None
start = time.monotonic()
n = 0
while True:
    due = start + n / fps
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    t = time.monotonic() - start
    if t > seconds:
        break
    while schedule and schedule[0][0] <= t:
        key = schedule.pop(0)[1]
        tmux("send-keys", "-t", "cast", *(["-l", key] if len(key) == 1 else [key]))
    lines = capture()
    if lines != last:
        events.append([round(t, 3), "o", frame(lines, last)])
        last = lines
    n += 1
tmux("send-keys", "-t", "cast", "q")
events.append([round(seconds, 3), "o", "\x1b[0m\x1b[?25h"])

with open(out, "w", encoding="utf-8") as f:
    f.write(json.dumps(header) + "\n")
    for e in events:
        f.write(json.dumps(e, ensure_ascii=False) + "\n")
print(f"record-cast: {len(events) - 2} frames, {os.path.getsize(out)} bytes -> {out}")
PY
