//! The name table: every knob under the name Kafka (or the simulation) gives it,
//! with its kind, accepted range and a one-line explanation. `values.rs` builds
//! `Config::set` / `Config::get` on top of it.
//!
//! Ranges follow the Java types in `ProducerConfig` (an `INT` setting stops at
//! `Integer.MAX_VALUE`, a `LONG` at `Long.MAX_VALUE`), so a value Kafka accepts is
//! accepted here and the error messages quote the same limits.

use super::values::format_us_as_ms;
use super::{CommitMode, Config, OffsetReset};

pub const PRODUCER: &str = "producer";
pub const TOPOLOGY: &str = "topology";
pub const CONSUMER: &str = "consumer";
pub const SIMULATION: &str = "simulation";

/// Java's `Integer.MAX_VALUE`: the top of every `Type.INT` setting (and `retries`' default).
pub const INT_MAX: u64 = 2_147_483_647;
/// Java's `Long.MAX_VALUE`: the top of every `Type.LONG` setting.
pub const LONG_MAX: u64 = 9_223_372_036_854_775_807;
/// The simulation's own delays stop at 10 minutes: longer than any Kafka timeout
/// default, so a lesson can still make requests or deliveries time out.
const SIM_DELAY_MAX_US: u64 = 600_000_000;
/// The shortest one-way hop between two hosts: 10 µs, about one trip through the sending
/// and the receiving kernel's TCP stacks on one machine. A hop cannot take no time, and
/// Kafka has loops paced only by the round trip (a consumer with fetch.max.wait.ms=0 or a
/// follower with replica.fetch.wait.max.ms=0 on an idle log fetches again as soon as the
/// empty answer arrives, `AbstractFetch.sendFetches`): at 0 they would run without end
/// at one instant of virtual time.
pub const MIN_NETWORK_LATENCY_US: u64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    None,
    Ms,
    Us,
    Bytes,
    Mbps,
}

impl Unit {
    /// Short suffix for a knob list ("5 ms").
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Ms => "ms",
            Unit::Us => "µs",
            Unit::Bytes => "B",
            Unit::Mbps => "Mbit/s",
        }
    }

    pub(super) fn phrase(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Ms => " of milliseconds",
            Unit::Us => " of microseconds",
            Unit::Bytes => " of bytes",
            Unit::Mbps => " of megabits per second",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// `true` / `false`, any case (Java's `ConfigDef` compares case-insensitively).
    Bool,
    /// A whole number in `min..=max`.
    Int {
        min: u64,
        max: u64,
        unit: Unit,
    },
    /// Milliseconds with up to three decimals (`1.5`, `0.05`), stored in µs.
    DecimalMs {
        min_us: u64,
        max_us: u64,
    },
    /// One of these exact strings (Kafka's `ValidString` is case-sensitive).
    Choice(&'static [&'static str]),
    /// Kafka's legal topic names: 1 to 249 of `[a-zA-Z0-9._-]`, not `.` or `..`.
    TopicName,
    Text {
        allow_empty: bool,
    },
}

/// How a setting reaches its field. Kept next to the name so the table cannot drift
/// from `set`/`get`; `Ignored` marks names accepted only so Java configs load.
#[derive(Clone, Copy, Debug)]
pub(super) enum Access {
    Bool(fn(&Config) -> bool, fn(&mut Config, bool)),
    Int(fn(&Config) -> u64, fn(&mut Config, u64)),
    Text(fn(&Config) -> String, fn(&mut Config, String)),
    Acks,
    /// One of `kind`'s choices, stored as an enum.
    Choice(fn(&Config) -> &'static str, fn(&mut Config, &str)),
    Ignored,
}

/// How a change of a setting reaches a running simulation: the one list `Sim::apply`,
/// the TUI and `kafka-flow settings` read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Picked up at once. Kafka's producer reads every setting at construction; the
    /// simulation lets these ones change under it so their effect can be watched.
    /// Topic-level `min.insync.replicas` and `unclean.leader.election.enable` are dynamic in
    /// Kafka too, and the simulation's own knobs are live.
    Live,
    /// Read only when the producer is constructed (`KafkaProducer` constructor →
    /// `RecordAccumulator`, `BufferPool`, `BuiltInPartitioner`, the idempotent producer id):
    /// the simulation starts a new producer instance with it.
    RestartsProducer,
    /// The cluster, the topic and the group's membership are built once: set it on the
    /// command line or in the lesson's setup.
    FixedAtStart,
}

