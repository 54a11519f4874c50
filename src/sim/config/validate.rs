//! The rules Kafka applies when a producer (and a topic) is created: which settings
//! conflict, which are silently adjusted, and which are refused.
//!
//! Sources: `ProducerConfig.postProcessAndValidateIdempotenceConfigs` (3.x and 4.x),
//! `ProducerConfig.maybeOverrideAcksAndRetries` and `KafkaProducer.configureInflightRequests`
//! (2.8), `KafkaProducer.configureDeliveryTimeout`, `CommonClientConfigs.warnDisablingExponentialBackoff`,
//! `BufferPool.allocate`, `KafkaConfig` (`replica.fetch.wait.max.ms` checks) and
//! `Partition.effectiveMinIsr` (3.7+).

use super::{Acks, Config, KafkaVersion};
use serde::Serialize;
use std::fmt;

/// What the producer actually runs with after Kafka's start-up adjustments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Effective {
    pub idempotence: bool,
    /// `acks` after the 2.8 rule that raises a defaulted `acks=1` to `all` for an idempotent producer.
    pub acks: Acks,
    pub delivery_timeout_ms: u64,
    /// `max(1, batch.size)`, as `KafkaProducer` hands it to the accumulator.
    pub batch_size: u32,
    /// Ceiling for the retry backoff. Kafka 2.8 had no exponential backoff (KIP-580 came in
    /// 3.7), so under 2.8 this equals `retry.backoff.ms` and Kafka's `ExponentialBackoff`
    /// formula degenerates to the old constant delay.
    pub retry_backoff_max_ms: u64,
    /// One line per silent adjustment or risky combination, in Kafka's order.
    pub notes: Vec<String>,
}

