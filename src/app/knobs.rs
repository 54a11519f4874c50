//! The live knobs: which settings the keyboard can turn, and the steps ←/→ walk through.

/// One knob: a setting by its Kafka name (or `rate`, the application's send rate), and
/// the values ←/→ step through. Enter lets the user type any other value.
#[derive(Clone, Copy, Debug)]
pub struct Knob {
    pub name: &'static str,
    pub steps: &'static [&'static str],
}

pub use crate::scenario::RATE;

use super::Said;
use super::narrate::Level;
use crate::i18n::{Lang, tr, trf};
use crate::sim::{Applied, Command, Workload};

pub const KNOBS: &[Knob] = &[
    Knob {
        name: "batch.size",
        steps: &["0", "1024", "4096", "16384", "65536", "1048576"],
    },
    Knob {
        name: "linger.ms",
        steps: &["0", "1", "5", "10", "50", "100", "500", "1000"],
    },
    Knob {
        name: "acks",
        steps: &["0", "1", "all"],
    },
    Knob {
        name: "enable.idempotence",
        steps: &["false", "true"],
    },
    Knob {
        name: "max.in.flight.requests.per.connection",
        steps: &["1", "2", "3", "4", "5"],
    },
    Knob {
        name: "retries",
        steps: &["0", "1", "3", "10", "2147483647"],
    },
    Knob {
        name: "buffer.memory",
        steps: &["32768", "65536", "262144", "1048576", "33554432"],
    },
    Knob {
        name: RATE,
        steps: &["1", "10", "50", "200", "1000", "5000", "20000", "100000"],
    },
    Knob {
        name: "commit.mode",
        steps: crate::sim::config::CommitMode::NAMES,
    },
    Knob {
        name: "auto.commit.interval.ms",
        steps: &["100", "1000", "5000", "10000", "30000"],
    },
    Knob {
        name: "max.poll.records",
        steps: &["1", "10", "100", "500", "1000"],
    },
    Knob {
        name: "max.poll.interval.ms",
        steps: &["100", "500", "1000", "5000", "30000", "300000"],
    },
    Knob {
        name: "consumer.process.ms",
        steps: &["0", "0.1", "1", "10", "100"],
    },
    Knob {
        name: "network.latency.ms",
        steps: &["0.1", "0.5", "1", "5", "20", "100"],
    },
];

/// A knob as the app holds it: the sandbox's list, or the knobs a lesson step unlocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveKnob {
    pub name: String,
    pub steps: Vec<&'static str>,
}

/// Every knob of the sandbox.
pub fn sandbox() -> Vec<LiveKnob> {
    KNOBS
        .iter()
        .map(|k| LiveKnob {
            name: k.name.to_string(),
            steps: k.steps.to_vec(),
        })
        .collect()
}

/// The knobs a lesson step unlocks, with the sandbox's steps where there are some, else the
/// setting's own choices (booleans, enumerations); other values are typed with Enter.
pub fn unlocked(names: &[String]) -> Vec<LiveKnob> {
    use crate::sim::config::{SettingKind, find_setting};
    names
        .iter()
        .map(|name| {
            let steps = if let Some(k) = KNOBS.iter().find(|k| k.name == name) {
                k.steps.to_vec()
            } else {
                match find_setting(name).map(|s| s.kind) {
                    Some(SettingKind::Bool) => vec!["false", "true"],
                    Some(SettingKind::Choice(options)) => options.to_vec(),
                    _ => Vec::new(),
                }
            };
            LiveKnob {
                name: name.clone(),
                steps,
            }
        })
        .collect()
}

/// The step after (or before) `current` for a live knob (`None` when it has no steps).
pub fn step_live(knob: &LiveKnob, current: &str, up: bool) -> Option<&'static str> {
    if knob.steps.is_empty() {
        return None;
    }
    Some(step_in(&knob.steps, current, up))
}

/// The step after (or before) `current`: the nearest listed value in that direction.
pub fn step(knob: &Knob, current: &str, up: bool) -> &'static str {
    step_in(knob.steps, current, up)
}

