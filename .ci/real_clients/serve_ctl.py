"""Talk to a running `kafka-flow serve`: control lines go into the FIFO that is its stdin,
answers (`stats {JSON}`) come back in its stdout log.

The shell script keeps a writer open on the FIFO for serve's whole life, so opening, writing one
line and closing here never gives serve an end-of-file.

    python3 serve_ctl.py send FIFO 'kill-broker:1'
    python3 serve_ctl.py stats FIFO LOG       # prints the stats JSON
"""

import json
import sys
import time


def send(fifo: str, line: str) -> None:
    with open(fifo, "w", encoding="utf-8") as f:
        f.write(line.rstrip("\n") + "\n")
        f.flush()


def _stats_lines(log: str) -> list:
    with open(log, encoding="utf-8", errors="replace") as f:
        return [l for l in f if l.startswith("stats ")]


def stats(fifo: str, log: str, timeout: float = 10.0) -> dict:
    """Asks for stats and returns the first `stats` line printed after the request."""
    seen = len(_stats_lines(log))
    send(fifo, "stats")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = _stats_lines(log)
        if len(lines) > seen:
            return json.loads(lines[seen][len("stats "):])
        time.sleep(0.05)
    raise TimeoutError(f"serve printed no `stats` line within {timeout:.0f} s")


def leaders(st: dict, topic=None) -> dict:
    """{(topic, partition): leader}; `topic` filters when serve's entries name their topic."""
    out = {}
    for p in st.get("partitions", []):
        t = p.get("topic")
        if topic is not None and t is not None and t != topic:
            continue
        out[(t, p["partition"])] = p["leader"]
    return out


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "stats":
        print(json.dumps(stats(sys.argv[2], sys.argv[3])))
    else:
        sys.exit(__doc__)
