//! Commands: everything from outside (keys, lesson scripts, CLI flags) that changes
//! the simulation. Each takes effect at the virtual time it is applied, so a seed
//! plus the command log replays a session exactly.

use super::time::{SimDuration, parse_duration};
use super::trace::BrokerId;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Change a setting by its Kafka name.
    Set {
        name: String,
        value: String,
    },
    /// Change the application's send rate (records per second, 0 = unlimited).
    SetRate {
        rate: f64,
    },
    Fault {
        fault: Fault,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "fault", rename_all = "kebab-case")]
pub enum Fault {
    KillBroker {
        broker: BrokerId,
    },
    RestartBroker {
        broker: BrokerId,
    },
    /// Kill whichever broker leads the partition at that moment.
    KillLeader {
        partition: u32,
    },
    /// The next `count` produce responses from `broker` (any broker if none) are lost.
    DropResponses {
        broker: Option<BrokerId>,
        count: u32,
    },
    /// The next `count` produce batches led by `broker` (any broker if none) are refused with
    /// NOT_ENOUGH_REPLICAS before anything is written: a transient, retriable error.
    RejectProduce {
        broker: Option<BrokerId>,
        count: u32,
    },
    /// Cut a broker off from everyone (no RST: requests time out).
    IsolateBroker {
        broker: BrokerId,
    },
    HealBroker {
        broker: BrokerId,
    },
    /// Add one-way latency between the producer and a broker.
    SlowLink {
        broker: BrokerId,
        extra_ms: u64,
    },
    /// Add one-way latency between a broker and every other broker (its replication lags).
    SlowFollower {
        broker: BrokerId,
        extra_ms: u64,
    },
    /// A consumer's process dies mid-loop (whatever it was processing is half done).
    CrashConsumer {
        consumer: u32,
    },
    /// A new instance of that consumer starts and joins the group.
    RestartConsumer {
        consumer: u32,
    },
    /// The application dies: records in the accumulator are never sent.
    CrashProducer,
    /// `close(Duration.ZERO)`: incomplete batches fail with "Producer is closed forcefully".
    CloseProducer,
}

/// The fault names `--fault` accepts, with their argument.
pub const FAULT_HELP: &str = "kill-broker:B, restart-broker:B, kill-leader:P, drop-responses:N[:B], \
reject-produce:N[:B], isolate-broker:B, heal-broker:B, slow-link:B:MS, slow-follower:B:MS, crash-consumer[:C], restart-consumer[:C], \
crash-producer, close-producer";

/// Every fault's form: its name, how it is written, and how many arguments it takes
/// (fewest, most). Anything past the most is refused rather than ignored, so a typo such as
/// `kill-broker:0:1` cannot pass for a different fault.
const FORMS: &[(&str, &str, usize, usize)] = &[
    ("kill-broker", "kill-broker:B", 1, 1),
    ("restart-broker", "restart-broker:B", 1, 1),
    ("kill-leader", "kill-leader:P", 1, 1),
    ("drop-responses", "drop-responses:N[:B]", 0, 2),
    ("reject-produce", "reject-produce:N[:B]", 0, 2),
    ("isolate-broker", "isolate-broker:B", 1, 1),
    ("heal-broker", "heal-broker:B", 1, 1),
    ("slow-link", "slow-link:B:MS", 2, 2),
    ("slow-follower", "slow-follower:B:MS", 2, 2),
    ("crash-consumer", "crash-consumer[:C]", 0, 1),
    ("restart-consumer", "restart-consumer[:C]", 0, 1),
    ("crash-producer", "crash-producer", 0, 0),
    ("close-producer", "close-producer", 0, 0),
];

/// The most extra one-way latency `slow-link` / `slow-follower` add: one hour of virtual
/// time. Kafka gives up on a request long before (request.timeout.ms is 30 s and
/// delivery.timeout.ms 120 s by default), so a longer delay teaches nothing a cut link
/// (`isolate-broker`) does not, and the bound keeps µs arithmetic far from overflow.
pub const MAX_EXTRA_LATENCY_MS: u64 = 3_600_000;

