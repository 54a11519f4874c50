#!/usr/bin/env bash
# End-to-end test of `kafka-flow serve` with real Kafka clients: kcat (librdkafka) and
# kafka-python talk to the simulated cluster over the Kafka protocol on loopback.
#
# Usage (from the repository root): bash .ci/real-clients.sh path/to/kafka-flow
#
# Installs what it needs (a virtualenv with a pinned kafka-python; kcat from Debian where apt
# works), starts `serve` with stdin on a FIFO so faults can be sent mid-run, and checks:
# metadata (kcat -L), keyed produce + murmur2 placement, group consume + commit + resume,
# a broker kill under an idempotent producer, and prints real vs simulated records per batch.
# Every wait is bounded. Env: KAFKA_PYTHON_VERSION (pin override), REAL_CLIENTS_VENV (venv dir),
# REAL_CLIENTS_DEBUG=1 (client debug logs on stderr).
set -euo pipefail

BIN="${1:?usage: bash .ci/real-clients.sh path/to/kafka-flow}"
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable" >&2; exit 1; }
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLIENTS="$HERE/real_clients"
# Latest of the 2.x line (hand-written protocol structs, Produce<=v8 Fetch<=v10 Metadata<=v8),
# checked to install from PyPI (2026-12). 3.0.x is newer (Kafka's JSON schemas, flexible
# versions, acks=all + idempotence by default); try it with KAFKA_PYTHON_VERSION=3.0.12.
KAFKA_PYTHON_VERSION="${KAFKA_PYTHON_VERSION:-2.3.3}"
VENV="${REAL_CLIENTS_VENV:-$PWD/target/real-clients-venv}"
TOPIC=first
# The client scripts run from the source tree; keep it free of __pycache__.
export PYTHONDONTWRITEBYTECODE=1

work="$(mktemp -d)"
log="$work/serve.log"
fifo="$work/control"
serve_pid=""
passed=0
skipped=0

say() { printf '%s\n' "$*"; }
ok() { passed=$((passed + 1)); say "ok: $*"; }
skip() { skipped=$((skipped + 1)); say "skipping $*"; }
fail() {
    say "FAIL: $*"
    if [ -s "$log" ]; then
        say "---- last 40 lines of the serve log ($log)"
        tail -n 40 "$log"
        say "----"
    fi
    say "real-clients: $passed passed, 1 failed, $skipped skipped"
    exit 1
}