/// The nearest value of `steps` after (or before) `current`; `steps` must not be empty.
fn step_in(steps: &[&'static str], current: &str, up: bool) -> &'static str {
    let pos = steps.iter().position(|s| *s == current);
    let n = steps.len();
    match pos {
        Some(i) if up => steps[(i + 1).min(n - 1)],
        Some(i) => steps[i.saturating_sub(1)],
        None => {
            // Not a listed value: go to the nearest listed one in that direction (numbers),
            // or the first/last one.
            let cur: Option<f64> = current.parse().ok();
            let nums: Vec<Option<f64>> = steps.iter().map(|s| s.parse().ok()).collect();
            match cur {
                Some(c) if up => {
                    steps[nums
                        .iter()
                        .position(|v| v.is_some_and(|v| v > c))
                        .unwrap_or(n - 1)]
                }
                Some(c) => {
                    steps[nums
                        .iter()
                        .rposition(|v| v.is_some_and(|v| v < c))
                        .unwrap_or(0)]
                }
                None if up => steps[n - 1],
                None => steps[0],
            }
        }
    }
}

/// The knobs as the screen shows them and as the keyboard turns them.
impl super::App {
    /// The knob's value as the screen shows it: the setting, and what Kafka makes of it when
    /// that differs (idempotence left on by default is silently off with acks≠all or retries=0).
    pub fn knob_display(&self, i: usize) -> String {
        let value = self.knob_value(i);
        let idem = self
            .knobs
            .get(i)
            .is_some_and(|k| k.name == "enable.idempotence");
        if idem && value == "true" && !self.sim.effective().idempotence {
            return format!("{value} ({})", tr(self.lang, "knobs.idempotence_off"));
        }
        value
    }

    /// The knob's current value as text.
    pub fn knob_value(&self, i: usize) -> String {
        let Some(name) = self.knobs.get(i).map(|k| k.name.as_str()) else {
            return String::new();
        };
        if name == RATE {
            let r = self.sim.workload().rate;
            return if r.fract() == 0.0 {
                format!("{r:.0}")
            } else {
                r.to_string()
            };
        }
        self.sim.config().get(name).unwrap_or_default()
    }

    /// A typed rate, checked here so the refusal speaks of the knob: `Workload::validate`'s
    /// message names the `--rate` flag, which the TUI has no use for.
    fn parse_rate(value: &str) -> Result<f64, Said> {
        value
            .parse::<f64>()
            .ok()
            .filter(|r| r.is_finite() && (0.0..=Workload::MAX_RATE).contains(r))
            .ok_or_else(|| {
                Said::new(|lang| {
                    crate::i18n::trf(
                        lang,
                        "knobs.rate_refused",
                        &[
                            ("value", value),
                            ("max", &format!("{}", Workload::MAX_RATE)),
                        ],
                    )
                })
            })
    }

    pub(super) fn set_knob(&mut self, name: &str, value: &str) {
        let rate = if name == RATE {
            match Self::parse_rate(value) {
                Ok(rate) => Some(rate),
                Err(refusal) => {
                    self.status = Some((Level::Bad, refusal));
                    return;
                }
            }
        } else {
            None
        };
        if let Some(st) = &mut self.lesson {
            let previous = st.overrides.insert(name.to_string(), value.to_string());
            let step = st.current().clone();
            if let Err(e) =
                crate::lesson::check::step_sim_with(&st.lesson, &step, &st.overrides, &[])
            {
                match previous {
                    Some(p) => st.overrides.insert(name.to_string(), p),
                    None => st.overrides.remove(name),
                };
                let said = Said::new(|lang| self.refusal(lang, name, value, rate, &e));
                self.status = Some((Level::Bad, said));
                return;
            }
            self.restart_step();
            self.say(Level::Good, |lang| {
                trf(
                    lang,
                    "apply.step_restarts",
                    &[("name", name), ("value", value)],
                )
            });
            return;
        }
        let command = match rate {
            Some(rate) => Command::SetRate { rate },
            None => Command::Set {
                name: name.to_string(),
                value: value.to_string(),
            },
        };
        let t = self.sim.now();
        let t = t.to_string();
        let args = [("name", name), ("value", value), ("t", t.as_str())];
        match self.apply_command(command.clone()) {
            Ok(Applied::ProducerRestarted) => {
                self.say(Level::Warn, |lang| {
                    trf(lang, "apply.producer_restarted", &args)
                });
                self.mirror_command(&command);
            }
            Ok(Applied::Live) => {
                self.say(Level::Good, |lang| trf(lang, "apply.live", &args));
                self.mirror_command(&command);
            }
            Err(e) => {
                let said = Said::new(|lang| self.refusal(lang, name, value, rate, &e));
                self.status = Some((Level::Bad, said));
            }
        }
        self.tell_new_future();
    }

    /// The status line for a refused value. A value the setting itself refuses is said in
    /// the reader's language; a refusal by the checks across settings keeps its English.
    fn refusal(
        &self,
        lang: Lang,
        name: &str,
        value: &str,
        rate: Option<f64>,
        error: &str,
    ) -> String {
        let mut probe = self.sim.config().clone();
        let reason = match (rate, probe.set(name, value)) {
            (None, Err(set)) => crate::i18n::describe::set_error(lang, &set),
            _ => error.to_string(),
        };
        crate::i18n::trf(lang, "status.refused", &[("reason", &reason)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_walk_the_list_and_snap_unlisted_values() {
        let linger = KNOBS.iter().find(|k| k.name == "linger.ms").unwrap();
        assert_eq!(step(linger, "5", true), "10");
        assert_eq!(step(linger, "5", false), "1");
        assert_eq!(step(linger, "1000", true), "1000");
        assert_eq!(step(linger, "0", false), "0");
        assert_eq!(step(linger, "7", true), "10");
        assert_eq!(step(linger, "7", false), "5");
        let acks = KNOBS.iter().find(|k| k.name == "acks").unwrap();
        assert_eq!(step(acks, "1", true), "all");
    }

    #[test]
    fn every_knob_but_rate_is_a_setting() {
        for k in KNOBS {
            assert!(
                k.name == RATE || crate::sim::config::find_setting(k.name).is_some(),
                "{}",
                k.name
            );
            let mut cfg = crate::sim::Config::default();
            for s in k.steps {
                if k.name != RATE {
                    cfg.set(k.name, s)
                        .unwrap_or_else(|e| panic!("{}={s}: {e}", k.name));
                }
            }
        }
    }
}
