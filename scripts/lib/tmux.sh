# Shared by .ci/tui-e2e.sh, scripts/budgets.sh and scripts/record-cast.sh (sourced, not run):
# a private tmux server to drive the real binary in, and the small helpers they all need.
# The sourcing script defines fail MESSAGE.

# need_tmux: tmux is on PATH, installed with apt-get when running as root.
need_tmux() {
    if ! command -v tmux >/dev/null; then
        if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
            apt-get update -qq </dev/null && apt-get install -y -qq tmux </dev/null >/dev/null
        fi
        command -v tmux >/dev/null || fail "tmux is needed (install it: apt-get install tmux)"
    fi
}

# private_tmux NAME [LOCALE]: tmx talks to a private server (its own socket NAME-PID, no user
# config): nothing touches the user's sessions, and two runs at once do not collide. A
# UTF-8 LOCALE makes tmux keep box characters in what it captures.
private_tmux() {
    tmux_socket="$1-$$"
    tmux_locale=${2:-}
}
tmx() {
    if [ -n "$tmux_locale" ]; then
        LC_ALL=$tmux_locale tmux -L "$tmux_socket" -f /dev/null "$@"
    else
        tmux -L "$tmux_socket" -f /dev/null "$@"
    fi
}

# stop_private_tmux: the server goes, and the socket file tmux leaves behind.
stop_private_tmux() {
    tmx kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$tmux_socket"
}

# poll SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds; fails after SECONDS.
poll() {
    local limit=$1 deadline
    shift
    deadline=$((SECONDS + limit))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# cpu_ticks PID: user + system CPU time of PID in clock ticks (/proc/PID/stat fields 14 and
# 15, counted after the command name, which may contain spaces).
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat")
    stat=${stat##*) }
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $stat
    echo $((${12} + ${13}))
}
