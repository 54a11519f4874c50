//! Writing a scenario file: a TUI session (its starting world and the commands given
//! during it) becomes a file that `ScenarioFile::parse` reads back to the same scenario,
//! so a classroom run can be replayed exactly.

use super::{BeatWhen, ScenarioFile};
use crate::lesson::Text;
use crate::lesson::goals::Condition;
use crate::scenario::WorkloadSpec;
use crate::sim::config::{OffsetReset, SETTINGS};
use crate::sim::workload::SendMode;
use crate::sim::{Command, Config, KafkaVersion, SimTime, Workload};
use std::fmt::Write as _;

/// A TOML string literal, escaped (toml's own writer decides the quoting).
fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A key, bare when TOML allows it (`acks`), quoted otherwise (`"linger.ms"`).
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        string(k)
    }
}

/// A float TOML reads back to the same f64 (`1000.0`, not `1000`).
fn float(x: f64) -> String {
    toml::Value::Float(x).to_string()
}

/// A virtual time exactly: whole seconds, whole milliseconds, or microseconds.
pub fn duration(t: SimTime) -> String {
    let us = t.as_micros();
    if us % 1_000_000 == 0 {
        format!("{}s", us / 1_000_000)
    } else if us % 1_000 == 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

fn text(t: &Text) -> String {
    if t.zh.is_empty() {
        format!("{{ en = {} }}", string(&t.en))
    } else {
        format!("{{ en = {}, zh = {} }}", string(&t.en), string(&t.zh))
    }
}

/// How `kafka_version` is written for a profile (`KafkaVersion::parse` reads each back).
fn version_name(v: KafkaVersion) -> &'static str {
    match v {
        KafkaVersion::V2_8 => "2.8",
        KafkaVersion::V3 => "3",
        KafkaVersion::V4 => "4",
    }
}

impl ScenarioFile {
    /// The file's text. Parsing it (with the same `source`) gives back an equal value.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "id = {}", string(&self.id));
        let _ = writeln!(out, "title = {}", text(&self.title));
        if let Some(s) = &self.summary {
            let _ = writeln!(out, "summary = {}", text(s));
        }
        if let Some(n) = &self.notes {
            let _ = writeln!(out, "notes = {}", string(n));
        }
        if let Some(v) = &self.kafka_version {
            let _ = writeln!(out, "kafka_version = {}", string(v));
        }
        // TOML integers are i64: a larger seed is written as a string, which the loader reads.
        match i64::try_from(self.seed) {
            Ok(s) => {
                let _ = writeln!(out, "seed = {s}");
            }
            Err(_) => {
                let _ = writeln!(out, "seed = \"{}\"", self.seed);
            }
        }
        if let Some(u) = self.until {
            let _ = writeln!(out, "until = \"{}\"", duration(u));
        }
        if !self.settings.is_empty() {
            out.push_str("\n[settings]\n");
            for (name, value) in &self.settings {
                let _ = writeln!(out, "{} = {}", key(name), string(value));
            }
        }
        let w = &self.workload;
        out.push_str("\n[workload]\n");
        let _ = writeln!(out, "records = {}", w.records);
        let _ = writeln!(out, "rate = {}", float(w.rate));
        let _ = writeln!(out, "key = {}", string(&w.key));
        let _ = writeln!(out, "value = {}", string(&w.value));
        if let Some(b) = w.value_bytes {
            let _ = writeln!(out, "value_bytes = {b}");
        }
        let _ = writeln!(out, "sync = {}", w.sync);
        let _ = writeln!(out, "flush_every = {}", w.flush_every);
        let _ = writeln!(out, "close = {}", w.close_when_done);
        for (at, command) in &self.commands {
            out.push_str("\n[[commands]]\n");
            let _ = writeln!(out, "at = \"{}\"", duration(*at));
            let _ = match command {
                Command::Set { name, value } => {
                    writeln!(out, "set = {}", string(&format!("{name}={value}")))
                }
                Command::SetRate { rate } => writeln!(out, "rate = {}", float(*rate)),
                Command::Fault { fault } => writeln!(out, "fault = {}", string(&fault.spec())),
            };
        }
        for b in &self.beats {
            out.push_str("\n[[beats]]\n");
            let _ = match b.when {
                BeatWhen::At(t) => writeln!(out, "at = \"{}\"", duration(t)),
                BeatWhen::First(m) => writeln!(out, "first = {}", string(m.name())),
            };
            let _ = writeln!(out, "caption = {}", text(&b.caption));
        }
        write_expect(&mut out, "expect", &self.expect);
        if let Some(b) = &self.b {
            out.push_str("\n[b.settings]\n");
            for (name, value) in &b.settings {
                let _ = writeln!(out, "{} = {}", key(name), string(value));
            }
            write_expect(&mut out, "b.expect", &b.expect);
        }
        out
    }

    /// A live session as a scenario: the world it started from (every setting that differs
    /// from the version's defaults, or that was set explicitly, since Kafka treats an
    /// explicit setting differently, e.g. `enable.idempotence`), its application, seed and
    /// the commands given so far. No beats, no `until`, no expectations: the caller may add them.
    pub fn of_session(
        config: &Config,
        workload: &Workload,
        seed: u64,
        commands: &[(SimTime, Command)],
        title: Text,
    ) -> ScenarioFile {
        // Replays the settings as the loader will, keeping only those that change something:
        // two names for one field (`commit.mode` and `enable.auto.commit`) give one line.
        // The loader starts from auto.offset.reset=earliest, not Kafka's latest.
        let mut replay = Config::defaults(config.version);
        replay.consumer.auto_offset_reset = OffsetReset::Earliest;
        let mut settings = Vec::new();
        for s in SETTINGS {
            let Some(value) = config.get(s.name) else {
                continue;
            };
            let explicit = config.explicit.contains(s.name) && !replay.explicit.contains(s.name);
            if (replay.get(s.name).as_ref() != Some(&value) || explicit)
                && replay.set(s.name, &value).is_ok()
            {
                settings.push((s.name.to_string(), value));
            }
        }
        let mut commands = commands.to_vec();
        commands.sort_by_key(|(at, _)| *at);
        ScenarioFile {
            id: "session".to_string(),
            title,
            summary: None,
            notes: None,
            kafka_version: Some(version_name(config.version).to_string()),
            seed,
            settings,
            workload: WorkloadSpec {
                records: workload.records,
                rate: workload.rate,
                key: workload
                    .key
                    .as_ref()
                    .map_or_else(|| "none".to_string(), ToString::to_string),
                value: workload.value.to_string(),
                value_bytes: workload.value_bytes,
                sync: workload.send_mode == SendMode::Sync,
                close_when_done: workload.close_when_done,
                flush_every: workload.flush_every,
            },
            commands,
            beats: Vec::new(),
            until: None,
            expect: Vec::new(),
            b: None,
            source: "session".to_string(),
        }
    }
}

