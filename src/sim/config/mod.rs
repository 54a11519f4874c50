//! Every knob by its Kafka name, with the defaults of a Kafka version profile.
//!
//! `Config` is plain data. `settings.rs` maps Kafka's names onto its fields
//! (`--set name=value`, `.properties` files, the TUI's knobs), and
//! `validate.rs` applies the rules Kafka's `ProducerConfig` applies at start-up.

mod properties;
mod settings;
mod validate;
mod values;

pub use properties::{apply_properties, load_properties_file};
pub use settings::PRODUCER as PRODUCER_GROUP;
pub use settings::{
    COMPAT_SETTINGS, Effect, SETTINGS, SettingInfo, SettingKind, Unit, find_setting,
};
pub use validate::{ConfigError, Effective};
pub use values::{
    Problem, SetError, edit_distance, format_us_as_ms, parse_assignment, shown, suggest,
};

use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// Which Kafka release's defaults to start from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum KafkaVersion {
    /// 2.8: acks=1, no idempotence, linger.ms=0, the KIP-480 sticky partitioner.
    V2_8,
    /// 3.x (3.7 and later): acks=all, idempotence on, linger.ms=0, KIP-794 partitioner.
    V3,
    /// 4.x: as 3.x but linger.ms=5 (KIP-1030), and in-flight > 5 with idempotence is an error.
    #[default]
    V4,
}

impl KafkaVersion {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "4" | "4.0" | "4.x" | "4.1" => Ok(Self::V4),
            "3" | "3.x" | "3.7" | "3.8" | "3.9" => Ok(Self::V3),
            "2.8" | "2" => Ok(Self::V2_8),
            other => Err(format!(
                "unknown Kafka version '{other}' (accepted: 4, 3, 2.8)"
            )),
        }
    }

    /// KIP-794's built-in partitioner (≥ 3.3) rather than KIP-480's StickyPartitionCache.
    pub fn uses_builtin_partitioner(self) -> bool {
        !matches!(self, Self::V2_8)
    }

    /// KAFKA-15583 (3.7): the leader's HW does not advance while the ISR is below min ISR.
    pub fn hw_waits_for_min_isr(self) -> bool {
        !matches!(self, Self::V2_8)
    }
}

impl fmt::Display for KafkaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V2_8 => "2.8",
            Self::V3 => "3.x",
            Self::V4 => "4.x",
        })
    }
}

/// The producer's `acks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Acks {
    Zero,
    One,
    All,
}

impl fmt::Display for Acks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Acks::Zero => "0",
            Acks::One => "1",
            Acks::All => "all",
        })
    }
}

/// Producer settings (`ProducerConfig`), by Kafka's names. Times are in ms as Kafka has them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerConfig {
    pub acks: Acks,
    pub enable_idempotence: bool,
    pub retries: u32,
    pub max_in_flight_requests_per_connection: u32,
    pub linger_ms: u64,
    pub batch_size: u32,
    pub buffer_memory: u64,
    pub max_block_ms: u64,
    pub request_timeout_ms: u64,
    pub delivery_timeout_ms: u64,
    pub retry_backoff_ms: u64,
    pub retry_backoff_max_ms: u64,
    pub max_request_size: u32,
    pub partitioner_adaptive_partitioning_enable: bool,
    pub partitioner_availability_timeout_ms: u64,
    pub partitioner_ignore_keys: bool,
    pub client_id: String,
}

/// When and how the consumer commits offsets (`commit.mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitMode {
    /// `enable.auto.commit=true`: an async commit inside `poll()` every auto.commit.interval.ms.
    Auto,
    /// `commitSync()` after processing each poll's records.
    Sync,
    /// `commitAsync()` after processing each poll's records.
    Async,
    /// `commitSync()` right after `poll()`, before processing.
    SyncBefore,
    /// `commitAsync()` right after `poll()`, before processing.
    AsyncBefore,
    /// `enable.auto.commit=false` and no manual commit: nothing is ever committed.
    None,
}

impl CommitMode {
    pub const NAMES: &'static [&'static str] = &[
        "auto",
        "sync",
        "async",
        "sync-before",
        "async-before",
        "none",
    ];
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Sync => "sync",
            Self::Async => "async",
            Self::SyncBefore => "sync-before",
            Self::AsyncBefore => "async-before",
            Self::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => Self::Auto,
            "sync" => Self::Sync,
            "async" => Self::Async,
            "sync-before" => Self::SyncBefore,
            "async-before" => Self::AsyncBefore,
            "none" => Self::None,
            _ => return None,
        })
    }
    /// The commit happens before the records are processed (at-most-once).
    pub fn before_processing(self) -> bool {
        matches!(self, Self::SyncBefore | Self::AsyncBefore)
    }
    pub fn is_sync(self) -> bool {
        matches!(self, Self::Sync | Self::SyncBefore)
    }
}

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

impl OffsetReset {
    pub const NAMES: &'static [&'static str] = &["earliest", "latest", "none"];
    pub fn name(self) -> &'static str {
        match self {
            Self::Earliest => "earliest",
            Self::Latest => "latest",
            Self::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "earliest" => Self::Earliest,
            "latest" => Self::Latest,
            "none" => Self::None,
            _ => return None,
        })
    }
}

