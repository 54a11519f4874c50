//! A scenario is the one way to build a world: a configuration, the producing application
//! (workload), a seed, and commands at virtual times. `kafka-flow run`, the TUI's sandbox,
//! the lessons and the lesson checker all describe what they want as a `Scenario` and call
//! `Scenario::build`.
//!
//! The layers, lowest first: `sim` < `scenario` < `lesson` < `headless` / `app` < `cli` /
//! `tui` / `main`. This module knows only the simulation; what the command line or a lesson
//! file says is turned into the plain options below by the layer that reads it.

use crate::sim::config::{OffsetReset, load_properties_file, parse_assignment};
use crate::sim::workload::{SendMode, Template};
use crate::sim::{Command, Config, KafkaVersion, Sim, SimTime, Workload};
use std::path::PathBuf;

/// The application's send rate: a knob that is not a Kafka setting (`Command::SetRate`).
pub const RATE: &str = "rate";

/// A world ready to be built.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub config: Config,
    pub workload: Workload,
    pub seed: u64,
    /// Commands applied when the virtual clock reaches their time.
    pub commands: Vec<(SimTime, Command)>,
}

impl Scenario {
    pub fn new(config: Config, workload: Workload, seed: u64) -> Scenario {
        Scenario {
            config,
            workload,
            seed,
            commands: Vec::new(),
        }
    }

    /// The built-in scenario (the course notes' CustomProducer and CustomConsumer) with the
    /// user's options: linger.ms=1 as the notes set it, then the user's settings on top.
    pub fn builtin(options: &WorldOptions, workload: &WorkloadSpec) -> Result<Scenario, String> {
        let options = options.builtin();
        Ok(Scenario::new(
            options.config()?,
            workload.build()?,
            options.seed(),
        ))
    }

    /// The simulation at virtual time 0 with every command scheduled.
    pub fn build(&self) -> Result<Sim, String> {
        let mut sim = Sim::new(self.config.clone(), self.workload.clone(), self.seed)
            .map_err(|e| e.to_string())?;
        for (at, command) in &self.commands {
            sim.schedule(*at, command.clone());
        }
        Ok(sim)
    }
}

/// Where the configuration and the seed come from: Kafka's version profile, a `.properties`
/// file, `name=value` settings (applied in that order), a seed. Error messages name the
/// command-line options, the public way to give them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorldOptions {
    pub kafka_version: Option<String>,
    pub properties: Option<PathBuf>,
    pub set: Vec<String>,
    pub seed: Option<u64>,
}

impl WorldOptions {
    /// The built-in scenario's world: the notes' CustomProducer sets linger.ms=1 (acks=all
    /// and batch.size=16384 are the defaults anyway); the user's own settings still win.
    #[must_use]
    pub fn builtin(&self) -> WorldOptions {
        let mut out = self.clone();
        out.set.insert(0, "linger.ms=1".to_string());
        out
    }

    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(crate::sim::DEFAULT_SEED)
    }

    /// The configuration from the version, the file and the settings, validated.
    pub fn config(&self) -> Result<Config, String> {
        let version = match &self.kafka_version {
            Some(v) => KafkaVersion::parse(v).map_err(|e| format!("--kafka-version: {e}"))?,
            None => KafkaVersion::default(),
        };
        let mut cfg = Config::defaults(version);
        // The notes' CustomConsumer reads from the beginning (Kafka's own default is latest,
        // which would skip what the producer wrote before the group formed).
        cfg.consumer.auto_offset_reset = OffsetReset::Earliest;
        if let Some(path) = &self.properties {
            load_properties_file(&mut cfg, path).map_err(|e| e.to_string())?;
        }
        for s in &self.set {
            let (name, value) = parse_assignment(s).map_err(|e| format!("--set {s}: {e}"))?;
            cfg.set(name, value).map_err(|e| format!("--set {e}"))?;
        }
        cfg.validate().map_err(|e| e.to_string())?;
        Ok(cfg)
    }
}

/// The producing application as the command line and lesson files describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSpec {
    pub records: u64,
    pub rate: f64,
    /// A key template, or `none` for null keys.
    pub key: String,
    pub value: String,
    pub value_bytes: Option<usize>,
    pub sync: bool,
    pub close_when_done: bool,
    pub flush_every: u64,
}

impl WorkloadSpec {
    /// The notes' loop: 50,000 records `hello{i}`, as fast as `send()` returns.
    pub fn notes_loop() -> WorkloadSpec {
        WorkloadSpec {
            records: 50_000,
            rate: 0.0,
            key: "hello{i}".to_string(),
            value: "hello{i}".to_string(),
            value_bytes: None,
            sync: false,
            close_when_done: true,
            flush_every: 0,
        }
    }

    pub fn build(&self) -> Result<Workload, String> {
        let key = if self.key == "none" {
            None
        } else {
            Some(Template::parse(&self.key).map_err(|e| format!("--key: {e}"))?)
        };
        let w = Workload {
            records: self.records,
            rate: self.rate,
            key,
            value: Template::parse(&self.value).map_err(|e| format!("--value: {e}"))?,
            value_bytes: self.value_bytes,
            send_mode: if self.sync {
                SendMode::Sync
            } else {
                SendMode::Async
            },
            close_when_done: self.close_when_done,
            flush_every: self.flush_every,
        };
        w.validate()?;
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_scenario_sets_linger_first_and_the_user_wins() {
        let opts = WorldOptions {
            set: vec!["linger.ms=7".to_string()],
            ..WorldOptions::default()
        };
        let s = Scenario::builtin(&opts, &WorkloadSpec::notes_loop()).unwrap();
        assert_eq!(s.config.get("linger.ms").as_deref(), Some("7"));
        let s = Scenario::builtin(&WorldOptions::default(), &WorkloadSpec::notes_loop()).unwrap();
        assert_eq!(s.config.get("linger.ms").as_deref(), Some("1"));
        assert_eq!(s.seed, crate::sim::DEFAULT_SEED);
    }

    #[test]
    fn bad_options_name_the_option() {
        let opts = WorldOptions {
            set: vec!["linger.ms".to_string()],
            ..WorldOptions::default()
        };
        assert!(opts.config().unwrap_err().starts_with("--set linger.ms:"));
        let w = WorkloadSpec {
            key: "{".to_string(),
            ..WorkloadSpec::notes_loop()
        };
        assert!(w.build().unwrap_err().starts_with("--key:"));
    }

    #[test]
    fn a_setting_change_says_how_it_took_effect() {
        use crate::sim::Applied;
        let s = Scenario::builtin(&WorldOptions::default(), &WorkloadSpec::notes_loop()).unwrap();
        let mut sim = s.build().unwrap();
        let set = |name: &str, value: &str| Command::Set {
            name: name.to_string(),
            value: value.to_string(),
        };
        assert_eq!(sim.apply(set("linger.ms", "20")), Ok(Applied::Live));
        assert_eq!(
            sim.apply(set("batch.size", "1024")),
            Ok(Applied::ProducerRestarted)
        );
        let e = sim.apply(set("partitions", "6")).unwrap_err();
        assert!(e.contains("fixed when the simulation starts"), "{e}");
    }
}