/// `[[expect]]` (or `[[b.expect]]`) tables.
fn write_expect(out: &mut String, table: &str, conditions: &[Condition]) {
    for c in conditions {
        let _ = writeln!(out, "\n[[{table}]]");
        let _ = writeln!(out, "metric = {}", string(&c.metric.to_string()));
        let _ = writeln!(out, "op = {}", string(c.op.symbol()));
        let _ = writeln!(out, "value = {}", float(c.value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::goals::{Condition, Op};
    use crate::lesson::metric::Metric;
    use crate::scenario::WorldOptions;
    use crate::scenarios::{Beat, Moment};
    use crate::sim::command::Fault;

    #[test]
    fn durations_are_exact() {
        assert_eq!(duration(SimTime(1_500_123)), "1500123us");
        assert_eq!(duration(SimTime(1_500_000)), "1500ms");
        assert_eq!(duration(SimTime(3_000_000)), "3s");
        assert_eq!(duration(SimTime(0)), "0s");
    }

    fn session() -> (Config, Workload, Vec<(SimTime, Command)>) {
        let mut config = Config::defaults(KafkaVersion::V2_8);
        config.consumer.auto_offset_reset = OffsetReset::Earliest;
        for (k, v) in [
            ("linger.ms", "7"),
            ("acks", "1"),
            ("consumers", "2"),
            ("session.timeout.ms", "6000"),
            ("commit.mode", "sync-before"),
        ] {
            config.set(k, v).unwrap();
        }
        let mut workload = Workload::notes_loop(1234);
        workload.rate = 333.25;
        workload.key = None;
        workload.value_bytes = Some(100);
        workload.send_mode = SendMode::Sync;
        let commands = vec![
            (
                SimTime(1_500_123),
                Command::Fault {
                    fault: Fault::DropResponses {
                        broker: Some(1),
                        count: 2,
                    },
                },
            ),
            (
                SimTime(2_000_000),
                Command::Set {
                    name: "linger.ms".to_string(),
                    value: "20".to_string(),
                },
            ),
            (SimTime(2_000_000), Command::SetRate { rate: 0.5 }),
            (
                SimTime(3_000_000),
                Command::Fault {
                    fault: Fault::CrashConsumer { consumer: 1 },
                },
            ),
        ];
        (config, workload, commands)
    }

    #[test]
    fn a_session_saved_and_read_back_is_the_same_world() {
        let (config, workload, commands) = session();
        let title = Text {
            en: "My \"run\"\nwith a newline".to_string(),
            zh: "我的运行".to_string(),
        };
        let mut file = ScenarioFile::of_session(&config, &workload, 7, &commands, title);
        file.beats.push(Beat {
            when: BeatWhen::First(Moment::Rebalance),
            caption: Text {
                en: "look".to_string(),
                zh: String::new(),
            },
        });
        file.beats.push(Beat {
            when: BeatWhen::At(SimTime(999)),
            caption: Text {
                en: "µs".to_string(),
                zh: "微秒".to_string(),
            },
        });
        file.expect.push(Condition {
            metric: Metric::parse("ledger.lost.broker", &config).unwrap(),
            op: Op::Gt,
            value: 0.5,
        });
        file.until = Some(SimTime(25_000_000));
        file.notes = Some("seeds/kafka.md, '生产者'".to_string());
        let text = file.to_toml();
        let back = ScenarioFile::parse(&text, "session").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, file, "{text}");
        let s = back.scenario(&WorldOptions::default()).unwrap();
        assert_eq!(s.config, config);
        assert_eq!(s.workload, workload);
        assert_eq!(s.seed, 7);
        assert_eq!(s.commands, commands);
    }

    #[test]
    fn a_latest_reset_and_a_huge_seed_survive() {
        let mut config = Config::defaults(KafkaVersion::V4);
        config.set("auto.offset.reset", "latest").unwrap();
        let workload = Workload::notes_loop(10);
        let file = ScenarioFile::of_session(&config, &workload, u64::MAX, &[], Text::default());
        let file = ScenarioFile {
            title: Text {
                en: "t".to_string(),
                zh: String::new(),
            },
            ..file
        };
        let back = ScenarioFile::parse(&file.to_toml(), "session").unwrap();
        assert_eq!(back, file);
        let s = back.scenario(&WorldOptions::default()).unwrap();
        assert_eq!(s.config, config);
        assert_eq!(s.seed, u64::MAX);
    }
}