/// The consumer group (`ConsumerConfig`, classic protocol, RangeAssignor) and its application.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumerConfig {
    /// Consumers in the group (the simulation's own knob); 0 = no consumer.
    pub consumers: u32,
    pub group_id: String,
    pub commit_mode: CommitMode,
    pub auto_commit_interval_ms: u64,
    pub max_poll_records: u32,
    /// `max.poll.interval.ms`: longest the application may go between two `poll()` calls
    /// before the heartbeat thread leaves the group; also the classic rebalance timeout
    /// (`GroupRebalanceConfig.rebalanceTimeoutMs` reads it for consumers).
    pub max_poll_interval_ms: u64,
    pub fetch_min_bytes: u32,
    pub fetch_max_wait_ms: u64,
    pub max_partition_fetch_bytes: u32,
    pub auto_offset_reset: OffsetReset,
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    pub default_api_timeout_ms: u64,
    /// Broker setting: how long the coordinator waits for more members of a new group.
    pub group_initial_rebalance_delay_ms: u64,
    /// Time the application spends processing one record, µs.
    pub process_us: u64,
}

/// Brokers and the topic: `first`, as in the course notes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopologyConfig {
    pub brokers: u32,
    pub topic: String,
    pub partitions: u32,
    pub replication_factor: u32,
    pub min_insync_replicas: u32,
    pub unclean_leader_election_enable: bool,
    pub replica_lag_time_max_ms: u64,
    pub replica_fetch_wait_max_ms: u64,
    /// KRaft: how long the controller waits for a silent broker before fencing it.
    pub broker_session_timeout_ms: u64,
    /// ZooKeeper mode (the 2.8 profile): a dead broker's ephemeral registration disappears,
    /// and the controller reacts, only when its ZooKeeper session expires.
    pub zookeeper_session_timeout_ms: u64,
}

/// The simulation's own knobs (not Kafka settings). Times in microseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimConfig {
    /// One-way latency between any two hosts.
    pub network_latency_us: u64,
    /// Uniform extra delay in [0, jitter) added to each message.
    pub network_jitter_us: u64,
    /// Link bandwidth in megabits per second; 0 = infinite.
    pub network_bandwidth_mbps: u64,
    /// Time a broker takes to append one produce request to its log.
    pub broker_append_us: u64,
    /// CPU time the application thread spends in one `send()` call.
    pub producer_send_cost_us: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Config {
    pub version: KafkaVersion,
    pub producer: ProducerConfig,
    pub topology: TopologyConfig,
    pub consumer: ConsumerConfig,
    pub sim: SimConfig,
    /// Names the user set explicitly. Kafka treats a defaulted setting differently
    /// from an explicit one (idempotence, delivery.timeout.ms).
    #[serde(skip)]
    pub explicit: BTreeSet<&'static str>,
}

impl Config {
    /// How long the controller takes to notice a broker that stopped answering, by the
    /// setting's name: KRaft's `broker.session.timeout.ms`, or under the 2.8 (ZooKeeper)
    /// profile `zookeeper.session.timeout.ms` (`KafkaZkClient`: the broker's ephemeral
    /// `/brokers/ids` node goes away with its session; the controller then re-elects).
    pub fn fencing_timeout(&self) -> (&'static str, u64) {
        if self.version == KafkaVersion::V2_8 {
            (
                "zookeeper.session.timeout.ms",
                self.topology.zookeeper_session_timeout_ms,
            )
        } else {
            (
                "broker.session.timeout.ms",
                self.topology.broker_session_timeout_ms,
            )
        }
    }

    /// The defaults of `version`, with the notes' topology (3 brokers, topic `first`, 3 partitions, RF 3).
    pub fn defaults(version: KafkaVersion) -> Self {
        let old = version == KafkaVersion::V2_8;
        Config {
            version,
            producer: ProducerConfig {
                acks: if old { Acks::One } else { Acks::All },
                enable_idempotence: !old,
                retries: i32::MAX as u32,
                max_in_flight_requests_per_connection: 5,
                linger_ms: if version == KafkaVersion::V4 { 5 } else { 0 },
                batch_size: 16_384,
                buffer_memory: 33_554_432,
                max_block_ms: 60_000,
                request_timeout_ms: 30_000,
                delivery_timeout_ms: 120_000,
                retry_backoff_ms: 100,
                retry_backoff_max_ms: 1_000,
                max_request_size: 1_048_576,
                partitioner_adaptive_partitioning_enable: true,
                partitioner_availability_timeout_ms: 0,
                partitioner_ignore_keys: false,
                client_id: "producer-1".to_string(),
            },
            topology: TopologyConfig {
                brokers: 3,
                topic: "first".to_string(),
                partitions: 3,
                replication_factor: 3,
                min_insync_replicas: 1,
                unclean_leader_election_enable: false,
                replica_lag_time_max_ms: 30_000,
                replica_fetch_wait_max_ms: 500,
                broker_session_timeout_ms: 9_000,
                zookeeper_session_timeout_ms: 18_000,
            },
            consumer: ConsumerConfig {
                consumers: 1,
                group_id: "testAPI".to_string(),
                commit_mode: CommitMode::Auto,
                auto_commit_interval_ms: 5_000,
                max_poll_records: 500,
                max_poll_interval_ms: 300_000,
                fetch_min_bytes: 1,
                fetch_max_wait_ms: 500,
                max_partition_fetch_bytes: 1_048_576,
                auto_offset_reset: OffsetReset::Latest,
                session_timeout_ms: if old { 10_000 } else { 45_000 },
                heartbeat_interval_ms: 3_000,
                default_api_timeout_ms: 60_000,
                group_initial_rebalance_delay_ms: 3_000,
                process_us: 100,
            },
            sim: SimConfig {
                network_latency_us: 1_000,
                network_jitter_us: 0,
                network_bandwidth_mbps: 1_000,
                broker_append_us: 50,
                producer_send_cost_us: 1,
            },
            explicit: BTreeSet::new(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::defaults(KafkaVersion::default())
    }
}
