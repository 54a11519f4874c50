"""Produce keyed records with kafka-python and check each ack.

    python3 produce.py --bootstrap H:P,H:P,H:P --topic first --count 10000 [--start 0]
                       [--prefix hello] [--partitions 3] [--out result.json]

Checks: every send acknowledged without error; each key is in the partition Kafka's default
partitioner picks (murmur2, computed here independently); no two records share an offset.
Prints the client's own batching metrics and writes elapsed time and rate to --out.
"""

import argparse
import json
import sys
import time

from kafka import KafkaProducer

from common import add_bootstrap_arg, bootstrap_list, check, ok, producer_config, run_main
from murmur2 import partition_for_key, self_test


def produce(producer, topic, prefix, start, count, pace_s=0.0, at_half=None):
    """Sends prefix{i} (key and value) for i in start..start+count, optionally spread over
    pace_s seconds, calling at_half() once midway. Returns (acks, errors, elapsed seconds);
    acks is a list of (i, partition, offset) filled in by the producer's I/O thread."""
    acks, errors = [], []
    t0 = time.monotonic()
    for n in range(count):
        i = start + n
        data = f"{prefix}{i}".encode()
        fut = producer.send(topic, key=data, value=data)
        # Default args pin i per callback (a closure would see the loop's last i).
        fut.add_callback(lambda md, i=i: acks.append((i, md.partition, md.offset)))
        fut.add_errback(lambda exc, i=i: errors.append((i, repr(exc))))
        if at_half is not None and n == count // 2:
            at_half()
        if pace_s > 0:
            # Sleep to where this record is due, so the pace holds however long send() took.
            due = t0 + pace_s * (n + 1) / count
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    producer.flush(timeout=120)
    return acks, errors, time.monotonic() - t0


def check_acks(acks, errors, prefix, start, count, num_partitions):
    check(not errors, f"{len(errors)} sends failed, first: {errors[:3]}")
    got = sorted(i for i, _, _ in acks)
    check(got == list(range(start, start + count)),
          f"{len(acks)} acks for {count} sends (missing or doubled acknowledgements)")
    wrong = [(i, p) for i, p, _ in acks
             if p != partition_for_key(f"{prefix}{i}".encode(), num_partitions)]
    check(not wrong, f"{len(wrong)} keys not in murmur2's partition, first (i, partition): {wrong[:5]}")
    seen = set()
    for _, p, o in acks:
        check((p, o) not in seen, f"two records acknowledged at partition {p} offset {o}")
        seen.add((p, o))


def producer_metrics(producer) -> dict:
    m = producer.metrics().get("producer-metrics", {})
    keep = ("batch-size-avg", "records-per-request-avg", "record-send-rate", "request-rate")
    return {k: m[k] for k in keep if k in m}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_bootstrap_arg(ap)
    ap.add_argument("--topic", default="first")
    ap.add_argument("--prefix", default="hello")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--partitions", type=int, default=3, help="partitions the topic should have")
    ap.add_argument("--seconds", type=float, default=0.0,
                    help="spread the sends over this long (0: as fast as send() goes)")
    ap.add_argument("--out", help="write {elapsed_s, rate, metrics} here as JSON")
    args = ap.parse_args()
    self_test()

    producer = KafkaProducer(**producer_config(bootstrap_list(args.bootstrap)))
    try:
        acks, errors, elapsed = produce(producer, args.topic, args.prefix, args.start, args.count,
                                        pace_s=args.seconds)
        parts = producer.partitions_for(args.topic) or set()
        check(len(parts) == args.partitions,
              f"topic {args.topic} has partitions {sorted(parts)}, expected {args.partitions}")
        check_acks(acks, errors, args.prefix, args.start, args.count, args.partitions)
        metrics = producer_metrics(producer)
    finally:
        producer.close(timeout=10)
    rate = args.count / elapsed
    ok(f"kafka-python produced {args.count} records to {args.topic} in {elapsed:.2f} s "
       f"({rate:.0f}/s), all acknowledged, every key in murmur2's partition")
    print("kafka-python producer metrics: "
          + ", ".join(f"{k}={v:.2f}" for k, v in metrics.items()), flush=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"elapsed_s": elapsed, "rate": rate, "metrics": metrics}, f)


if __name__ == "__main__":
    run_main(main)
    sys.exit(0)
