"""Small shared pieces for the real-client scripts: the client settings every script uses and
the ok/fail reporting the shell script greps for."""

import logging
import os
import sys


class CheckFailed(Exception):
    pass


def ok(msg: str) -> None:
    print(f"ok: {msg}", flush=True)


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def run_main(main) -> None:
    """Turns a failed check or a client exception into a `FAIL:` line and exit 1."""
    # Client logs go to stderr, which the shell script keeps in a file and shows (its tail) only
    # when a check fails; REAL_CLIENTS_DEBUG=1 adds kafka-python's debug lines to it.
    level = logging.DEBUG if os.environ.get("REAL_CLIENTS_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr)
    try:
        main()
    except CheckFailed as e:
        print(f"FAIL: {e}", flush=True)
        sys.exit(1)
    except Exception as e:  # a client error is a failed check too, with its type for the reader
        print(f"FAIL: {type(e).__name__}: {e}", flush=True)
        sys.exit(1)


def producer_config(bootstrap: list) -> dict:
    # kafka-python 2.x defaults to acks=1 and enable_idempotence=False (3.x, like the Java client
    # since Kafka 3.0, defaults to acks=all + idempotence). The course's producer is the Java
    # one with its 3.x defaults, so both are set explicitly here whatever the version.
    # retries defaults to infinity (bounded by delivery_timeout_ms=120 s) in both lines.
    return dict(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        batch_size=16384,  # the course notes' settings
        linger_ms=1,
        client_id="kafka-flow-e2e-producer",
    )


def consumer_config(bootstrap: list, group: str) -> dict:
    return dict(
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,  # commits are the test's, made synchronously after each poll
        client_id="kafka-flow-e2e-consumer",
    )


def add_bootstrap_arg(parser) -> None:
    parser.add_argument(
        "--bootstrap", required=True, help="comma-separated host:port list (all brokers)"
    )


def bootstrap_list(s: str) -> list:
    out = [b.strip() for b in s.split(",") if b.strip()]
    if not out:
        raise SystemExit("--bootstrap is empty")
    return out