/// The most responses `drop-responses` / `reject-produce` affect in one go: far more than any
/// lesson or classroom run needs; a larger number is a typo, not a scenario.
pub const MAX_FAULT_COUNT: u64 = 1_000_000;

/// Splits `ACTION[:ARG...]` and checks the number of arguments against the action's form.
fn split_fault(text: &str) -> Result<(&'static str, Vec<&str>), String> {
    let mut parts = text.split(':');
    let action = parts.next().unwrap_or("").trim();
    let args: Vec<&str> = parts.map(str::trim).collect();
    let Some(&(name, usage, min, max)) = FORMS.iter().find(|f| f.0 == action) else {
        return Err(format!("unknown fault '{action}' (accepted: {FAULT_HELP})"));
    };
    if args.len() > max {
        let extra = args[max..].join(":");
        let takes = match max {
            0 => "takes no argument".to_string(),
            1 => "takes one argument".to_string(),
            n => format!("takes at most {n} arguments"),
        };
        return Err(format!("unexpected '{extra}': {name} {takes} ({usage})"));
    }
    if args.len() < min {
        let what = match args.len() {
            0 => "an argument".to_string(),
            n => format!("{min} arguments, not {n}"),
        };
        return Err(format!("{name} needs {what} ({usage})"));
    }
    Ok((name, args))
}

impl Fault {
    /// Parses `ACTION[:ARG]`, checking targets against the topology and numbers against
    /// their bounds. Errors say what is wrong, not which text: the caller quotes the input it
    /// had (`--fault '1s:kill-broker:9'`, a lesson's `command 'kill-broker:9'`).
    pub fn parse(
        text: &str,
        brokers: u32,
        partitions: u32,
        consumers: u32,
    ) -> Result<Fault, String> {
        let (action, args) = split_fault(text)?;
        let num = |i: usize, what: &str| -> Result<u64, String> {
            let a = args
                .get(i)
                .ok_or_else(|| format!("{action} needs {what}"))?;
            a.parse::<u64>().map_err(|_| format!("'{a}' is not {what}"))
        };
        let bounded = |i: usize, what: &str, min: u64, max: u64| -> Result<u64, String> {
            let n = num(i, what)?;
            if n < min || n > max {
                return Err(format!(
                    "{n} is out of range for {what} (accepted: {min} to {max})"
                ));
            }
            Ok(n)
        };
        let broker = |i: usize| -> Result<BrokerId, String> {
            let b = num(i, "a broker id")?;
            if b >= u64::from(brokers) {
                return Err(format!(
                    "there is no broker {b} (brokers are 0 to {})",
                    brokers.saturating_sub(1)
                ));
            }
            Ok(b as BrokerId)
        };
        let consumer = |i: usize| -> Result<u32, String> {
            let c = if args.len() > i {
                num(i, "a consumer number")?
            } else {
                0
            };
            if c >= u64::from(consumers) {
                return Err(if consumers == 0 {
                    "there is no consumer (set consumers=1 or more)".to_string()
                } else {
                    format!(
                        "there is no consumer {c} (consumers are 0 to {})",
                        consumers - 1
                    )
                });
            }
            Ok(c as u32)
        };
        let latency = |i: usize| bounded(i, "a number of milliseconds", 0, MAX_EXTRA_LATENCY_MS);
        let fault = match action {
            "kill-broker" => Fault::KillBroker { broker: broker(0)? },
            "restart-broker" => Fault::RestartBroker { broker: broker(0)? },
            "kill-leader" => {
                let p = num(0, "a partition number")?;
                if p >= u64::from(partitions) {
                    return Err(format!(
                        "there is no partition {p} (partitions are 0 to {})",
                        partitions.saturating_sub(1)
                    ));
                }
                Fault::KillLeader {
                    partition: p as u32,
                }
            }
            "drop-responses" | "reject-produce" => {
                // N[:B]: how many (default 1) and on which broker (default any).
                let count = if args.is_empty() {
                    1
                } else {
                    bounded(0, "a count", 1, MAX_FAULT_COUNT)?
                };
                let count = count as u32;
                let broker = if args.len() > 1 {
                    Some(broker(1)?)
                } else {
                    None
                };
                if action == "drop-responses" {
                    Fault::DropResponses { broker, count }
                } else {
                    Fault::RejectProduce { broker, count }
                }
            }
            "isolate-broker" => Fault::IsolateBroker { broker: broker(0)? },
            "heal-broker" => Fault::HealBroker { broker: broker(0)? },
            "slow-link" => Fault::SlowLink {
                broker: broker(0)?,
                extra_ms: latency(1)?,
            },
            "slow-follower" => Fault::SlowFollower {
                broker: broker(0)?,
                extra_ms: latency(1)?,
            },
            "crash-consumer" => Fault::CrashConsumer {
                consumer: consumer(0)?,
            },
            "restart-consumer" => Fault::RestartConsumer {
                consumer: consumer(0)?,
            },
            "crash-producer" => Fault::CrashProducer,
            "close-producer" => Fault::CloseProducer,
            // FORMS and this match list the same names (a test keeps them so).
            other => {
                return Err(format!("unknown fault '{other}' (accepted: {FAULT_HELP})"));
            }
        };
        Ok(fault)
    }
}

