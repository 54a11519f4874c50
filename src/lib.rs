//! kafka-flow: a deterministic simulation of Apache Kafka's producer path and
//! brokers (`sim`), with a headless command line (`cli`, `headless`).

pub mod cli;
pub mod headless;
pub mod sim;