/// A configuration problem, located as precisely as known: `file:line: key: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    /// An error about one setting, with no file position.
    pub fn for_key(key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            file: None,
            line: None,
            key: Some(key.to_string()),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            (None, Some(line)) => write!(f, "line {line}: ")?,
            (None, None) => {}
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl From<super::SetError> for ConfigError {
    fn from(e: super::SetError) -> Self {
        ConfigError::for_key(e.name(), e.detail())
    }
}

const IDEMPOTENCE: &str = "enable.idempotence";
/// `ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE`: the broker keeps
/// the last 5 batches per producer, so only 5 in flight can be deduplicated.
const MAX_IN_FLIGHT_FOR_IDEMPOTENCE: u32 = 5;
/// `replica.socket.timeout.ms` is not a knob here; its default bounds `replica.fetch.wait.max.ms`.
const REPLICA_SOCKET_TIMEOUT_MS: u64 = 30_000;
/// `broker.heartbeat.interval.ms` default; `KRaft` wants the session timeout to cover two heartbeats.
const BROKER_HEARTBEAT_INTERVAL_MS: u64 = 2_000;
const INT_MAX: u64 = super::settings::INT_MAX;

/// Broker defaults bounding a consumer's session.timeout.ms.
const GROUP_MIN_SESSION_TIMEOUT_MS: u64 = 6_000;
const GROUP_MAX_SESSION_TIMEOUT_MS: u64 = 1_800_000;

impl Config {
    /// Applies Kafka's start-up rules. An error is what Kafka would refuse (a
    /// `ConfigException`, a failed topic creation) or what would make every send fail.
    pub fn validate(&self) -> Result<Effective, ConfigError> {
        let mut notes = Vec::new();
        let (idempotence, acks) = self.idempotence(&mut notes)?;
        let delivery_timeout_ms = self.delivery_timeout(&mut notes)?;
        let batch_size = self.memory_limits(&mut notes)?;
        let retry_backoff_max_ms = self.retry_backoff(&mut notes);
        self.topology_rules(&mut notes)?;
        self.consumer_rules()?;
        Ok(Effective {
            idempotence,
            acks,
            delivery_timeout_ms,
            batch_size,
            retry_backoff_max_ms,
            notes,
        })
    }

    fn is_explicit(&self, name: &str) -> bool {
        self.explicit.contains(name)
    }

    fn idempotence(&self, notes: &mut Vec<String>) -> Result<(bool, Acks), ConfigError> {
        let p = &self.producer;
        if !p.enable_idempotence {
            return Ok((false, p.acks));
        }
        if self.version == KafkaVersion::V2_8 {
            return self.idempotence_2_8(notes);
        }
        // 3.x / 4.x: on by default, so it matters whether the user asked for it.
        let asked = self.is_explicit(IDEMPOTENCE);
        let mut disable = false;
        if p.retries == 0 {
            if asked {
                return Err(retries_error());
            }
            notes.push(format!(
                "{IDEMPOTENCE} was on by default and is disabled because retries=0 (Kafka logs this at INFO)"
            ));
            disable = true;
        }
        if p.acks != Acks::All {
            if asked {
                return Err(acks_error(p.acks));
            }
            notes.push(format!(
                "{IDEMPOTENCE} was on by default and is disabled because acks={} (Kafka logs this at INFO)",
                p.acks
            ));
            disable = true;
        }
        let in_flight = p.max_in_flight_requests_per_connection;
        if in_flight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE {
            if self.version == KafkaVersion::V4 {
                // 4.x throws whenever enable.idempotence is true, even only by default and even
                // when acks or retries already disable it: the check reads the configured value.
                let why = if asked {
                    format!("{IDEMPOTENCE}=true was set")
                } else {
                    format!(
                        "{IDEMPOTENCE} is true by default; set {IDEMPOTENCE}=false to allow more"
                    )
                };
                return Err(ConfigError::for_key(
                    "max.in.flight.requests.per.connection",
                    format!(
                        "To use the idempotent producer, max.in.flight.requests.per.connection must be set \
                         to at most 5. Current value is {in_flight}. ({why})"
                    ),
                ));
            }
            if asked {
                return Err(in_flight_error());
            }
            notes.push(format!(
                "{IDEMPOTENCE} was on by default and is disabled because \
                 max.in.flight.requests.per.connection={in_flight} is greater than 5 \
                 (Kafka logs a WARN; Kafka 4.0 refuses this)"
            ));
            disable = true;
        }
        Ok((!disable, p.acks))
    }

    /// Kafka 2.8: idempotence is off by default, so `true` means the user asked for it
    /// (the field can only become true through `set` or code that means the same).
    fn idempotence_2_8(&self, notes: &mut Vec<String>) -> Result<(bool, Acks), ConfigError> {
        let p = &self.producer;
        if p.retries == 0 {
            return Err(retries_error());
        }
        let mut acks = p.acks;
        if acks != Acks::All {
            if self.is_explicit("acks") {
                return Err(acks_error(acks));
            }
            notes.push(format!(
                "acks was left at its 2.8 default {acks} and is raised to all because \
                 {IDEMPOTENCE}=true (Kafka logs this at INFO)"
            ));
            acks = Acks::All;
        }
        if p.max_in_flight_requests_per_connection > MAX_IN_FLIGHT_FOR_IDEMPOTENCE {
            return Err(in_flight_error());
        }
        Ok((true, acks))
    }

    fn delivery_timeout(&self, notes: &mut Vec<String>) -> Result<u64, ConfigError> {
        let p = &self.producer;
        // Kafka does this in int arithmetic: linger.ms is capped to Integer.MAX_VALUE and so is the sum.
        let needed = (p.linger_ms.min(INT_MAX) + p.request_timeout_ms.min(INT_MAX)).min(INT_MAX);
        if p.delivery_timeout_ms >= needed {
            return Ok(p.delivery_timeout_ms);
        }
        if self.is_explicit("delivery.timeout.ms") {
            return Err(ConfigError::for_key(
                "delivery.timeout.ms",
                format!(
                    "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms \
                     ({} < {} + {})",
                    p.delivery_timeout_ms, p.linger_ms, p.request_timeout_ms
                ),
            ));
        }
        notes.push(format!(
            "delivery.timeout.ms was left at its default {} but must be at least linger.ms + \
             request.timeout.ms = {needed}, so it is raised to {needed} (Kafka logs a WARN)",
            p.delivery_timeout_ms
        ));
        Ok(needed)
    }

    /// Kafka accepts 0 for these at start-up, but then every record fails (or every `send()`
    /// throws); the simulation refuses such a producer instead of modelling a dead one.
    fn memory_limits(&self, notes: &mut Vec<String>) -> Result<u32, ConfigError> {
        let p = &self.producer;
        if p.max_request_size == 0 {
            return Err(ConfigError::for_key(
                "max.request.size",
                "must be at least 1 (with 0 Kafka rejects every record with RecordTooLargeException)",
            ));
        }
        if p.buffer_memory == 0 {
            return Err(ConfigError::for_key(
                "buffer.memory",
                "must be at least 1 (with 0 Kafka rejects every record with RecordTooLargeException)",
            ));
        }
        if u64::from(p.batch_size) > p.buffer_memory {
            return Err(ConfigError::for_key(
                "batch.size",
                format!(
                    "{} is larger than buffer.memory {}: every send() would throw IllegalArgumentException \
                     \"Attempt to allocate {} bytes, but there is a hard limit of {} on memory allocations.\"",
                    p.batch_size, p.buffer_memory, p.batch_size, p.buffer_memory
                ),
            ));
        }
        if p.batch_size == 0 {
            notes.push(
                "batch.size=0 is used as 1: every record gets a batch of its own".to_string(),
            );
        }
        Ok(p.batch_size.max(1))
    }

    fn retry_backoff(&self, notes: &mut Vec<String>) -> u64 {
        let p = &self.producer;
        if self.version == KafkaVersion::V2_8 {
            if self.is_explicit("retry.backoff.max.ms") {
                notes.push(
                    "retry.backoff.max.ms does not exist in Kafka 2.8 (it came with KIP-580 in 3.7): \
                     Kafka 2.8 ignores it and always waits retry.backoff.ms"
                        .to_string(),
                );
            }
            return p.retry_backoff_ms;
        }
        if p.retry_backoff_ms > p.retry_backoff_max_ms {
            notes.push(format!(
                "retry.backoff.ms={} is greater than retry.backoff.max.ms={}: a constant backoff of {} ms \
                 is used (Kafka logs a WARN)",
                p.retry_backoff_ms, p.retry_backoff_max_ms, p.retry_backoff_max_ms
            ));
        }
        p.retry_backoff_max_ms
    }

    /// The broker's `group.min.session.timeout.ms` / `group.max.session.timeout.ms` (6 s to
    /// 30 min, JoinGroup fails with INVALID_SESSION_TIMEOUT outside), and the consumer's own
    /// rule that heartbeats come more often than the session times out (the `Heartbeat`
    /// constructor throws otherwise). `max.poll.interval.ms` has no rule beyond its own range:
    /// `GroupRebalanceConfig` reads it as the rebalance timeout and nothing compares it with the
    /// session or heartbeat settings, so a value below them is legal (and leaves the group sooner).
    fn consumer_rules(&self) -> Result<(), ConfigError> {
        let c = &self.consumer;
        if !(GROUP_MIN_SESSION_TIMEOUT_MS..=GROUP_MAX_SESSION_TIMEOUT_MS)
            .contains(&c.session_timeout_ms)
        {
            return Err(ConfigError::for_key(
                "session.timeout.ms",
                format!(
                    "{} is outside the broker's group.min.session.timeout.ms..group.max.session.timeout.ms \
                     ({GROUP_MIN_SESSION_TIMEOUT_MS} to {GROUP_MAX_SESSION_TIMEOUT_MS}): JoinGroup would fail \
                     with INVALID_SESSION_TIMEOUT",
                    c.session_timeout_ms
                ),
            ));
        }
        if c.heartbeat_interval_ms >= c.session_timeout_ms {
            return Err(ConfigError::for_key(
                "heartbeat.interval.ms",
                format!(
                    "{} must be lower than session.timeout.ms ({}), typically no more than a third of it",
                    c.heartbeat_interval_ms, c.session_timeout_ms
                ),
            ));
        }
        Ok(())
    }

    fn topology_rules(&self, notes: &mut Vec<String>) -> Result<(), ConfigError> {
        let t = &self.topology;
        if t.replication_factor > t.brokers {
            return Err(ConfigError::for_key(
                "replication.factor",
                format!(
                    "{} is larger than the {} brokers available (Kafka: InvalidReplicationFactorException)",
                    t.replication_factor, t.brokers
                ),
            ));
        }
        if t.replica_fetch_wait_max_ms > t.replica_lag_time_max_ms {
            return Err(ConfigError::for_key(
                "replica.fetch.wait.max.ms",
                format!(
                    "replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms \
                     to prevent frequent changes in ISR ({} > {})",
                    t.replica_fetch_wait_max_ms, t.replica_lag_time_max_ms
                ),
            ));
        }
        if t.replica_fetch_wait_max_ms > REPLICA_SOCKET_TIMEOUT_MS {
            return Err(ConfigError::for_key(
                "replica.fetch.wait.max.ms",
                format!(
                    "replica.socket.timeout.ms (30000) should always be at least replica.fetch.wait.max.ms \
                     to prevent unnecessary socket timeouts ({} > 30000)",
                    t.replica_fetch_wait_max_ms
                ),
            ));
        }
        if t.min_insync_replicas > t.replication_factor {
            let (rf, min) = (t.replication_factor, t.min_insync_replicas);
            notes.push(if self.version == KafkaVersion::V2_8 {
                format!(
                    "min.insync.replicas={min} is larger than replication.factor={rf}: Kafka allows it, \
                     but every acks=all write then fails with NOT_ENOUGH_REPLICAS"
                )
            } else {
                format!(
                    "min.insync.replicas={min} is larger than replication.factor={rf}: Kafka 3.7+ uses \
                     min({min}, {rf}) = {rf}, so acks=all needs all {rf} replicas in the ISR"
                )
            });
        }
        if t.broker_session_timeout_ms < 2 * BROKER_HEARTBEAT_INTERVAL_MS {
            notes.push(format!(
                "broker.session.timeout.ms={} is less than two heartbeats (broker.heartbeat.interval.ms=2000): \
                 Kafka logs an ERROR and brokers may be fenced between heartbeats",
                t.broker_session_timeout_ms
            ));
        }
        let (fencing, _) = self.fencing_timeout();
        for name in ["broker.session.timeout.ms", "zookeeper.session.timeout.ms"] {
            if name != fencing && self.is_explicit(name) {
                notes.push(format!(
                    "{name} has no effect under the Kafka {} profile: the controller notices a silent broker after {fencing}",
                    self.version
                ));
            }
        }
        if self.version == KafkaVersion::V2_8 {
            for name in [
                "partitioner.adaptive.partitioning.enable",
                "partitioner.availability.timeout.ms",
                "partitioner.ignore.keys",
            ] {
                if self.is_explicit(name) {
                    notes.push(format!(
                        "{name} does not exist in Kafka 2.8 (it came with KIP-794 in 3.3): Kafka 2.8 \
                         ignores it with a WARN"
                    ));
                }
            }
        }
        Ok(())
    }
}

fn retries_error() -> ConfigError {
    ConfigError::for_key(
        "retries",
        format!(
            "Must set retries to non-zero when using the idempotent producer. \
             ({IDEMPOTENCE}=true was set; set retries above 0 or {IDEMPOTENCE}=false)"
        ),
    )
}

fn acks_error(acks: Acks) -> ConfigError {
    ConfigError::for_key(
        "acks",
        format!(
            "Must set acks to all in order to use the idempotent producer. Otherwise we cannot \
             guarantee idempotence. (acks={acks} and {IDEMPOTENCE}=true was set)"
        ),
    )
}

fn in_flight_error() -> ConfigError {
    ConfigError::for_key(
        "max.in.flight.requests.per.connection",
        format!(
            "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer. \
             ({IDEMPOTENCE}=true was set)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{Acks, Config, KafkaVersion};
    use super::ConfigError;

    fn with(version: KafkaVersion, settings: &[(&str, &str)]) -> Config {
        let mut config = Config::defaults(version);
        for (name, value) in settings {
            config.set(name, value).unwrap_or_else(|e| panic!("{e}"));
        }
        config
    }

    fn error(version: KafkaVersion, settings: &[(&str, &str)]) -> String {
        with(version, settings)
            .validate()
            .expect_err("should be refused")
            .to_string()
    }

    const ALL: [KafkaVersion; 3] = [KafkaVersion::V2_8, KafkaVersion::V3, KafkaVersion::V4];

    #[test]
    fn every_profile_default_is_valid_and_unadjusted() {
        for version in ALL {
            let e = Config::defaults(version).validate().unwrap();
            assert!(e.notes.is_empty(), "{version}: {:?}", e.notes);
            assert_eq!(e.idempotence, version != KafkaVersion::V2_8);
            assert_eq!(
                e.acks,
                if version == KafkaVersion::V2_8 {
                    Acks::One
                } else {
                    Acks::All
                }
            );
            assert_eq!((e.delivery_timeout_ms, e.batch_size), (120_000, 16_384));
        }
    }

    #[test]
    fn explicit_idempotence_conflicts_are_errors() {
        for version in [KafkaVersion::V3, KafkaVersion::V4] {
            let acks = error(version, &[("enable.idempotence", "true"), ("acks", "1")]);
            assert!(
                acks.starts_with(
                    "acks: Must set acks to all in order to use the idempotent producer."
                ),
                "{acks}"
            );
            let retries = error(version, &[("enable.idempotence", "true"), ("retries", "0")]);
            assert!(
                retries.contains("Must set retries to non-zero"),
                "{retries}"
            );
        }
        let v3 = error(
            KafkaVersion::V3,
            &[
                ("enable.idempotence", "true"),
                ("max.in.flight.requests.per.connection", "6"),
            ],
        );
        assert!(
            v3.contains("Must set max.in.flight.requests.per.connection to at most 5"),
            "{v3}"
        );
    }

    #[test]
    fn defaulted_idempotence_is_silently_disabled_by_acks_or_retries() {
        for version in [KafkaVersion::V3, KafkaVersion::V4] {
            let e = with(version, &[("acks", "1")]).validate().unwrap();
            assert!(!e.idempotence);
            assert_eq!(e.acks, Acks::One);
            assert!(
                e.notes[0].contains("disabled because acks=1"),
                "{:?}",
                e.notes
            );

            let e = with(version, &[("retries", "0")]).validate().unwrap();
            assert!(!e.idempotence);
            assert!(e.notes[0].contains("retries=0"), "{:?}", e.notes);
        }
        // Explicitly off: no rule applies, and nothing to note.
        let e = with(
            KafkaVersion::V4,
            &[("enable.idempotence", "false"), ("acks", "0")],
        )
        .validate()
        .unwrap();
        assert!(!e.idempotence && e.notes.is_empty());
    }

    #[test]
    fn more_than_five_in_flight_depends_on_the_version() {
        let six = [("max.in.flight.requests.per.connection", "6")];
        // 4.x: an error even though idempotence is only on by default.
        let v4 = error(KafkaVersion::V4, &six);
        assert!(
            v4.contains("must be set to at most 5. Current value is 6."),
            "{v4}"
        );
        assert!(v4.contains("enable.idempotence=false"), "{v4}");
        // ...and even when acks=1 would have disabled it: Kafka checks the configured value.
        assert!(error(KafkaVersion::V4, &[six[0], ("acks", "1")]).contains("Current value is 6"));
        let off = with(KafkaVersion::V4, &[six[0], ("enable.idempotence", "false")])
            .validate()
            .unwrap();
        assert!(!off.idempotence);
        // 3.x: disabled with a warning.
        let v3 = with(KafkaVersion::V3, &six).validate().unwrap();
        assert!(!v3.idempotence);
        assert!(
            v3.notes[0].contains("greater than 5") && v3.notes[0].contains("WARN"),
            "{:?}",
            v3.notes
        );
        // 2.8: off by default, so no rule at all.
        let v28 = with(KafkaVersion::V2_8, &six).validate().unwrap();
        assert!(!v28.idempotence && v28.notes.is_empty());
    }

    #[test]
    fn kafka_2_8_raises_a_defaulted_acks_for_an_idempotent_producer() {
        let e = with(KafkaVersion::V2_8, &[("enable.idempotence", "true")])
            .validate()
            .unwrap();
        assert!(e.idempotence);
        assert_eq!(e.acks, Acks::All);
        assert!(e.notes[0].contains("raised to all"), "{:?}", e.notes);
        let explicit = error(
            KafkaVersion::V2_8,
            &[("enable.idempotence", "true"), ("acks", "1")],
        );
        assert!(explicit.contains("Must set acks to all"), "{explicit}");
        let in_flight = error(
            KafkaVersion::V2_8,
            &[
                ("enable.idempotence", "true"),
                ("max.in.flight.requests.per.connection", "10"),
            ],
        );
        assert!(in_flight.contains("at most 5"), "{in_flight}");
    }

    #[test]
    fn delivery_timeout_explicit_is_checked_defaulted_is_raised() {
        assert_eq!(
            error(KafkaVersion::V4, &[("delivery.timeout.ms", "1000")]),
            "delivery.timeout.ms: delivery.timeout.ms should be equal to or larger than \
             linger.ms + request.timeout.ms (1000 < 5 + 30000)"
        );
        // Exactly the sum is fine.
        let e = with(KafkaVersion::V4, &[("delivery.timeout.ms", "30005")])
            .validate()
            .unwrap();
        assert_eq!(e.delivery_timeout_ms, 30_005);

        let e = with(KafkaVersion::V4, &[("request.timeout.ms", "200000")])
            .validate()
            .unwrap();
        assert_eq!(e.delivery_timeout_ms, 200_005);
        assert!(e.notes[0].contains("raised to 200005"), "{:?}", e.notes);
        let e = with(KafkaVersion::V3, &[("request.timeout.ms", "200000")])
            .validate()
            .unwrap();
        assert_eq!(e.delivery_timeout_ms, 200_000);
        // Kafka's int arithmetic caps the sum at Integer.MAX_VALUE.
        let e = with(KafkaVersion::V4, &[("linger.ms", "9223372036854775807")])
            .validate()
            .unwrap();
        assert_eq!(e.delivery_timeout_ms, 2_147_483_647);
    }

    #[test]
    fn replication_factor_cannot_exceed_the_brokers() {
        assert_eq!(
            error(KafkaVersion::V4, &[("replication.factor", "4")]),
            "replication.factor: 4 is larger than the 3 brokers available \
             (Kafka: InvalidReplicationFactorException)"
        );
        assert!(
            with(
                KafkaVersion::V4,
                &[("brokers", "5"), ("replication.factor", "4")]
            )
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn min_isr_above_rf_is_allowed_with_a_warning() {
        let settings = [("replication.factor", "2"), ("min.insync.replicas", "3")];
        let new = with(KafkaVersion::V4, &settings).validate().unwrap();
        assert!(new.notes[0].contains("min(3, 2) = 2"), "{:?}", new.notes);
        let old = with(KafkaVersion::V2_8, &settings).validate().unwrap();
        assert!(
            old.notes[0].contains("every acks=all write then fails"),
            "{:?}",
            old.notes
        );
    }

    #[test]
    fn sizes_that_would_fail_every_send_are_refused() {
        assert!(
            error(KafkaVersion::V4, &[("max.request.size", "0")])
                .starts_with("max.request.size: must be at least 1")
        );
        assert!(
            error(KafkaVersion::V4, &[("buffer.memory", "0")])
                .starts_with("buffer.memory: must be at least 1")
        );
        let big = error(
            KafkaVersion::V4,
            &[("buffer.memory", "1000"), ("batch.size", "1001")],
        );
        assert!(big.contains("hard limit of 1000"), "{big}");
        let zero = with(KafkaVersion::V4, &[("batch.size", "0")])
            .validate()
            .unwrap();
        assert_eq!(zero.batch_size, 1);
        assert!(zero.notes[0].contains("batch.size=0"), "{:?}", zero.notes);
    }

    #[test]
    fn retry_backoff_ceiling() {
        let e = with(KafkaVersion::V4, &[("retry.backoff.ms", "2000")])
            .validate()
            .unwrap();
        assert_eq!(e.retry_backoff_max_ms, 1_000);
        assert!(
            e.notes[0].contains("constant backoff of 1000 ms"),
            "{:?}",
            e.notes
        );
        // 2.8 has no exponential backoff: the ceiling is the initial value.
        let e = with(KafkaVersion::V2_8, &[("retry.backoff.ms", "250")])
            .validate()
            .unwrap();
        assert_eq!(e.retry_backoff_max_ms, 250);
        let e = with(
            KafkaVersion::V2_8,
            &[
                ("retry.backoff.max.ms", "5000"),
                ("partitioner.ignore.keys", "true"),
            ],
        )
        .validate()
        .unwrap();
        assert_eq!(e.notes.len(), 2, "{:?}", e.notes);
    }

    #[test]
    fn broker_side_timing_rules() {
        let lag = error(KafkaVersion::V4, &[("replica.lag.time.max.ms", "400")]);
        assert!(
            lag.contains("less than or equal to replica.lag.time.max.ms"),
            "{lag}"
        );
        let socket = error(
            KafkaVersion::V4,
            &[
                ("replica.lag.time.max.ms", "60000"),
                ("replica.fetch.wait.max.ms", "40000"),
            ],
        );
        assert!(
            socket.contains("replica.socket.timeout.ms (30000)"),
            "{socket}"
        );
        let e = with(KafkaVersion::V4, &[("broker.session.timeout.ms", "3000")])
            .validate()
            .unwrap();
        assert!(e.notes[0].contains("two heartbeats"), "{:?}", e.notes);
    }

    #[test]
    fn errors_print_on_one_line_with_what_is_known() {
        let full = ConfigError {
            file: Some("producer.properties".into()),
            line: Some(3),
            key: Some("acks".into()),
            message: "bad".into(),
        };
        assert_eq!(full.to_string(), "producer.properties:3: acks: bad");
        let bare = ConfigError {
            file: None,
            line: None,
            key: None,
            message: "bad".into(),
        };
        assert_eq!(bare.to_string(), "bad");
        let mut config = Config::default();
        let from_set: ConfigError = config.set("acks", "2").unwrap_err().into();
        assert_eq!(
            from_set.to_string(),
            "acks: '2' is not accepted (accepted: all, -1, 1, 0)"
        );
    }
}

#[cfg(test)]
mod consumer_tests {
    use crate::sim::config::{CommitMode, Config};

    #[test]
    fn session_timeout_must_fit_the_broker_limits_and_exceed_heartbeats() {
        let mut c = Config::default();
        c.set("session.timeout.ms", "5000").unwrap();
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("session.timeout.ms") && e.contains("INVALID_SESSION_TIMEOUT"),
            "{e}"
        );
        let mut c = Config::default();
        c.set("session.timeout.ms", "6000").unwrap();
        c.set("heartbeat.interval.ms", "6000").unwrap();
        let e = c.validate().unwrap_err().to_string();
        assert!(e.starts_with("heartbeat.interval.ms"), "{e}");
        c.set("heartbeat.interval.ms", "2000").unwrap();
        assert!(c.validate().is_ok());
    }

    #[test]
    fn max_poll_interval_has_kafkas_range_and_no_rule_against_the_session() {
        let mut c = Config::default();
        assert_eq!(c.get("max.poll.interval.ms").as_deref(), Some("300000"));
        for bad in ["0", "-1", "2147483648", "5s"] {
            let e = c.set("max.poll.interval.ms", bad).unwrap_err().to_string();
            assert!(e.contains("max.poll.interval.ms"), "{bad}: {e}");
        }
        // Below heartbeat.interval.ms and session.timeout.ms: Kafka accepts it.
        c.set("max.poll.interval.ms", "1").unwrap();
        assert!(c.validate().is_ok());
        c.set("max.poll.interval.ms", "2147483647").unwrap();
        assert!(c.validate().is_ok());
    }

    #[test]
    fn enable_auto_commit_and_commit_mode_are_one_setting() {
        let mut c = Config::default();
        assert_eq!(c.get("enable.auto.commit").as_deref(), Some("true"));
        c.set("enable.auto.commit", "false").unwrap();
        assert_eq!(c.consumer.commit_mode, CommitMode::None);
        c.set("commit.mode", "sync-before").unwrap();
        assert_eq!(c.get("enable.auto.commit").as_deref(), Some("false"));
        // Turning auto-commit off does not undo a manual choice.
        c.set("enable.auto.commit", "false").unwrap();
        assert_eq!(c.consumer.commit_mode, CommitMode::SyncBefore);
        c.set("enable.auto.commit", "true").unwrap();
        assert_eq!(c.get("commit.mode").as_deref(), Some("auto"));
        let e = c.set("commit.mode", "sometimes").unwrap_err().to_string();
        assert!(
            e.contains("auto, sync, async, sync-before, async-before, none"),
            "{e}"
        );
    }
}