impl Fault {
    /// The fault written back in `--fault` syntax (`kill-leader:0`, `drop-responses:3:1`):
    /// `Fault::parse` reads it back to the same fault (a saved session replays it).
    pub fn spec(&self) -> String {
        match self {
            Fault::KillBroker { broker } => format!("kill-broker:{broker}"),
            Fault::RestartBroker { broker } => format!("restart-broker:{broker}"),
            Fault::KillLeader { partition } => format!("kill-leader:{partition}"),
            Fault::DropResponses { broker, count } => counted("drop-responses", *count, *broker),
            Fault::RejectProduce { broker, count } => counted("reject-produce", *count, *broker),
            Fault::IsolateBroker { broker } => format!("isolate-broker:{broker}"),
            Fault::HealBroker { broker } => format!("heal-broker:{broker}"),
            Fault::SlowLink { broker, extra_ms } => format!("slow-link:{broker}:{extra_ms}"),
            Fault::SlowFollower { broker, extra_ms } => {
                format!("slow-follower:{broker}:{extra_ms}")
            }
            Fault::CrashConsumer { consumer } => format!("crash-consumer:{consumer}"),
            Fault::RestartConsumer { consumer } => format!("restart-consumer:{consumer}"),
            Fault::CrashProducer => "crash-producer".to_string(),
            Fault::CloseProducer => "close-producer".to_string(),
        }
    }
}

/// `NAME:N[:B]`.
fn counted(name: &str, count: u32, broker: Option<BrokerId>) -> String {
    match broker {
        Some(b) => format!("{name}:{count}:{b}"),
        None => format!("{name}:{count}"),
    }
}