cleanup() {
    if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
        # Ask politely, then SIGTERM after a bounded wait; only the pid this script started.
        { printf 'quit\n' >&3; } 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
        kill "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
    exec 3>&- 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- installs
apt_updated=""
apt_install() {
    command -v apt-get >/dev/null || return 1
    [ "$(id -u)" = 0 ] || return 1
    if [ -z "$apt_updated" ]; then
        apt-get update -qq </dev/null >"$work/apt.log" 2>&1 || return 1
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" </dev/null >>"$work/apt.log" 2>&1
}

command -v python3 >/dev/null || apt_install python3-minimal || fail "python3 is missing and could not be installed"
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv || { tail -n 5 "$work/apt.log" 2>/dev/null; fail "python3-venv could not be installed"; }
fi
PY="$VENV/bin/python"
if ! "$PY" -c "import kafka, sys; sys.exit(kafka.__version__ != '$KAFKA_PYTHON_VERSION')" 2>/dev/null; then
    rm -rf "$VENV"
    python3 -m venv "$VENV" </dev/null >"$work/venv.log" 2>&1 || { cat "$work/venv.log"; fail "python3 -m venv $VENV failed"; }
    "$PY" -m pip install -q --disable-pip-version-check "kafka-python==$KAFKA_PYTHON_VERSION" \
        </dev/null >"$work/pip.log" 2>&1 || { tail -n 20 "$work/pip.log"; fail "pip install kafka-python==$KAFKA_PYTHON_VERSION failed"; }
fi
say "kafka-python $("$PY" -c 'import kafka; print(kafka.__version__)') in $VENV"

have_kcat=""
if command -v kcat >/dev/null || apt_install kcat; then
    have_kcat=1
    say "kcat: $(kcat -V 2>&1 | sed -n 's/^Version //p')"
else
    skip "kcat: apt-get install kcat failed or is not possible here (not root / no apt-get)"
fi

"$PY" "$CLIENTS/murmur2.py" || fail "murmur2 self-test"
passed=$((passed + 1))

# ---------------------------------------------------------------- serve
mkfifo "$fifo"
# serve's open of the FIFO for reading blocks until this script opens it for writing (fd 3);
# fd 3 then stays open so serve never sees end-of-file on its control input.
"$BIN" serve --listen 127.0.0.1:0 --set partitions=3 <"$fifo" >"$log" 2>&1 &
serve_pid=$!
exec 3>"$fifo"

# Waits for serve (pid $serve_pid, writing $log) to print 'ready', then reads its brokers'
# addresses into addr[] and $bootstrap.
await_serve() {
    for _ in $(seq 1 200); do
        grep -qx 'ready' "$log" && break
        kill -0 "$serve_pid" 2>/dev/null || fail "kafka-flow serve exited before printing 'ready'"
        sleep 0.1
    done
    grep -qx 'ready' "$log" || fail "kafka-flow serve did not print 'ready' within 20 s"
    addr=()
    while read -r id a; do addr[$id]="$a"; done < <(sed -n 's/^broker \([0-9][0-9]*\) listening on \([^ ]*\)$/\1 \2/p' "$log")
    [ "${#addr[@]}" -eq 3 ] || fail "expected 3 'broker N listening on HOST:PORT' lines, got ${#addr[@]}"
    bootstrap="${addr[0]},${addr[1]},${addr[2]}"
    ok "serve is up: brokers at $bootstrap"
}
declare -a addr=()
await_serve

# ---------------------------------------------------------------- metadata via kcat
if [ -n "$have_kcat" ]; then
    timeout 20 kcat -L -b "${addr[0]}" </dev/null >"$work/kcat-L.txt" 2>&1 || { cat "$work/kcat-L.txt"; fail "kcat -L -b ${addr[0]}"; }
    grep -q '^ *3 brokers:' "$work/kcat-L.txt" || { cat "$work/kcat-L.txt"; fail "kcat -L does not list 3 brokers"; }
    for id in 0 1 2; do
        grep -q "broker $id at ${addr[$id]}\b" "$work/kcat-L.txt" ||
            { cat "$work/kcat-L.txt"; fail "kcat -L does not show broker $id at ${addr[$id]}"; }
    done
    ok "kcat -L lists 3 brokers at their advertised addresses"
fi

# Runs one client script; its own ok:/FAIL: lines are passed through and counted.
client() {
    local name="$1"
    shift
    local out="$work/$name.out"
    local rc=0
    (cd "$CLIENTS" && timeout 150 "$PY" "$@") </dev/null >"$out" 2>"$work/$name.err" || rc=$?
    cat "$out"
    if [ "$rc" -ne 0 ]; then
        tail -n 20 "$work/$name.err"
        [ "$rc" -eq 124 ] && fail "$name timed out after 150 s"
        fail "$name (exit $rc)"
    fi
    passed=$((passed + $(grep -c '^ok:' "$out" || true)))
}

# ---------------------------------------------------------------- produce 10,000 keyed records
client produce produce.py --bootstrap "$bootstrap" --topic "$TOPIC" --count 10000 \
    --partitions 3 --out "$work/produce.json"

# Real client's records per batch, from serve's count of appended client batches (read now,
# before any other client produces).
"$PY" "$CLIENTS/serve_ctl.py" stats "$fifo" "$log" >"$work/stats1.json" </dev/null || fail "serve did not answer 'stats'"
real_rpb="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["records_per_batch"])' "$work/stats1.json")"
rate="$("$PY" -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["rate"]))' "$work/produce.json")"
timeout 120 "$BIN" run --records 10000 --rate "$rate" --key 'hello{i}' --value 'hello{i}' \
    --set linger.ms=1 --set batch.size=16384 --json </dev/null >"$work/sim.json" 2>"$work/sim.err" ||
    { tail -n 20 "$work/sim.err"; fail "kafka-flow run --json at rate $rate"; }
sim_rpb="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["producer"]["records_per_batch"])' "$work/sim.json")"
"$PY" -c 'import sys; sys.exit(not (float(sys.argv[1]) > 0 and float(sys.argv[2]) > 0))' "$real_rpb" "$sim_rpb" ||
    fail "records per batch must be > 0 (real $real_rpb, simulated $sim_rpb)"
printf 'records per batch, flat out: real kafka-python %.1f, simulated %.1f (rate %s/s)\n' "$real_rpb" "$sim_rpb" "$rate"
ok "records per batch measured for the real client and predicted by the simulation"

# ---------------------------------------------------------------- consume, commit, resume
client consume consume.py --bootstrap "$bootstrap" --topic "$TOPIC" --group testAPI \
    --count 10000 --more 500 --partial 200 --partitions 3

# A second, independent client (librdkafka) reads the same log to its end.
if [ -n "$have_kcat" ]; then
    n="$(timeout 30 kcat -C -b "$bootstrap" -t "$TOPIC" -o beginning -e -q -f '%s\n' </dev/null 2>"$work/kcat-C.err" | wc -l)" ||
        { tail -n 5 "$work/kcat-C.err"; fail "kcat -C -t $TOPIC"; }
    [ "$n" -eq 10500 ] || { tail -n 5 "$work/kcat-C.err"; fail "kcat read $n records from $TOPIC, expected 10500"; }
    ok "kcat consumed all 10500 records of $TOPIC"
fi

# ---------------------------------------------------------------- records per batch, paced
# As fast as Python goes, kafka-python's I/O thread waits for the GIL while the sending
# thread holds it, so its batches grow far past what linger.ms alone would make. Paced at
# 1000 records/s (the send loop mostly sleeps), the client batches on linger.ms as Java's
# does, and the comparison with the simulation is of like with like.
stats_records() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["client_records"], d["client_batches"])' "$1"; }
"$PY" "$CLIENTS/serve_ctl.py" stats "$fifo" "$log" >"$work/stats2.json" </dev/null || fail "serve did not answer 'stats'"
client paced produce.py --bootstrap "$bootstrap" --topic "$TOPIC" --prefix paced --count 3000 \
    --seconds 3 --partitions 3 --out "$work/paced.json"