impl Effect {
    /// As `kafka-flow settings` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Effect::Live => "live",
            Effect::RestartsProducer => "restart",
            Effect::FixedAtStart => "at start",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct SettingInfo {
    pub name: &'static str,
    /// Other names accepted for the same setting (Kafka's broker-side names).
    pub aliases: &'static [&'static str],
    pub kind: SettingKind,
    /// `PRODUCER`, `TOPOLOGY` or `SIMULATION`.
    pub group: &'static str,
    /// How a change to a running simulation takes effect (`Sim::apply`).
    pub effect: Effect,
    pub doc: &'static str,
    pub(super) access: Access,
}

impl SettingInfo {
    /// The accepted values in words, as error messages and help screens show them.
    pub fn accepted(&self) -> String {
        match self.kind {
            SettingKind::Bool => "true, false".to_string(),
            SettingKind::Int { min, max, .. } => format!("{min} to {max}"),
            SettingKind::DecimalMs { min_us, max_us } => format!(
                "{} to {} ms, up to 3 decimals",
                format_us_as_ms(min_us),
                format_us_as_ms(max_us)
            ),
            SettingKind::Choice(options) => options.join(", "),
            SettingKind::TopicName => "1 to 249 of a-z A-Z 0-9 . _ -".to_string(),
            SettingKind::Text { allow_empty: true } => "any text".to_string(),
            SettingKind::Text { allow_empty: false } => "any non-empty text".to_string(),
        }
    }

    /// Accepted only for compatibility with Java configs: validated, then ignored.
    pub fn is_compat_only(&self) -> bool {
        matches!(self.access, Access::Ignored)
    }
}

const fn int(min: u64, max: u64, unit: Unit) -> SettingKind {
    SettingKind::Int { min, max, unit }
}

/// Numeric fields are `u32` or `u64`; the table speaks `u64`. The range check runs
/// first, so saturation never actually changes a value.
trait FromU64 {
    fn from_u64(v: u64) -> Self;
}
impl FromU64 for u32 {
    fn from_u64(v: u64) -> Self {
        u32::try_from(v).unwrap_or(u32::MAX)
    }
}
impl FromU64 for u64 {
    fn from_u64(v: u64) -> Self {
        v
    }
}

macro_rules! int_field {
    ($($field:ident).+) => {
        Access::Int(|c| u64::from(c.$($field).+), |c, v| c.$($field).+ = FromU64::from_u64(v))
    };
}
macro_rules! bool_field {
    ($($field:ident).+) => {
        Access::Bool(|c| c.$($field).+, |c, v| c.$($field).+ = v)
    };
}
macro_rules! text_field {
    ($($field:ident).+) => {
        Access::Text(|c| c.$($field).+.clone(), |c, v| c.$($field).+ = v)
    };
}

const ACKS_CHOICES: &[&str] = &["all", "-1", "1", "0"];
const STRING_SERIALIZERS: &[&str] = &[
    "org.apache.kafka.common.serialization.StringSerializer",
    "StringSerializer",
];

const P: SettingInfo = SettingInfo {
    name: "",
    aliases: &[],
    kind: SettingKind::Bool,
    group: PRODUCER,
    effect: Effect::Live,
    doc: "",
    access: Access::Ignored,
};
const T: SettingInfo = SettingInfo {
    group: TOPOLOGY,
    effect: Effect::FixedAtStart,
    ..P
};
const C: SettingInfo = SettingInfo {
    group: CONSUMER,
    ..P
};
const S: SettingInfo = SettingInfo {
    group: SIMULATION,
    ..P
};

