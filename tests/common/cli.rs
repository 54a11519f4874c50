//! The real binary, as the CLI tests run it: English whatever the machine's `LANG`, no
//! terminal on stdin or stdout (so the TUI never starts).

use serde_json::Value;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_kafka-flow");

pub fn kafka_flow(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("LANG", "C")
        .stdin(Stdio::null())
        .output()
        .expect("the kafka-flow binary runs")
}

/// Runs `args`, expects exit code 0, returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = kafka_flow(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "kafka-flow {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// [`ok`], parsed as JSON.
pub fn ok_json(args: &[&str]) -> Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{text}"))
}