/// Parses `--fault AT:ACTION[:ARG]`, e.g. `500ms:kill-leader:0`.
pub fn parse_timed_fault(
    text: &str,
    brokers: u32,
    partitions: u32,
    consumers: u32,
) -> Result<(SimDuration, Fault), String> {
    let Some((at, rest)) = text.split_once(':') else {
        return Err("must look like AT:ACTION[:ARG], e.g. 500ms:kill-leader:0".to_string());
    };
    let at = parse_duration(at)?;
    Ok((at, Fault::parse(rest, brokers, partitions, consumers)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_faults() {
        assert_eq!(
            parse_timed_fault("500ms:kill-leader:0", 3, 3, 1),
            Ok((
                SimDuration::from_millis(500),
                Fault::KillLeader { partition: 0 }
            ))
        );
        assert_eq!(
            parse_timed_fault("300ms:drop-responses:3", 3, 3, 1),
            Ok((
                SimDuration::from_millis(300),
                Fault::DropResponses {
                    broker: None,
                    count: 3
                }
            ))
        );
        assert_eq!(
            parse_timed_fault("2s:restart-broker:1", 3, 3, 1).map(|f| f.1),
            Ok(Fault::RestartBroker { broker: 1 })
        );
    }

    #[test]
    fn rejects_bad_faults() {
        let e = parse_timed_fault("1s:kill-broker:7", 3, 3, 1).unwrap_err();
        assert!(e.contains("no broker 7") && e.contains("0 to 2"), "{e}");
        let e = parse_timed_fault("1s:explode", 3, 3, 1).unwrap_err();
        assert!(
            e.contains("unknown fault 'explode'") && e.contains("kill-leader"),
            "{e}"
        );
        let e = parse_timed_fault("soon:kill-broker:1", 3, 3, 1).unwrap_err();
        assert!(e.contains("not a duration"), "{e}");
        assert!(parse_timed_fault("kill-broker", 3, 3, 1).is_err());
        assert!(parse_timed_fault("1s:kill-leader:x", 3, 3, 1).is_err());
    }

    #[test]
    fn extra_arguments_are_refused_for_every_fault() {
        for &(name, usage, _, max) in FORMS {
            // The fullest valid form, then one argument more.
            let args = ["1", "1"][..max].join(":");
            let full = if args.is_empty() {
                name.to_string()
            } else {
                format!("{name}:{args}")
            };
            let parsed = Fault::parse(&full, 3, 3, 2);
            assert!(parsed.is_ok(), "{full}: {parsed:?}");
            let e = Fault::parse(&format!("{full}:extra"), 3, 3, 2).unwrap_err();
            assert!(
                e.contains("unexpected 'extra'") && e.contains(usage),
                "{name}: {e}"
            );
            assert!(FAULT_HELP.contains(usage), "FAULT_HELP lacks {usage}");
        }
        let e = parse_timed_fault("1s:crash-producer:5", 3, 3, 1).unwrap_err();
        assert!(e.contains("takes no argument"), "{e}");
        let e = parse_timed_fault("1s:kill-broker:0:extra", 3, 3, 1).unwrap_err();
        assert!(e.contains("takes one argument"), "{e}");
        let e = parse_timed_fault("1s:slow-link:0", 3, 3, 1).unwrap_err();
        assert!(e.contains("needs 2 arguments, not 1"), "{e}");
    }

    #[test]
    fn numbers_are_bounded() {
        let e = parse_timed_fault("1s:slow-link:0:18446744073709551615", 3, 3, 1).unwrap_err();
        assert!(e.contains("accepted: 0 to 3600000"), "{e}");
        let e = parse_timed_fault("1s:slow-follower:0:3600001", 3, 3, 1).unwrap_err();
        assert!(e.contains("3600001 is out of range"), "{e}");
        assert!(parse_timed_fault("1s:slow-follower:0:3600000", 3, 3, 1).is_ok());
        assert!(parse_timed_fault("1s:slow-follower:0:0", 3, 3, 1).is_ok());
        let e = parse_timed_fault("1s:drop-responses:0", 3, 3, 1).unwrap_err();
        assert!(e.contains("accepted: 1 to 1000000"), "{e}");
        let e = parse_timed_fault("1s:reject-produce:99999999999:1", 3, 3, 1).unwrap_err();
        assert!(e.contains("accepted: 1 to 1000000"), "{e}");
    }
    #[test]
    fn spec_writes_back_what_parse_reads() {
        let all = [
            Fault::KillBroker { broker: 2 },
            Fault::RestartBroker { broker: 1 },
            Fault::KillLeader { partition: 2 },
            Fault::DropResponses {
                broker: None,
                count: 3,
            },
            Fault::DropResponses {
                broker: Some(1),
                count: 1,
            },
            Fault::RejectProduce {
                broker: None,
                count: 7,
            },
            Fault::RejectProduce {
                broker: Some(0),
                count: 2,
            },
            Fault::IsolateBroker { broker: 0 },
            Fault::HealBroker { broker: 2 },
            Fault::SlowLink {
                broker: 1,
                extra_ms: 250,
            },
            Fault::SlowFollower {
                broker: 0,
                extra_ms: 0,
            },
            Fault::CrashConsumer { consumer: 1 },
            Fault::RestartConsumer { consumer: 0 },
            Fault::CrashProducer,
            Fault::CloseProducer,
        ];
        // Every form of FORMS is covered.
        for &(name, ..) in FORMS {
            assert!(
                all.iter().any(|f| f.spec().split(':').next() == Some(name)),
                "{name}"
            );
        }
        for f in all {
            assert_eq!(
                Fault::parse(&f.spec(), 3, 3, 2),
                Ok(f.clone()),
                "{}",
                f.spec()
            );
        }
    }
}