/// Every setting with a field in `Config`, in display order.
pub static SETTINGS: &[SettingInfo] = &[
    SettingInfo {
        name: "acks",
        kind: SettingKind::Choice(ACKS_CHOICES),
        doc: "Replicas that must have a batch before the leader answers: 0 none, 1 the leader, all the ISR",
        access: Access::Acks,
        ..P
    },
    SettingInfo {
        name: "enable.idempotence",
        effect: Effect::RestartsProducer,
        doc: "Producer id + sequence numbers so the broker drops retried duplicates (needs acks=all)",
        access: bool_field!(producer.enable_idempotence),
        ..P
    },
    SettingInfo {
        name: "retries",
        kind: int(0, INT_MAX, Unit::None),
        doc: "How many times a failed batch is resent (delivery.timeout.ms usually ends retrying first)",
        access: int_field!(producer.retries),
        ..P
    },
    SettingInfo {
        name: "max.in.flight.requests.per.connection",
        kind: int(1, INT_MAX, Unit::None),
        doc: "Unanswered requests per broker connection; above 1 without idempotence, retries can reorder",
        access: int_field!(producer.max_in_flight_requests_per_connection),
        ..P
    },
    SettingInfo {
        name: "linger.ms",
        kind: int(0, LONG_MAX, Unit::Ms),
        doc: "How long a batch waits for more records before it may be sent (0 up to 3.9, 5 from 4.0)",
        access: int_field!(producer.linger_ms),
        ..P
    },
    SettingInfo {
        name: "batch.size",
        effect: Effect::RestartsProducer,
        kind: int(0, INT_MAX, Unit::Bytes),
        doc: "Bytes per partition batch; a full batch is sent at once (0 behaves as 1: no batching)",
        access: int_field!(producer.batch_size),
        ..P
    },
    SettingInfo {
        name: "buffer.memory",
        effect: Effect::RestartsProducer,
        kind: int(0, LONG_MAX, Unit::Bytes),
        doc: "Memory for unsent batches; when full, send() blocks up to max.block.ms",
        access: int_field!(producer.buffer_memory),
        ..P
    },
    SettingInfo {
        name: "max.request.size",
        kind: int(0, INT_MAX, Unit::Bytes),
        doc: "Largest produce request, and so the largest record, the producer will send",
        access: int_field!(producer.max_request_size),
        ..P
    },
    SettingInfo {
        name: "request.timeout.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "How long to wait for a broker's answer before the connection is closed and the batch retried",
        access: int_field!(producer.request_timeout_ms),
        ..P
    },
    SettingInfo {
        name: "delivery.timeout.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "Deadline from send() to success or failure, retries included (>= linger.ms + request.timeout.ms)",
        access: int_field!(producer.delivery_timeout_ms),
        ..P
    },
    SettingInfo {
        name: "retry.backoff.ms",
        kind: int(0, LONG_MAX, Unit::Ms),
        doc: "Pause before the first retry; doubles per attempt up to retry.backoff.max.ms (±20% jitter)",
        access: int_field!(producer.retry_backoff_ms),
        ..P
    },
    SettingInfo {
        name: "retry.backoff.max.ms",
        kind: int(0, LONG_MAX, Unit::Ms),
        doc: "Ceiling of the exponential retry backoff (Kafka 3.7+, KIP-580)",
        access: int_field!(producer.retry_backoff_max_ms),
        ..P
    },
    SettingInfo {
        name: "max.block.ms",
        kind: int(0, LONG_MAX, Unit::Ms),
        doc: "How long send() may block waiting for metadata or buffer memory before it throws",
        access: int_field!(producer.max_block_ms),
        ..P
    },
    SettingInfo {
        name: "partitioner.adaptive.partitioning.enable",
        effect: Effect::RestartsProducer,
        doc: "Keyless records go more often to partitions whose brokers answer faster (Kafka 3.3+)",
        access: bool_field!(producer.partitioner_adaptive_partitioning_enable),
        ..P
    },
    SettingInfo {
        name: "partitioner.availability.timeout.ms",
        effect: Effect::RestartsProducer,
        kind: int(0, LONG_MAX, Unit::Ms),
        doc: "A partition whose broker accepts nothing for this long is skipped by keyless records (0 = off)",
        access: int_field!(producer.partitioner_availability_timeout_ms),
        ..P
    },
    SettingInfo {
        name: "partitioner.ignore.keys",
        doc: "Partition keyed records as if they had no key (sticky instead of murmur2 hash)",
        access: bool_field!(producer.partitioner_ignore_keys),
        ..P
    },
    SettingInfo {
        name: "client.id",
        effect: Effect::RestartsProducer,
        kind: SettingKind::Text { allow_empty: true },
        doc: "The producer's name in broker logs and metrics",
        access: text_field!(producer.client_id),
        ..P
    },
    SettingInfo {
        name: "brokers",
        kind: int(1, 9, Unit::None),
        doc: "Number of brokers in the cluster",
        access: int_field!(topology.brokers),
        ..T
    },
    SettingInfo {
        name: "topic",
        kind: SettingKind::TopicName,
        doc: "The topic the producer writes and the consumer reads",
        access: text_field!(topology.topic),
        ..T
    },
    SettingInfo {
        name: "partitions",
        aliases: &["num.partitions"],
        kind: int(1, 64, Unit::None),
        doc: "Partitions of the topic",
        access: int_field!(topology.partitions),
        ..T
    },
    SettingInfo {
        name: "replication.factor",
        aliases: &["default.replication.factor"],
        kind: int(1, 9, Unit::None),
        doc: "Copies of each partition, one per broker (at most the number of brokers)",
        access: int_field!(topology.replication_factor),
        ..T
    },
    SettingInfo {
        name: "min.insync.replicas",
        kind: int(1, INT_MAX, Unit::None),
        doc: "With acks=all, the leader refuses writes while fewer replicas than this are in sync",
        effect: Effect::Live,
        access: int_field!(topology.min_insync_replicas),
        ..T
    },
    SettingInfo {
        name: "unclean.leader.election.enable",
        doc: "Let an out-of-sync replica become leader when no in-sync one is alive (loses data)",
        effect: Effect::Live,
        access: bool_field!(topology.unclean_leader_election_enable),
        ..T
    },
    SettingInfo {
        name: "replica.lag.time.max.ms",
        kind: int(0, LONG_MAX, Unit::Ms),
        doc: "A follower not caught up for this long is removed from the ISR",
        access: int_field!(topology.replica_lag_time_max_ms),
        ..T
    },
    SettingInfo {
        name: "replica.fetch.wait.max.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "How long a follower's fetch waits at the leader when there is nothing new",
        access: int_field!(topology.replica_fetch_wait_max_ms),
        ..T
    },
    SettingInfo {
        name: "broker.session.timeout.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "KRaft: the controller fences a broker it has not heard from for this long",
        access: int_field!(topology.broker_session_timeout_ms),
        ..T
    },
    SettingInfo {
        name: "zookeeper.session.timeout.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "ZooKeeper mode (the 2.8 profile): a silent broker is declared dead after this long",
        access: int_field!(topology.zookeeper_session_timeout_ms),
        ..T
    },
    SettingInfo {
        name: "consumers",
        kind: int(0, 8, Unit::None),
        doc: "Consumers in the group (0 = none); partitions are shared by the RangeAssignor",
        effect: Effect::FixedAtStart,
        access: int_field!(consumer.consumers),
        ..C
    },
    SettingInfo {
        name: "group.id",
        kind: SettingKind::Text { allow_empty: false },
        doc: "The consumer group (the notes' testAPI); committed offsets belong to it",
        effect: Effect::FixedAtStart,
        access: text_field!(consumer.group_id),
        ..C
    },
    SettingInfo {
        name: "commit.mode",
        kind: SettingKind::Choice(CommitMode::NAMES),
        doc: "auto (enable.auto.commit), sync/async after processing, sync-before/async-before, or none",
        access: Access::Choice(
            |c| c.consumer.commit_mode.name(),
            |c, v| {
                if let Some(m) = CommitMode::parse(v) {
                    c.consumer.commit_mode = m;
                }
            },
        ),
        ..C
    },
    SettingInfo {
        name: "enable.auto.commit",
        doc: "Commit positions asynchronously inside poll() every auto.commit.interval.ms (= commit.mode auto)",
        access: Access::Bool(
            |c| c.consumer.commit_mode == CommitMode::Auto,
            |c, v| {
                if v {
                    c.consumer.commit_mode = CommitMode::Auto;
                } else if c.consumer.commit_mode == CommitMode::Auto {
                    c.consumer.commit_mode = CommitMode::None;
                }
            },
        ),
        ..C
    },
    SettingInfo {
        name: "auto.commit.interval.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "How often poll() auto-commits; a crash re-processes up to this much",
        access: int_field!(consumer.auto_commit_interval_ms),
        ..C
    },
    SettingInfo {
        name: "max.poll.records",
        kind: int(1, INT_MAX, Unit::None),
        doc: "Most records one poll() returns (fetching is not limited by it)",
        access: int_field!(consumer.max_poll_records),
        ..C
    },
    SettingInfo {
        // `ConsumerConfig`: Type.INT, default 300000, atLeast(1).
        name: "max.poll.interval.ms",
        kind: int(1, INT_MAX, Unit::Ms),
        doc: "Longest time between two poll() calls; past it the consumer leaves the group (also the rebalance timeout)",
        access: int_field!(consumer.max_poll_interval_ms),
        ..C
    },
    SettingInfo {
        name: "fetch.min.bytes",
        kind: int(0, INT_MAX, Unit::Bytes),
        doc: "The broker holds a fetch until this many bytes are readable (or fetch.max.wait.ms)",
        access: int_field!(consumer.fetch_min_bytes),
        ..C
    },
    SettingInfo {
        name: "fetch.max.wait.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "Longest the broker holds a fetch waiting for fetch.min.bytes",
        access: int_field!(consumer.fetch_max_wait_ms),
        ..C
    },
    SettingInfo {
        name: "max.partition.fetch.bytes",
        kind: int(1, INT_MAX, Unit::Bytes),
        doc: "Most bytes per partition in one fetch (the first batch is returned even if larger)",
        access: int_field!(consumer.max_partition_fetch_bytes),
        ..C
    },
    SettingInfo {
        name: "auto.offset.reset",
        kind: SettingKind::Choice(OffsetReset::NAMES),
        doc: "Where to start without a committed offset: earliest, latest (skips older records) or none",
        access: Access::Choice(
            |c| c.consumer.auto_offset_reset.name(),
            |c, v| {
                if let Some(m) = OffsetReset::parse(v) {
                    c.consumer.auto_offset_reset = m;
                }
            },
        ),
        ..C
    },
    SettingInfo {
        name: "session.timeout.ms",
        kind: int(1, INT_MAX, Unit::Ms),
        doc: "The coordinator removes a consumer it has not heard a heartbeat from for this long",
        access: int_field!(consumer.session_timeout_ms),
        ..C
    },
    SettingInfo {
        name: "heartbeat.interval.ms",
        kind: int(1, INT_MAX, Unit::Ms),
        doc: "How often a consumer tells the coordinator it is alive",
        access: int_field!(consumer.heartbeat_interval_ms),
        ..C
    },
    SettingInfo {
        name: "default.api.timeout.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "How long commitSync() keeps retrying before it gives up",
        access: int_field!(consumer.default_api_timeout_ms),
        ..C
    },
    SettingInfo {
        name: "group.initial.rebalance.delay.ms",
        kind: int(0, INT_MAX, Unit::Ms),
        doc: "Broker: a new group's first rebalance waits this long for more members to join",
        access: int_field!(consumer.group_initial_rebalance_delay_ms),
        ..C
    },
    SettingInfo {
        name: "consumer.process.ms",
        kind: SettingKind::DecimalMs {
            min_us: 0,
            max_us: SIM_DELAY_MAX_US,
        },
        doc: "Time the application spends processing one record",
        access: int_field!(consumer.process_us),
        ..S
    },
    SettingInfo {
        name: "network.latency.ms",
        kind: SettingKind::DecimalMs {
            min_us: MIN_NETWORK_LATENCY_US,
            max_us: SIM_DELAY_MAX_US,
        },
        doc: "One-way delay between any two hosts",
        access: int_field!(sim.network_latency_us),
        ..S
    },
    SettingInfo {
        name: "network.jitter.ms",
        kind: SettingKind::DecimalMs {
            min_us: 0,
            max_us: SIM_DELAY_MAX_US,
        },
        doc: "Random extra delay in [0, jitter) added to each message",
        access: int_field!(sim.network_jitter_us),
        ..S
    },
    SettingInfo {
        name: "network.bandwidth.mbps",
        kind: int(0, 1_000_000, Unit::Mbps),
        doc: "Link bandwidth in megabits per second (0 = unlimited)",
        access: int_field!(sim.network_bandwidth_mbps),
        ..S
    },
    SettingInfo {
        name: "broker.append.ms",
        kind: SettingKind::DecimalMs {
            min_us: 0,
            max_us: SIM_DELAY_MAX_US,
        },
        doc: "Time a broker takes to append one produce request to its log",
        access: int_field!(sim.broker_append_us),
        ..S
    },
    SettingInfo {
        name: "producer.send.cost.us",
        kind: int(0, 1_000_000, Unit::Us),
        doc: "CPU time the application thread spends in one send() call",
        access: int_field!(sim.producer_send_cost_us),
        ..S
    },
];

