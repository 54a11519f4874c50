"""Kafka's murmur2 and default partition choice, written here independently of any client.

Port of org.apache.kafka.common.utils.Utils.murmur2 / Utils.toPositive and of
BuiltInPartitioner.partitionForKey (Kafka 3.x; DefaultPartitioner before it):
    partition = toPositive(murmur2(keyBytes)) % numPartitions
so the end-to-end test can check where a real client put each keyed record without trusting
that client's own hash. Run as a script to self-test against Kafka's UtilsTest values.
"""

import sys

_M = 0x5BD1E995
_R = 24
_SEED = 0x9747B28C
_MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """Utils.murmur2: Java int arithmetic, so every step is masked to 32 bits; signed result."""
    length = len(data)
    h = (_SEED ^ length) & _MASK
    for i in range(length // 4):
        i4 = i * 4
        k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24)
        k = (k * _M) & _MASK
        k ^= k >> _R  # Java's >>> on a 32-bit value: k is kept unsigned, so >> is the same
        k = (k * _M) & _MASK
        h = (h * _M) & _MASK
        h ^= k
    # The Java switch falls through: 3 -> 2 -> 1, and only then multiplies.
    tail = length & ~3
    rest = length % 4
    if rest == 3:
        h ^= data[tail + 2] << 16
    if rest >= 2:
        h ^= data[tail + 1] << 8
    if rest >= 1:
        h ^= data[tail]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def to_positive(n: int) -> int:
    """Utils.toPositive: clears the sign bit (not abs(), which differs for negatives)."""
    return n & 0x7FFFFFFF


def partition_for_key(key: bytes, num_partitions: int) -> int:
    return to_positive(murmur2(key)) % num_partitions


# org.apache.kafka.common.utils.UtilsTest#testMurmur2
KNOWN = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


def self_test() -> None:
    for data, want in KNOWN.items():
        got = murmur2(data)
        if got != want:
            raise AssertionError(f"murmur2({data!r}) = {got}, Kafka's UtilsTest says {want}")


if __name__ == "__main__":
    self_test()
    print(f"ok: murmur2 matches Kafka's UtilsTest on {len(KNOWN)} values")
    sys.exit(0)
