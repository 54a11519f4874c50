"""Consume with a kafka-python group consumer, committing synchronously after each poll, then
check that a second member of the same group resumes exactly at the committed offsets.

    python3 consume.py --bootstrap H:P,H:P,H:P [--topic first] [--group testAPI]
                       [--count 10000] [--more 500] [--partial 200] [--partitions 3]

Step 1 reads the --count records produce.py wrote (prefix hello, i from 0) and checks that each
partition's offsets run 0,1,2,... and its i's increase (a partition keeps send order).
Step 2 produces --more records, reads about --partial of them, commits, closes; a new consumer in
the same group must start at the committed offsets and read the rest, nothing twice.
"""

import argparse
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from common import (add_bootstrap_arg, bootstrap_list, check, consumer_config, ok,
                    producer_config, run_main)
from murmur2 import partition_for_key
from produce import check_acks, produce

PREFIX = "hello"


def index_of(value: bytes) -> int:
    s = value.decode()
    check(s.startswith(PREFIX), f"unexpected value {s!r}")
    return int(s[len(PREFIX):])


def poll_until(consumer, want, timeout_s, out, max_records=None):
    """Polls until `out` holds `want` more records, committing (sync) after every poll that
    returned something. `out` gets (partition, offset, i)."""
    goal = len(out) + want
    deadline = time.monotonic() + timeout_s
    while len(out) < goal:
        check(time.monotonic() < deadline,
              f"read {len(out) - goal + want} of {want} records within {timeout_s} s")
        batch = consumer.poll(timeout_ms=500, max_records=max_records)
        for tp, recs in sorted(batch.items()):
            for r in recs:
                out.append((tp.partition, r.offset, index_of(r.value)))
        if batch:
            consumer.commit()  # synchronous: raises if the coordinator refuses


def drain(consumer, seconds, out):
    """Polls for `seconds` more, to catch records read twice or past the expected end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for tp, recs in consumer.poll(timeout_ms=200).items():
            for r in recs:
                out.append((tp.partition, r.offset, index_of(r.value)))


def by_partition(records):
    parts = {}
    for p, o, i in records:
        parts.setdefault(p, []).append((o, i))
    return parts


def committed_offset(consumer, tp):
    c = consumer.committed(tp)
    return getattr(c, "offset", c)  # int in kafka-python 2.x, OffsetAndMetadata in some others


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_bootstrap_arg(ap)
    ap.add_argument("--topic", default="first")
    ap.add_argument("--group", default="testAPI")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--more", type=int, default=500)
    ap.add_argument("--partial", type=int, default=200)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    bootstrap = bootstrap_list(args.bootstrap)

    # --- step 1: everything produce.py wrote, in order per partition ---
    c1 = KafkaConsumer(**consumer_config(bootstrap, args.group))
    c1.subscribe([args.topic])
    first = []
    poll_until(c1, args.count, args.timeout, first)
    check(sorted(i for _, _, i in first) == list(range(args.count)),
          f"read {len(first)} records but not exactly {PREFIX}0..{PREFIX}{args.count - 1} once each")
    for p, recs in sorted(by_partition(first).items()):
        offsets = [o for o, _ in recs]
        check(offsets == list(range(len(recs))),
              f"partition {p}: offsets not consecutive from 0 (first: {offsets[:5]})")
        ids = [i for _, i in recs]
        check(all(a < b for a, b in zip(ids, ids[1:])),
              f"partition {p}: values out of send order")
        check(all(partition_for_key(f"{PREFIX}{i}".encode(), args.partitions) == p for i in ids),
              f"partition {p} holds a key murmur2 puts elsewhere")
    ok(f"group {args.group} read {args.count} records, offsets consecutive from 0 and send "
       f"order kept in each of {len(by_partition(first))} partitions, committed after each poll")

    # --- step 2: more records, a partial read + commit, then a new member resumes ---
    producer = KafkaProducer(**producer_config(bootstrap))
    try:
        acks, errors, _ = produce(producer, args.topic, PREFIX, args.count, args.more)
        check_acks(acks, errors, PREFIX, args.count, args.more, args.partitions)
    finally:
        producer.close(timeout=10)
    part1 = []
    # max_records keeps each poll small so the consumer can stop part-way through the new ones.
    poll_until(c1, args.partial, 30, part1, max_records=50)
    read_by_c1 = first + part1
    committed = {p: max(o for o, _ in recs) + 1 for p, recs in by_partition(read_by_c1).items()}
    for p, off in sorted(committed.items()):
        got = committed_offset(c1, TopicPartition(args.topic, p))
        check(got == off, f"partition {p}: coordinator has committed {got}, consumer read to {off}")
    c1.close()  # leaves the group (LeaveGroup), so the next member need not wait for a timeout

    c2 = KafkaConsumer(**consumer_config(bootstrap, args.group))
    c2.subscribe([args.topic])
    part2 = []
    poll_until(c2, args.more - len(part1), 30, part2)
    drain(c2, 1.0, part2)
    c2.close()
    for p, recs in sorted(by_partition(part2).items()):
        offsets = [o for o, _ in recs]
        check(offsets[0] == committed[p],
              f"partition {p}: new member started at offset {offsets[0]}, committed was {committed[p]}")
        check(offsets == list(range(committed[p], committed[p] + len(offsets))),
              f"partition {p}: new member's offsets not consecutive from the committed one")
    seen1 = {i for _, _, i in part1}
    seen2 = [i for _, _, i in part2]
    check(not seen1.intersection(seen2), "the new member re-read records the first one committed")
    check(sorted(list(seen1) + seen2) == list(range(args.count, args.count + args.more)),
          f"the two members together read {len(seen1) + len(seen2)} of the {args.more} new records")
    ok(f"first member read {len(part1)} of {args.more} new records and committed; the new member "
       f"resumed at the committed offsets {dict(sorted(committed.items()))} and read the other "
       f"{len(part2)}, none twice")


if __name__ == "__main__":
    run_main(main)