/// Accepted so that the course notes' Java producer configs load; they change nothing.
pub static COMPAT_SETTINGS: &[SettingInfo] = &[
    SettingInfo {
        name: "bootstrap.servers",
        kind: SettingKind::Text { allow_empty: false },
        doc: "Where a real client first connects; the simulated cluster needs no address",
        ..P
    },
    SettingInfo {
        name: "key.serializer",
        kind: SettingKind::Choice(STRING_SERIALIZERS),
        doc: "Only the String serializer is simulated: records are text",
        ..P
    },
    SettingInfo {
        name: "value.serializer",
        kind: SettingKind::Choice(STRING_SERIALIZERS),
        doc: "Only the String serializer is simulated: records are text",
        ..P
    },
    SettingInfo {
        name: "compression.type",
        kind: SettingKind::Choice(&["none"]),
        doc: "Only uncompressed batches are simulated",
        ..P
    },
];

/// Looks a name up (exactly, as Kafka does) and returns the entry with the spelling that
/// matched, so messages about an alias repeat the alias the user wrote.
pub(super) fn lookup(name: &str) -> Option<(&'static SettingInfo, &'static str)> {
    SETTINGS.iter().chain(COMPAT_SETTINGS).find_map(|info| {
        if info.name == name {
            return Some((info, info.name));
        }
        info.aliases
            .iter()
            .find(|a| **a == name)
            .map(|a| (info, *a))
    })
}

