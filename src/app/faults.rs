//! A fault in the current language, for the fault menu and the status line (the
//! simulation's own `Display` is the English of the headless run and the trace).

use crate::i18n::{Lang, trf};
use crate::sim::command::Fault;

/// The fault in words: `kill broker 1` / `杀掉 Broker 1`.
pub fn fault_text(lang: Lang, fault: &Fault) -> String {
    let (key, args): (&str, Vec<(&str, String)>) = match *fault {
        Fault::KillBroker { broker } => ("fault.kill_broker", vec![("b", broker.to_string())]),
        Fault::RestartBroker { broker } => {
            ("fault.restart_broker", vec![("b", broker.to_string())])
        }
        Fault::KillLeader { partition } => {
            ("fault.kill_leader", vec![("p", partition.to_string())])
        }
        Fault::DropResponses { broker, count } => match broker {
            Some(b) => (
                "fault.drop_acks_from",
                vec![("n", count.to_string()), ("b", b.to_string())],
            ),
            None => ("fault.drop_acks", vec![("n", count.to_string())]),
        },
        Fault::RejectProduce { broker, count } => match broker {
            Some(b) => (
                "fault.reject_produce_on",
                vec![("n", count.to_string()), ("b", b.to_string())],
            ),
            None => ("fault.reject_produce", vec![("n", count.to_string())]),
        },
        Fault::IsolateBroker { broker } => {
            ("fault.isolate_broker", vec![("b", broker.to_string())])
        }
        Fault::HealBroker { broker } => ("fault.heal_broker", vec![("b", broker.to_string())]),
        Fault::SlowLink { broker, extra_ms } => (
            "fault.slow_link",
            vec![("b", broker.to_string()), ("ms", extra_ms.to_string())],
        ),
        Fault::SlowFollower { broker, extra_ms } => (
            "fault.slow_follower",
            vec![("b", broker.to_string()), ("ms", extra_ms.to_string())],
        ),
        Fault::CrashConsumer { consumer } => {
            ("fault.crash_consumer", vec![("c", consumer.to_string())])
        }
        Fault::RestartConsumer { consumer } => {
            ("fault.restart_consumer", vec![("c", consumer.to_string())])
        }
        Fault::CrashProducer => ("fault.crash_producer", Vec::new()),
        Fault::CloseProducer => ("fault.close_producer", Vec::new()),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    trf(lang, key, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_fault() -> Vec<Fault> {
        vec![
            Fault::KillBroker { broker: 1 },
            Fault::RestartBroker { broker: 1 },
            Fault::KillLeader { partition: 2 },
            Fault::DropResponses {
                broker: None,
                count: 3,
            },
            Fault::DropResponses {
                broker: Some(1),
                count: 3,
            },
            Fault::RejectProduce {
                broker: None,
                count: 2,
            },
            Fault::RejectProduce {
                broker: Some(0),
                count: 2,
            },
            Fault::IsolateBroker { broker: 2 },
            Fault::HealBroker { broker: 2 },
            Fault::SlowLink {
                broker: 1,
                extra_ms: 50,
            },
            Fault::SlowFollower {
                broker: 0,
                extra_ms: 50,
            },
            Fault::CrashConsumer { consumer: 1 },
            Fault::RestartConsumer { consumer: 1 },
            Fault::CrashProducer,
            Fault::CloseProducer,
        ]
    }

    #[test]
    fn english_is_the_simulations_own_words() {
        for f in every_fault() {
            assert_eq!(fault_text(Lang::En, &f), f.to_string());
        }
    }

    #[test]
    fn chinese_fills_every_placeholder() {
        for f in every_fault() {
            let zh = fault_text(Lang::Zh, &f);
            assert!(!zh.contains('{'), "{zh}");
            assert_ne!(zh, f.to_string());
        }
    }
}
