#!/usr/bin/env bash
# A soak of the real TUI: the built-in scenario at the top speed (200×) for a while, with a
# fault every few seconds (kill the leader of partition 0, crash and restart the consumer,
# drop a response), printing the process's resident memory every 20 s. Memory should stay
# flat after the first minute (docs/development.md gives the figures of the last soak).
#
# Usage: scripts/tui-soak.sh [SECONDS] [path/to/kafka-flow]   (defaults: 600, target/release/kafka-flow)
# Needs tmux. Not run by CI (it takes minutes by design).
set -euo pipefail
secs=${1:-600}
bin=$(realpath "${2:-target/release/kafka-flow}")
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fail() {
    printf 'tui-soak: %s\n' "$*" >&2
    exit 1
}
# shellcheck source=scripts/lib/tmux.sh
. scripts/lib/tmux.sh
need_tmux
private_tmux kf-soak
trap stop_private_tmux EXIT
tmx new-session -d -s soak -x 160 -y 48 "$bin --lang en"
sleep 2
for _ in $(seq 1 16); do tmx send-keys -t soak '+'; done
pid=$(tmx display -p -t soak '#{pane_pid}')
start=$SECONDS
n=0
while [ $((SECONDS - start)) -lt "$secs" ]; do
    sleep 5
    n=$((n + 1))
    case $((n % 12)) in
        1) tmx send-keys -t soak k ;;
        3 | 4) tmx send-keys -t soak c ;;
        6) tmx send-keys -t soak d ;;
    esac
    if [ $((n % 4)) = 0 ]; then
        rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
        printf '%4ds  rss %6d kB  %s\n' $((SECONDS - start)) "$rss" "$(tmx capture-pane -p -t soak | head -1)"
    fi
done
tmx send-keys -t soak q