/// The entry for a name or alias.
pub fn find_setting(name: &str) -> Option<&'static SettingInfo> {
    lookup(name.trim()).map(|(info, _)| info)
}

#[cfg(test)]
mod tests {
    use super::{
        COMPAT_SETTINGS, CONSUMER, Effect, PRODUCER, SETTINGS, SIMULATION, SettingKind, TOPOLOGY,
        find_setting,
    };
    use std::collections::BTreeSet;

    #[test]
    fn names_and_aliases_are_unique_and_documented() {
        let mut seen = BTreeSet::new();
        for info in SETTINGS.iter().chain(COMPAT_SETTINGS) {
            for name in std::iter::once(&info.name).chain(info.aliases) {
                assert!(seen.insert(*name), "{name} appears twice");
            }
            assert!(!info.doc.is_empty(), "{} has no doc", info.name);
            assert!(
                [PRODUCER, TOPOLOGY, CONSUMER, SIMULATION].contains(&info.group),
                "{}",
                info.name
            );
        }
    }

    #[test]
    fn each_group_changes_as_its_kafka_counterpart_allows() {
        for info in SETTINGS {
            match info.group {
                SIMULATION => assert_eq!(info.effect, Effect::Live, "{}", info.name),
                TOPOLOGY if info.effect == Effect::Live => assert!(
                    // Dynamic topic configs in Kafka.
                    ["min.insync.replicas", "unclean.leader.election.enable"].contains(&info.name),
                    "{}",
                    info.name
                ),
                PRODUCER => assert_ne!(info.effect, Effect::FixedAtStart, "{}", info.name),
                _ => {}
            }
        }
        let effect = |name| find_setting(name).unwrap().effect;
        assert_eq!(effect("batch.size"), Effect::RestartsProducer);
        assert_eq!(effect("linger.ms"), Effect::Live);
        assert_eq!(effect("partitions"), Effect::FixedAtStart);
        assert_eq!(effect("consumers"), Effect::FixedAtStart);
        assert_eq!(effect("commit.mode"), Effect::Live);
    }