"$PY" "$CLIENTS/serve_ctl.py" stats "$fifo" "$log" >"$work/stats3.json" </dev/null || fail "serve did not answer 'stats'"
read -r r2 b2 < <(stats_records "$work/stats2.json")
read -r r3 b3 < <(stats_records "$work/stats3.json")
paced_rpb="$("$PY" -c 'import sys; r,b=map(int,sys.argv[1:]); print(r/b if b else 0)' "$((r3 - r2))" "$((b3 - b2))")"
paced_rate="$("$PY" -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["rate"]))' "$work/paced.json")"
timeout 120 "$BIN" run --records 3000 --rate "$paced_rate" --key 'paced{i}' --value 'paced{i}' \
    --set linger.ms=1 --set batch.size=16384 --json </dev/null >"$work/sim2.json" 2>"$work/sim2.err" ||
    { tail -n 20 "$work/sim2.err"; fail "kafka-flow run --json at rate $paced_rate"; }
sim2_rpb="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["producer"]["records_per_batch"])' "$work/sim2.json")"
printf 'records per batch, paced: real kafka-python %.2f, simulated %.2f (rate %s/s)\n' "$paced_rpb" "$sim2_rpb" "$paced_rate"
ok "records per batch at a steady rate measured for the real client and predicted by the simulation"

# ---------------------------------------------------------------- broker kill under load
client kill kill.py --bootstrap "$bootstrap" --fifo "$fifo" --log "$log" --topic "$TOPIC" \
    --count 3000 --seconds 3 --broker 1 --partitions 3

# ---------------------------------------------------------------- one group with simulated consumers
# A new world with one simulated consumer in group testAPI: a kafka-python member of testAPI
# joins the same group, gets its RangeAssignor share, and both commit to one set of offsets.
printf 'quit\n' >&3
wait "$serve_pid" 2>/dev/null || true
exec 3>&-
log="$work/serve-shared.log"
"$BIN" serve --listen 127.0.0.1:0 --set partitions=3 --set consumers=1 </dev/null >"$log" 2>&1 &
serve_pid=$!
await_serve
client shared shared.py --bootstrap "$bootstrap" --log "$log" --topic "$TOPIC" --count 600 \
    --partitions 3

say "real-clients: $passed passed, 0 failed, $skipped skipped"
