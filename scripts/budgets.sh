#!/usr/bin/env bash
# Budgets of the real TUI at 120×36, measured in a private tmux server:
#   animating  bytes written to the terminal per second (what an SSH link carries)
#   paused     bytes written in the window (a paused screen should write nothing) and
#              CPU time of the process (/proc/PID/stat utime + stime) as % of one core
# Prints one line per measurement and exits 1 if one is over its budget.
#
# Usage: scripts/budgets.sh [path/to/kafka-flow]   (default: target/release/kafka-flow)
# The limits are variables so a heavier screen can be re-budgeted in one place:
#   KF_ANIM_BPS=30000        bytes/s while animating (the budget: 30 KB/s)
#   KF_PAUSED_BYTES=200      bytes in the whole paused window
#   KF_PAUSED_CPU=1.0        % of a core while paused. The aim is 0.5 %; the limit is 1 %
#                            because a shared CI runner adds scheduler noise and /proc
#                            counts whole ticks (one tick in 5 s is already 0.2 %).
#   KF_WINDOW=5              seconds per measurement
#   KF_FASTER=10             `+` presses before measuring: 0.0005× → 1×, where every
#                            tape, box and packet changes on every frame: the busiest the
#                            flow view gets (measured: 1.6 KB/s at the opening 0.0005×,
#                            24 KB/s at 0.01×, 20 KB/s at 1× where every other frame is
#                            drawn).
# Needs tmux. Takes about 2 × KF_WINDOW + 3 seconds.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(realpath "${1:-target/release/kafka-flow}")
anim_bps=${KF_ANIM_BPS:-30000}
paused_bytes=${KF_PAUSED_BYTES:-200}
paused_cpu=${KF_PAUSED_CPU:-1.0}
window=${KF_WINDOW:-5}
faster=${KF_FASTER:-10}
width=120
height=36

fail() {
    printf 'BUDGETS FAILED: %s\n' "$*" >&2
    exit 1
}
[ -x "$bin" ] || fail "$bin is not built (run cargo build --release)"
# shellcheck source=scripts/lib/tmux.sh
. scripts/lib/tmux.sh
need_tmux
private_tmux kf-budget
work=$(mktemp -d)
cleanup() {
    stop_private_tmux
    # KF_KEEP=DIR keeps what the pane wrote (animating, paused) for a look at the bytes.
    if [ -n "${KF_KEEP:-}" ]; then cp "$work"/animating "$work"/paused "$KF_KEEP"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

s=budget
screen() { tmx capture-pane -p -t "$s"; }
screen_has() { screen | grep -q -- "$1"; }
alt_on() { [ "$(tmx display -p -t "$s" '#{alternate_on}')" = 1 ]; }
now_ns() { date +%s%N; }
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# measure FILE: pipes what the pane writes into FILE for $window seconds; sets $bytes,
# $secs (measured, not assumed) and $ticks (CPU ticks of the process in the window).
measure() {
    local file=$1 t0 t1 c0 c1
    : >"$file"
    c0=$(cpu_ticks "$pid")
    t0=$(now_ns)
    tmx pipe-pane -o -t "$s" "cat >> '$file'"
    sleep "$window"
    # pipe-pane without a command closes the pipe.
    tmx pipe-pane -t "$s"
    t1=$(now_ns)
    c1=$(cpu_ticks "$pid")
    bytes=$(size_of "$file")
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    ticks=$((c1 - c0))
}

# quiet: the pane wrote nothing for 0.5 s (a highlight may still go out just after a
# pause: its last frame is allowed, and is not part of the paused window).
quiet() {
    local file=$work/settle a
    : >"$file"
    tmx pipe-pane -o -t "$s" "cat >> '$file'"
    a=$(size_of "$file")
    sleep 0.5
    tmx pipe-pane -t "$s"
    [ "$(size_of "$file")" = "$a" ]
}

hz=$(getconf CLK_TCK)
over=0
# judge OK: sets $v to "ok" when OK is 1, else "OVER" and remembers to fail (not in a
# subshell, so $over survives).
judge() { if [ "$1" = 1 ]; then v=ok; else v=OVER; over=1; fi; }

tmx new-session -d -s "$s" -x "$width" -y "$height" "env TERM=screen '$bin' --lang en"
poll 5 alt_on || fail "kafka-flow did not switch to the alternate screen"
poll 5 screen_has 'kafka-flow' || fail "the screen does not show kafka-flow"
pid=$(tmx display -p -t "$s" '#{pane_pid}')

speed_shown() { screen | grep -o 'speed [0-9.]*×' | head -1 || true; }
speed_is_not() { [ "$(speed_shown)" != "$1" ]; }
# One press at a time, each seen on screen, so the label read below is the final speed.
for _ in $(seq 1 "$faster"); do
    before=$(speed_shown)
    tmx send-keys -t "$s" '+'
    poll 3 speed_is_not "$before" || fail "+ did not change the speed (at ${before:-?})"
done
speed=$(speed_shown)

measure "$work/animating"
bps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%d", b / s }')
cpu=$(awk -v t="$ticks" -v h="$hz" -v s="$secs" 'BEGIN { printf "%.1f", 100 * t / h / s }')
judge "$([ "$bps" -le "$anim_bps" ] && echo 1)"
printf 'animating %dx%d, %s: %d B/s written (%d B in %s s; limit %d B/s), CPU %s%% of a core: %s\n' \
    "$width" "$height" "${speed:-speed ?}" "$bps" "$bytes" "$secs" "$anim_bps" "$cpu" "$v"

tmx send-keys -t "$s" Space
poll 3 screen_has 'PAUSED' || fail "Space did not pause"
poll 5 quiet || fail "the screen kept being written 5 s after pausing"

measure "$work/paused"
judge "$([ "$bytes" -le "$paused_bytes" ] && echo 1)"
printf 'paused %dx%d: %d B written in %s s (limit %d B): %s\n' \
    "$width" "$height" "$bytes" "$secs" "$paused_bytes" "$v"
cpu=$(awk -v t="$ticks" -v h="$hz" -v s="$secs" 'BEGIN { printf "%.2f", 100 * t / h / s }')
judge "$(awk -v c="$cpu" -v l="$paused_cpu" 'BEGIN { if (c <= l) print 1 }')"
printf 'paused %dx%d: CPU %s%% of a core (%d ticks of 1/%d s in %s s; limit %s%%, aim 0.5%%): %s\n' \
    "$width" "$height" "$cpu" "$ticks" "$hz" "$secs" "$paused_cpu" "$v"

tmx send-keys -t "$s" q
exit "$over"