    #[test]
    fn lookup_resolves_aliases_and_nothing_approximate() {
        assert_eq!(
            find_setting(" num.partitions ").map(|i| i.name),
            Some("partitions")
        );
        assert_eq!(
            find_setting("default.replication.factor").map(|i| i.name),
            Some("replication.factor")
        );
        assert!(find_setting("Linger.ms").is_none());
        assert!(find_setting("bootstrap.servers").unwrap().is_compat_only());
        assert!(!find_setting("linger.ms").unwrap().is_compat_only());
    }

    #[test]
    fn ranges_match_the_java_types() {
        let range = |name| match find_setting(name).map(|i| i.kind) {
            Some(SettingKind::Int { min, max, .. }) => (min, max),
            other => panic!("{name}: {other:?}"),
        };
        // Type.INT in ProducerConfig
        assert_eq!(range("retries"), (0, 2_147_483_647));
        assert_eq!(range("delivery.timeout.ms"), (0, 2_147_483_647));
        assert_eq!(
            range("max.in.flight.requests.per.connection"),
            (1, 2_147_483_647)
        );
        // Type.LONG
        assert_eq!(range("linger.ms"), (0, 9_223_372_036_854_775_807));
        assert_eq!(range("buffer.memory"), (0, 9_223_372_036_854_775_807));
        assert_eq!(range("brokers"), (1, 9));
        assert_eq!(find_setting("acks").unwrap().accepted(), "all, -1, 1, 0");
        assert_eq!(
            find_setting("network.latency.ms").unwrap().accepted(),
            "0.01 to 600000 ms, up to 3 decimals"
        );
    }
}
