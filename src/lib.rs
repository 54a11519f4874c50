//! kafka-flow: a deterministic simulation of Apache Kafka's producer, brokers and
//! consumer (`sim`), a headless command line (`cli`, `headless`) and a terminal UI
//! (`app` state, `ui` rendering, `tui` terminal and event loop).

pub mod app;
pub mod cli;
pub mod compare;
pub mod course;
pub mod headless;
pub mod i18n;
pub mod lesson;
pub mod report;
pub mod scenario;
pub mod scenarios;
pub mod serve;
pub mod sim;
pub mod sweep;
pub mod tui;
pub mod ui;
