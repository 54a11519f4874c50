#!/usr/bin/env bash
# End-to-end check of the TUI: drives the real release binary in a detached tmux pane,
# reads the screen with capture-pane, and checks that every way out (q, Ctrl-C, SIGTERM)
# exits 0 and gives the terminal back (main screen, cooked mode with echo, cursor shown).
#
# Usage: bash .ci/tui-e2e.sh [path/to/kafka-flow]   (default: target/release/kafka-flow)
# Needs tmux (installed with apt-get when running as root). Finishes in a few seconds:
# every wait polls the pane instead of sleeping a fixed time.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(realpath "${1:-target/release/kafka-flow}")
started=$SECONDS

fail() {
    printf 'TUI E2E FAILED: %s\n' "$*" >&2
    if [ -n "${session:-}" ] && tmx has-session -t "$session" 2>/dev/null; then
        printf -- '--- last screen of %s ---\n' "$session" >&2
        tmx capture-pane -p -t "$session" >&2 || true
        printf -- '---\n' >&2
    fi
    exit 1
}
note() { printf '  %s\n' "$*"; }

[ -x "$bin" ] || fail "$bin is not built (run cargo build --release)"

# shellcheck source=scripts/lib/tmux.sh
. scripts/lib/tmux.sh
need_tmux
private_tmux kf-e2e
work=$(mktemp -d)
cleanup() {
    stop_private_tmux
    rm -rf "$work"
}
trap cleanup EXIT
# A session that lives as long as the script. Without it, killing the last scenario's
# session stops the server, and the next new-session can reach the server while it exits
# ("server exited unexpectedly", about one run in twenty).
tmx new-session -d -s keep-alive

screen() { tmx capture-pane -p -t "$session"; }
pane() { tmx display -p -t "$session" "$1"; }


screen_has() { screen | grep -q -- "$1"; }
alt_is() { [ "$(pane '#{alternate_on}')" = "$1" ]; }
# Lines mentioning help, case-insensitively (the footer may hint "? help" as well).
help_lines() { screen | grep -ci 'help' || true; }
help_lines_are() { [ "$(help_lines)" "$1" "$2" ]; }
screen_differs_from() { [ "$(screen)" != "$1" ]; }
# The screen stays the same for 300 ms (what a paused simulation looks like).
screen_is_still() {
    local a b
    a=$(screen)
    sleep 0.3
    b=$(screen)
    [ "$a" = "$b" ]
}

