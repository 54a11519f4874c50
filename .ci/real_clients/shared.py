"""A kafka-python consumer in the simulated consumers' group: `serve --set consumers=1` runs
one simulated consumer in group testAPI, and a real member joins that same group.

    python3 shared.py --bootstrap H:P,H:P,H:P --log SERVE_LOG [--topic first] [--count 600]
                      [--partitions 3]

Checks: the real member gets the RangeAssignor's share after the simulated member (member ids
in order: "consumer-testAPI-1-1" < "kafka-flow-e2e-consumer-…", so partitions 0 and 1 are the
simulated consumer's and 2 the real one's); it reads exactly its partitions' records, once;
the simulated consumer's commits of partitions 0 and 1 appear in the group's offsets beside
the real member's commit of 2 (one group, one set of offsets); serve logs the assignment and
the member leaving on close().
"""

import argparse
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from common import (add_bootstrap_arg, bootstrap_list, check, consumer_config, ok,
                    producer_config, run_main)
from murmur2 import partition_for_key
from produce import check_acks, produce

PREFIX = "shared"
GROUP = "testAPI"
REAL = [2]  # the real member's range share (see the docstring)


def wait_for(what, seconds, cond):
    deadline = time.monotonic() + seconds
    while not cond():
        check(time.monotonic() < deadline, f"{what} within {seconds} s")
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_bootstrap_arg(ap)
    ap.add_argument("--log", required=True)
    ap.add_argument("--topic", default="first")
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--partitions", type=int, default=3)
    args = ap.parse_args()
    bootstrap = bootstrap_list(args.bootstrap)

    producer = KafkaProducer(**producer_config(bootstrap))
    acks, errors, _ = produce(producer, args.topic, PREFIX, 0, args.count)
    producer.flush(timeout=60)
    producer.close()
    check_acks(acks, errors, PREFIX, 0, args.count, args.partitions)
    mine = {i for i in range(args.count)
            if partition_for_key(f"{PREFIX}{i}".encode(), args.partitions) in REAL}

    consumer = KafkaConsumer(args.topic, **consumer_config(bootstrap, GROUP))
    got = []
    deadline = time.monotonic() + 60
    while len(got) < len(mine):
        check(time.monotonic() < deadline, f"read {len(got)} of {len(mine)} records within 60 s")
        batch = consumer.poll(timeout_ms=500)
        for tp, recs in batch.items():
            got.extend((tp.partition, int(r.value.decode()[len(PREFIX):])) for r in recs)
        if batch:
            consumer.commit()
    assigned = sorted(tp.partition for tp in consumer.assignment())
    check(assigned == REAL, f"the real member was assigned {assigned}, expected {REAL}")
    parts = sorted({p for p, _ in got})
    check(parts == REAL, f"the real member read partitions {parts}, expected {REAL}")
    ids = [i for _, i in got]
    check(len(ids) == len(set(ids)), "a record was read twice")
    check(set(ids) == mine, f"read {len(set(ids))} records, expected the {len(mine)} of {REAL}")
    ok(f"a real member of {GROUP} beside a simulated one was assigned {REAL} and read its "
       f"{len(mine)} records once each")

    # One group, one set of offsets: the simulated consumer's auto-commits (every 5 s) of the
    # partitions it reads show up next to the real member's own commit.
    ends = consumer.end_offsets([TopicPartition(args.topic, p) for p in range(args.partitions)])
    def committed_all():
        return all(consumer.committed(tp) == end for tp, end in ends.items())
    wait_for("the group's committed offsets reach every partition's end", 20, committed_all)
    member = consumer._coordinator._generation.member_id
    consumer.close()
    offsets = {tp.partition: end for tp, end in ends.items()}
    ok(f"group {GROUP}'s committed offsets {offsets}: partitions 0 and 1 by the simulated "
       f"consumer, 2 by the real member")

    def logged(line):
        return lambda: line in open(args.log).read()
    wait_for("serve's log line for the assignment", 5,
             logged(f"group {GROUP}: member {member} assigned p2"))
    wait_for("serve's log line for the leave", 5, logged(f"group {GROUP}: member {member} left"))
    ok(f"serve logged {member}'s assignment (p2) and its LeaveGroup")


if __name__ == "__main__":
    run_main(main)
