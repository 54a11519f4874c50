"""Kill a broker while an idempotent kafka-python producer is sending, then check that every
record arrived exactly once.

    python3 kill.py --bootstrap H:P,H:P,H:P --fifo CONTROL_FIFO --log SERVE_LOG
                    [--topic kill] [--count 3000] [--seconds 3] [--broker 1]

The producer (acks=all, idempotence on) sends kill{i} at a steady pace; halfway through, this
script writes `kill-broker:N` to serve's control FIFO. The client must ride out the lost leader
(NOT_LEADER_OR_FOLLOWER / disconnect -> metadata refresh -> retry) with no loss, and idempotence
must keep the retries from writing anything twice. A fresh consumer group then reads the topic
to its end. serve's `stats` before and after must show broker N leading something, then nothing.
"""

import argparse
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from common import (add_bootstrap_arg, bootstrap_list, check, consumer_config, ok,
                    producer_config, run_main)
from produce import check_acks, produce
from serve_ctl import leaders, send, stats

PREFIX = "kill"


def read_to_end(bootstrap, topic, group, timeout_s):
    """Reads the topic from the beginning until every partition's position reaches the end
    offset the consumer saw at the start. Returns the values read, duplicates kept."""
    c = KafkaConsumer(**consumer_config(bootstrap, group))
    try:
        parts = c.partitions_for_topic(topic) or set()
        check(parts, f"no partitions for topic {topic}")
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        end = c.end_offsets(tps)
        values = []
        deadline = time.monotonic() + timeout_s
        while any(c.position(tp) < end[tp] for tp in tps):
            check(time.monotonic() < deadline,
                  f"read {len(values)} records in {timeout_s} s, not yet at the end offsets {end}")
            for recs in c.poll(timeout_ms=500).values():
                values.extend(r.value.decode() for r in recs)
        return values
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_bootstrap_arg(ap)
    ap.add_argument("--fifo", required=True, help="serve's stdin (control FIFO)")
    ap.add_argument("--log", required=True, help="serve's stdout log (for `stats` answers)")
    ap.add_argument("--topic", default="first")
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--broker", type=int, default=1)
    ap.add_argument("--partitions", type=int, default=3)
    args = ap.parse_args()
    bootstrap = bootstrap_list(args.bootstrap)

    producer = KafkaProducer(**producer_config(bootstrap))
    killed_at = []

    def kill():
        send(args.fifo, f"kill-broker:{args.broker}")
        killed_at.append(time.monotonic())

    try:
        # Fetch metadata first so the topic exists (auto-created) before `stats` is asked.
        check(len(producer.partitions_for(args.topic) or ()) == args.partitions,
              f"topic {args.topic} does not have {args.partitions} partitions")
        before = leaders(stats(args.fifo, args.log), args.topic)
        check(args.broker in before.values(),
              f"broker {args.broker} leads no partition before the kill ({before}); killing it "
              "would test nothing")
        acks, errors, elapsed = produce(producer, args.topic, PREFIX, 0, args.count,
                                        pace_s=args.seconds, at_half=kill)
        check(bool(killed_at), "the kill was never sent")
        check_acks(acks, errors, PREFIX, 0, args.count, args.partitions)
    finally:
        producer.close(timeout=10)
    final = stats(args.fifo, args.log)
    after = leaders(final, args.topic)
    # serve's own judgment of every record it acknowledged to a real producer.
    judged = final.get("real_records", {})
    check(judged.get("lost") == 0 and judged.get("duplicated") == 0,
          f"serve judges real records lost or written twice: {judged}")
    check(args.broker not in after.values(),
          f"broker {args.broker} still leads after kill-broker:{args.broker}: {after}")
    ok(f"kill-broker:{args.broker} halfway through {args.count} idempotent acks=all sends: all "
       f"acknowledged in {elapsed:.1f} s; leaders before {sorted(before.values())}, after "
       f"{sorted(after.values())}; serve judges {judged.get('acked')} acknowledged records: "
       f"{judged.get('lost')} lost, {judged.get('duplicated')} written twice")

    values = read_to_end(bootstrap, args.topic, f"kill-check-{int(time.time())}", 60)
    counts = {}
    # The world simulates one topic: the earlier checks' hello{i} records are in it too.
    for v in (v for v in values if v.startswith(PREFIX)):
        counts[v] = counts.get(v, 0) + 1
    want = {f"{PREFIX}{i}" for i in range(args.count)}
    missing = sorted(want - counts.keys(), key=lambda s: int(s[len(PREFIX):]))
    doubled = sorted(v for v, n in counts.items() if n > 1)
    extra = sorted(counts.keys() - want)
    check(not missing, f"{len(missing)} records lost across the kill, first: {missing[:5]}")
    check(not doubled, f"{len(doubled)} records written twice across the kill, first: {doubled[:5]}")
    check(not extra, f"unexpected values in {args.topic}: {extra[:5]}")
    ok(f"after the kill a new group read {len(values)} records from {args.topic}: every "
       f"{PREFIX}{{i}} exactly once, nothing lost, nothing duplicated")


if __name__ == "__main__":
    run_main(main)