# child_named PPID NAME: the pid of PPID's child called NAME, from /proc (procps's pgrep
# is not in every minimal image).
child_named() {
    local file stat comm rest
    for file in /proc/[0-9]*/stat; do
        read -r stat <"$file" 2>/dev/null || continue
        comm=${stat%) *}
        comm=${comm#*(}
        rest=${stat##*) }
        # rest is "STATE PPID ...".
        rest=${rest#* }
        if [ "$comm" = "$2" ] && [ "${rest%% *}" = "$1" ]; then
            file=${file#/proc/}
            echo "${file%/stat}"
            return 0
        fi
    done
    return 1
}

# launch NAME WIDTH HEIGHT [ARGS...]: a pane running an interactive shell (the "user's
# terminal"), with `kafka-flow ARGS` typed into it. When kafka-flow ends, the same command
# line records its exit code and the terminal settings it left, before the shell's prompt
# can change them.
launch() {
    session=$1
    local width=$2 height=$3 args="" a
    shift 3
    for a in "$@"; do args+=" '$a'"; done
    rm -f "$work/$session".*
    tmx new-session -d -s "$session" -x "$width" -y "$height" -c "$work" \
        "env -i PATH=$PATH HOME=$work TERM=screen PS1='e2e\$ ' bash --norc --noprofile"
    poll 5 screen_has 'e2e\$' || fail "$session: the shell prompt did not appear"
    tmx send-keys -t "$session" -l \
        "'$bin'$args; echo \"kf-exit=\$?\" >'$work/$session.code'; stty -a >'$work/$session.stty'"
    tmx send-keys -t "$session" Enter
}

# start NAME WIDTH HEIGHT [ARGS...]: kafka-flow's TUI is up; sets $pid and $pane_tty.
start() {
    local name=$1 width=$2 height=$3
    shift 3
    launch "$name" "$width" "$height" --lang en "$@"
    poll 5 alt_is 1 || fail "$session: kafka-flow did not switch to the alternate screen"
    poll 5 screen_has 'kafka-flow' || fail "$session: the screen does not show kafka-flow"
    # The binary is the shell's child; its pid is needed for SIGTERM and /proc.
    local shell_pid
    shell_pid=$(pane '#{pane_pid}')
    pid=$(child_named "$shell_pid" kafka-flow) || fail "$session: no kafka-flow process under the pane's shell"
    pane_tty=$(pane '#{pane_tty}')
    # While it runs the terminal must be raw: this proves the later "restored" check
    # can tell the difference.
    stty -a <"$pane_tty" | grep -Eq '(^|[ ;])-icanon([ ;]|$)' || fail "$session: the terminal is not in raw mode while running"
    note "$session ($width x $height): started, pid $pid"
}

# finished CODE: kafka-flow has exited with CODE and left the terminal as it found it.
finished() {
    local want=$1 code stty
    poll 5 test -s "$work/$session.stty" || fail "$session: kafka-flow did not exit"
    code=$(cat "$work/$session.code")
    [ "$code" = "kf-exit=$want" ] || fail "$session: kafka-flow exited with ${code#kf-exit=}, expected $want"
    [ "$(pane '#{alternate_on}')" = 0 ] || fail "$session: still on the alternate screen"
    [ "$(pane '#{cursor_flag}')" = 1 ] || fail "$session: the cursor is still hidden"
    stty=$(cat "$work/$session.stty")
    grep -Eq '(^|[ ;])icanon([ ;]|$)' <<<"$stty" || fail "$session: icanon is off after exit (raw mode left on)"
    grep -Eq '(^|[ ;])echo([ ;]|$)' <<<"$stty" || fail "$session: echo is off after exit"
    poll 5 screen_has 'e2e\$' || fail "$session: no shell prompt after exit"
}

# expect_restored: kafka-flow has exited 0 and left the terminal as it found it.
expect_restored() {
    finished 0
    note "$session: exited 0; main screen, icanon, echo, cursor visible"
    tmx kill-session -t "$session"
}

# ---- what the keys do to the simulation ----

# The app is paused when these run; `+` was just pressed (0.0005x → 0.001x).
check_speed_change() {
    poll 3 screen_has 'speed 0.001×' || fail "$session: + did not raise the speed to 0.001x"
    note "$session: + raised the speed"
}

# F follows the next record sent: the status line names it, and its journey (send(), its
# batch, its request…) appears above the narration once the clock runs. Leaves the app
# paused at 0.01x.
check_follow() {
    tmx send-keys -t "$session" F
    poll 3 screen_has 'next record sent will be followed' || fail "$session: F did not arm following"
    # linger.ms is 50 now: at 0.01x a batch waits 5 s on screen.
    local i
    for i in 1 2 3; do tmx send-keys -t "$session" '+'; done
    poll 3 screen_has 'speed 0.01×' || fail "$session: could not speed up to 0.01x"
    tmx send-keys -t "$session" Space
    poll 10 screen_has 'following record #[0-9]' || fail "$session: F followed no record"
    local id
    id=$(screen | grep -o 'following record #[0-9]*' | head -1)
    id=${id##*#}
    poll 10 screen_has "req #[0-9]" || fail "$session: record #$id's journey does not reach its request"
    tmx send-keys -t "$session" Space
    note "$session: F follows record #$id through its batch into a request"
}

# The selected knob is linger.ms (1 in the built-in scenario): → steps it to 5, and
# Enter lets a value be typed; a bad value is refused with the reason.
check_knob_changes() {
    tmx send-keys -t "$session" Right
    poll 3 screen_has 'linger.ms = 5' || fail "$session: → did not step linger.ms to 5"
    tmx send-keys -t "$session" Enter
    tmx send-keys -t "$session" -l '50'
    tmx send-keys -t "$session" Enter
    poll 3 screen_has 'linger.ms = 50' || fail "$session: typing 50 did not set linger.ms"
    tmx send-keys -t "$session" Enter
    tmx send-keys -t "$session" -l 'abc'
    tmx send-keys -t "$session" Enter
    poll 3 screen_has 'refused' || fail "$session: a bad linger.ms was not refused"
    note "$session: knob stepped, typed, and a bad value refused"
}

# k kills the leader of partition 0 (broker 0); once the controller fences it (9 s of
# virtual time), broker 1 leads partition 0 in a new leader epoch.
check_faults() {
    poll 3 screen_has 'duplicated 0' || fail "$session: the ledger does not start clean"
    tmx send-keys -t "$session" k
    poll 3 screen_has 'broker down' || fail "$session: k did not take broker 0 down"
    tmx send-keys -t "$session" Space
    local i
    for i in $(seq 1 10); do tmx send-keys -t "$session" '+'; done
    poll 3 screen_has 'speed 50×' || fail "$session: could not speed up to 50x"
    poll 10 screen_has 'p0 *★b1' || fail "$session: no new leader for partition 0 after the kill"
    note "$session: k killed broker 0; broker 1 became leader of partition 0 (its tape comes first)"
}

# c crashes the consumer, c again starts a new one; after the old member's session
# expires the group rebalances and the new consumer re-processes what was not committed.
check_ledger() {
    tmx send-keys -t "$session" c
    poll 3 screen_has 'crashed' || fail "$session: c did not crash the consumer"
    tmx send-keys -t "$session" c
    poll 15 screen_has 'duplicated [1-9]' || fail "$session: the ledger shows no duplicated processing after a consumer crash"
    note "$session: consumer crash and restart; the ledger counts duplicated processing"
}

# a follows the latest anomaly: the status line names the record, the verdict and its cause.
check_anomaly_jump() {
    tmx send-keys -t "$session" a
    poll 3 screen_has 'following #[0-9]*, ' || fail "$session: a did not follow an anomaly"
    note "$session: a followed $(screen | grep -o 'following #[0-9]*, [^:]*' | head -1)"
}

# ---- the scenarios ----

# The keys a user tries first, then `q`.
keys_then_q() {
    start "$1" "$2" "$3"
    local before
    before=$(screen)
    poll 3 screen_differs_from "$before" || fail "$session: the screen does not move while running"

    local help_before
    help_before=$(help_lines)
    tmx send-keys -t "$session" '?'
    poll 3 help_lines_are -gt "$help_before" || fail "$session: ? did not show the help overlay"
    tmx send-keys -t "$session" '?'
    poll 3 help_lines_are -eq "$help_before" || fail "$session: a second ? did not close the help overlay"
    note "$session: ? opens and closes the help"

    tmx send-keys -t "$session" Space
    poll 3 screen_is_still || fail "$session: the screen keeps changing after pause"
    local cpu0 cpu1
    cpu0=$(cpu_ticks "$pid")
    sleep 1
    cpu1=$(cpu_ticks "$pid")
    # At 100 ticks/s, more than 20 in a second is 20% of a core: a paused app is busy.
    [ $((cpu1 - cpu0)) -le 20 ] || fail "$session: $((cpu1 - cpu0)) CPU ticks in 1 s while paused"
    note "$session: paused; the screen is still; $((cpu1 - cpu0)) CPU ticks (1/$(getconf CLK_TCK) s) in 1 s"

    tmx send-keys -t "$session" '+'
    check_speed_change
    check_knob_changes
    check_follow
    check_faults
    check_ledger
    check_anomaly_jump

    tmx send-keys -t "$session" q
    expect_restored
}

# Time travel: a fault injected by key, a rewind past it (the broker is up again), a jump
# to the fault's marker (it happens again), a save, and the saved file replayed headless to
# the same ledger the paused screen shows.
rewind_save_replay() {
    start "$1" "$2" "$3" --set acks=1 --set enable.idempotence=false
    # 0.01x: ten seconds of screen time are 100 ms of virtual time, enough to go back
    # past a kill made two seconds after the start.
    local i
    for i in 1 2 3 4; do tmx send-keys -t "$session" '+'; done
    poll 3 screen_has 'speed 0.01×' || fail "$session: could not speed up to 0.01x"
    sleep 2
    tmx send-keys -t "$session" k
    poll 3 screen_has 'broker down' || fail "$session: k did not take broker 0 down"
    poll 3 screen_has '↯' || fail "$session: no fault marker on the timeline"
    sleep 1
    tmx send-keys -t "$session" '{'
    poll 3 screen_has '◀◀ back' || fail "$session: { did not rewind"
    screen_has 'PAUSED' || fail "$session: not paused after the rewind"
    ! screen_has 'broker down' || fail "$session: broker 0 is still down before the kill"
    note "$session: rewound past the kill; broker 0 is up again"
    # > goes from marker to marker (the consumer's first rebalance comes before the kill).
    local before
    for i in 1 2 3 4 5; do
        before=$(screen)
        tmx send-keys -t "$session" '>'
        poll 3 screen_differs_from "$before" || fail "$session: > did not move"
        screen_has 'fault injected at' && break
    done
    screen_has 'fault injected at' || fail "$session: > did not reach the fault's marker"
    poll 3 screen_has 'broker down' || fail "$session: the kill did not happen again"
    note "$session: > replayed to the kill: $(screen | grep -o 'fault injected at [^ ]*')"
    # Play on a little, then pause: the paused screen's ledger is exact.
    tmx send-keys -t "$session" Space
    sleep 3
    tmx send-keys -t "$session" Space
    poll 3 screen_has 'PAUSED' || fail "$session: Space did not pause"
    local t tui_line
    t=$(screen | grep -o 'time [0-9.]*[µm]*s' | head -1)
    t=${t#time }
    tui_line=$(screen | grep -o 'ledger delivered [0-9]*.*in progress [0-9]*' | head -1 | tr -s ' ')
    tmx send-keys -t "$session" s
    poll 3 screen_has 'saved to' || fail "$session: s did not save the session"
    local file
    file=$(screen | grep -o 'saved to [^ ]*' | head -1)
    file="$work/${file#saved to ./}"
    [ -s "$file" ] || fail "$session: the saved file $file is missing"
    grep -q 'kill-leader:0' "$file" || fail "$session: the saved file lacks the kill"
    tmx send-keys -t "$session" q
    expect_restored
    local json
    json=$("$bin" run --scenario "$file" --until "$t" --json </dev/null) || fail "replaying $file failed"
    local headless_line
    headless_line=$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)["ledger"]
c = d["counts"]
lost = d["lost"]["broker"] + d["lost"]["consumer"]
dup = d["duplicated"]["log"] + d["duplicated"]["processing"]
print("ledger delivered %d ✗ lost %d ² duplicated %d reordered %d failed %d in progress %d" % (
    c.get("delivered", 0), lost, dup, d["reordered"],
    sum(v for k, v in c.items() if k.startswith("failed")), c.get("in_progress", 0)))')
    [ "$tui_line" = "$headless_line" ] ||
        fail "the TUI showed '$tui_line' at $t, the headless replay '$headless_line'"
    note "replayed $(basename "$file") headless to $t: $headless_line, as on the screen"
}

# lesson_question NAME W H: lesson 6 holds its world at the question, gives nothing away,
# refuses Space, and plays the moment after the answer; presenter mode and PgDn work.
lesson_question() {
    start "$1" "$2" "$3" lesson 6
    tmx send-keys -t "$session" '}'
    tmx send-keys -t "$session" '}'
    poll 5 screen_has 'Held before the moment' || fail "$session: the question did not hold the world"
    screen_has 'PAUSED' || fail "$session: not paused at the question"
    ! screen_has 'simulation says so' || fail "$session: the answer shows before it was given"
    ! screen_has 'no acknowledged record lost' || fail "$session: a goal shows before the answer"
    screen_has 'lost 0' || fail "$session: the ledger counts a loss before the leader died"
    note "$session: held at $(screen | grep -o 'time [0-9.]*[µm]*s' | head -1), goals hidden, ledger lost 0"
    tmx send-keys -t "$session" Space
    poll 3 screen_has 'Answer the question first' || fail "$session: Space played past the question"
    tmx send-keys -t "$session" 1
    poll 3 screen_has 'What happened' || fail "$session: answering revealed nothing"
    poll 3 screen_has 'running' || fail "$session: the moment does not play after the answer"
    tmx send-keys -t "$session" P
    poll 3 screen_has 'presenter' || fail "$session: P did not open presenter mode"
    tmx send-keys -t "$session" PageDown
    poll 3 screen_has 'Step 2/2' || fail "$session: PageDown did not go to the next step"
    note "$session: answered, revealed, presenter mode, PageDown to step 2"
    tmx send-keys -t "$session" q
    expect_restored
}

# ab_acks NAME W H: A/B on the acks scenario (Kafka 2.8, a lagging follower, the leader
# killed): `b` gives side B acks=all; both sides play the same story; at the end the
# difference panel and each side's ledger line say A lost records and B none.
both_closed() { [ "$(screen | grep -o 'producer closed' | wc -l)" -ge 2 ]; }
ab_acks() {
    start "$1" "$2" "$3" --scenario acks-leader-crash
    tmx send-keys -t "$session" b
    poll 3 screen_has "side B's settings" || fail "$session: b did not open the A/B prompt"
    tmx send-keys -t "$session" C-u
    tmx send-keys -t "$session" -l 'acks=all'
    tmx send-keys -t "$session" Enter
    # The prompt's own line reads "B  acks=all_" while typing: wait for A's pane title,
    # which only the opened comparison draws.
    poll 3 screen_has 'A  acks=1' || fail "$session: A/B did not open (no side A pane)"
    screen_has 'B  acks=all *$' || fail "$session: side B is not labelled acks=all"
    note "$session: A/B open: A acks=1, B acks=all"
    local i
    # 2x: } jumps 20 s of virtual time, stopping at each of the story's beats.
    for i in 1 2 3 4 5 6 7; do tmx send-keys -t "$session" '+'; done
    poll 3 screen_has 'speed 2×' || fail "$session: could not speed up to 2x"
    # The workload ends with close(): the story is over when both sides say so.
    for i in 1 2 3 4 5 6 7 8; do
        tmx send-keys -t "$session" '}'
        sleep 0.4
        both_closed && break
    done
    poll 5 both_closed || fail "$session: did not reach the end of the story on both sides"
    local a b
    a=$(screen | grep -o 'A acks=1 *[0-9]* *[0-9]*' | head -1 | awk '{print $4}')
    b=$(screen | grep -o 'B acks=all *[0-9]* *[0-9]*' | head -1 | awk '{print $4}')
    [ -n "$a" ] && [ -n "$b" ] || fail "$session: no lost counts in the difference panel"
    [ "$a" -gt 0 ] || fail "$session: side A (acks=1) lost nothing"
    [ "$b" = 0 ] || fail "$session: side B (acks=all) lost $b"
    screen | grep -q "lost $a .*lost 0 " || fail "$session: the sides' ledger lines do not say lost $a and lost 0"
    note "$session: at the end A (acks=1) lost $a acknowledged records, B (acks=all) lost $b"
    tmx send-keys -t "$session" q
    expect_restored
}

ctrl_c() {
    start "$1" "$2" "$3"
    tmx send-keys -t "$session" C-c
    expect_restored
}

sigterm() {
    start "$1" "$2" "$3"
    kill -TERM "$pid"
    expect_restored
}

# Bad input is reported on one line, exit 2, before the terminal is touched.
bad_setting() {
    launch "$1" 80 24 --set linger.msx=1
    finished 2
    screen_has '^kafka-flow: .*linger.msx' || fail "$session: no one-line error naming linger.msx"
    note "$session: exit 2 with the error on one line; terminal untouched"
    tmx kill-session -t "$session"
}

bad_setting bad-setting
keys_then_q big 160 48
keys_then_q small 80 24
rewind_save_replay rewind 120 36
lesson_question lesson 120 36
ab_acks ab 160 48
ctrl_c ctrl-c 160 48
sigterm sigterm 160 48
# The budgets: bytes written while animating and while paused, CPU while paused.
bash scripts/budgets.sh "$bin" || fail "over a budget (see the lines above)"
printf 'tui e2e: all checks passed in %ds\n' "$((SECONDS - started))"
