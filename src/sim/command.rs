//! Commands: everything from outside (keys, lesson scripts, CLI flags) that changes
//! the simulation. Each takes effect at the virtual time it is applied, so a seed
//! plus the command log replays a session exactly.

use super::time::{SimDuration, parse_duration};
use super::trace::BrokerId;
use serde::Serialize;
use std::fmt;

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

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::KillBroker { broker } => write!(f, "kill broker {broker}"),
            Fault::RestartBroker { broker } => write!(f, "restart broker {broker}"),
            Fault::KillLeader { partition } => {
                write!(f, "kill the leader of partition {partition}")
            }
            Fault::DropResponses {
                broker: Some(b),
                count,
            } => {
                write!(f, "drop the next {count} produce responses from broker {b}")
            }
            Fault::DropResponses {
                broker: None,
                count,
            } => {
                write!(f, "drop the next {count} produce responses")
            }
            Fault::RejectProduce {
                broker: Some(b),
                count,
            } => {
                write!(
                    f,
                    "refuse the next {count} produce batches on broker {b} (NOT_ENOUGH_REPLICAS)"
                )
            }
            Fault::RejectProduce {
                broker: None,
                count,
            } => {
                write!(
                    f,
                    "refuse the next {count} produce batches (NOT_ENOUGH_REPLICAS)"
                )
            }
            Fault::IsolateBroker { broker } => write!(f, "isolate broker {broker}"),
            Fault::HealBroker { broker } => write!(f, "reconnect broker {broker}"),
            Fault::SlowLink { broker, extra_ms } => {
                write!(f, "add {extra_ms} ms latency to broker {broker}")
            }
            Fault::SlowFollower { broker, extra_ms } => {
                write!(f, "slow broker {broker}'s replication by {extra_ms} ms")
            }
            Fault::CrashConsumer { consumer } => write!(f, "crash consumer {consumer}"),
            Fault::RestartConsumer { consumer } => write!(f, "restart consumer {consumer}"),
            Fault::CrashProducer => f.write_str("crash the producer"),
            Fault::CloseProducer => f.write_str("force-close the producer"),
        }
    }
}

/// The fault names `--fault` accepts, with their argument.
pub const FAULT_HELP: &str = "kill-broker:B, restart-broker:B, kill-leader:P, drop-responses:N[:B], \
reject-produce:N[:B], isolate-broker:B, heal-broker:B, slow-link:B:MS, slow-follower:B:MS, crash-consumer[:C], restart-consumer[:C], \
crash-producer, close-producer";

impl Fault {
    /// Parses `ACTION[:ARG]`, checking targets against the topology.
    pub fn parse(
        text: &str,
        brokers: u32,
        partitions: u32,
        consumers: u32,
    ) -> Result<Fault, String> {
        let mut parts = text.split(':');
        let action = parts.next().unwrap_or("").trim();
        let args: Vec<&str> = parts.map(str::trim).collect();
        let num = |i: usize, what: &str| -> Result<u64, String> {
            let a = args
                .get(i)
                .ok_or_else(|| format!("fault '{text}': {action} needs {what}"))?;
            a.parse::<u64>()
                .map_err(|_| format!("fault '{text}': '{a}' is not {what}"))
        };
        let broker = |i: usize| -> Result<BrokerId, String> {
            let b = num(i, "a broker id")?;
            if b >= u64::from(brokers) {
                return Err(format!(
                    "fault '{text}': there is no broker {b} (brokers are 0 to {})",
                    brokers - 1
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
                    format!("fault '{text}': there is no consumer (set consumers=1 or more)")
                } else {
                    format!(
                        "fault '{text}': there is no consumer {c} (consumers are 0 to {})",
                        consumers - 1
                    )
                });
            }
            Ok(c as u32)
        };
        let fault = match action {
            "kill-broker" => Fault::KillBroker { broker: broker(0)? },
            "restart-broker" => Fault::RestartBroker { broker: broker(0)? },
            "kill-leader" => {
                let p = num(0, "a partition number")?;
                if p >= u64::from(partitions) {
                    return Err(format!(
                        "fault '{text}': there is no partition {p} (partitions are 0 to {})",
                        partitions - 1
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
                    num(0, "a count")?
                };
                let count = count.min(u64::from(u32::MAX)) as u32;
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
                extra_ms: num(1, "a number of milliseconds")?,
            },
            "slow-follower" => Fault::SlowFollower {
                broker: broker(0)?,
                extra_ms: num(1, "a number of milliseconds")?,
            },
            "crash-consumer" => Fault::CrashConsumer {
                consumer: consumer(0)?,
            },
            "restart-consumer" => Fault::RestartConsumer {
                consumer: consumer(0)?,
            },
            "crash-producer" => Fault::CrashProducer,
            "close-producer" => Fault::CloseProducer,
            other => {
                return Err(format!("unknown fault '{other}' (accepted: {FAULT_HELP})"));
            }
        };
        Ok(fault)
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
        return Err(format!(
            "fault '{text}' must look like AT:ACTION[:ARG], e.g. 500ms:kill-leader:0"
        ));
    };
    let at = parse_duration(at).map_err(|e| format!("fault '{text}': {e}"))?;
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
}
