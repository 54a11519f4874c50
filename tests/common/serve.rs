//! `kafka-flow serve` in the test's process: a world on free loopback ports, with what it
//! writes kept for the test.

use kafka_flow::headless;
use kafka_flow::i18n::Lang;
use kafka_flow::scenario::{WorkloadSpec, WorldOptions};
use kafka_flow::serve::{self, ServeOptions, Server};
use std::time::Duration;

/// What the server wrote, shared with the test.
#[derive(Clone, Default)]
pub struct Out(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Out {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Out {
    /// The last `stats` line's JSON, waiting for it a little.
    pub fn stats(&self, server: &Server) -> serde_json::Value {
        let before = self.text().matches("stats ").count();
        server.control("stats");
        for _ in 0..200 {
            let text = self.text();
            if text.matches("stats ").count() > before {
                let line = text
                    .lines()
                    .rev()
                    .find(|l| l.starts_with("stats "))
                    .unwrap();
                return serde_json::from_str(&line["stats ".len()..]).unwrap();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no stats line:\n{}", self.text());
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A server on free loopback ports: no simulated producer or consumer, the topic `first`,
/// `extra` settings on top; what it writes goes to `out`.
pub fn start_with(extra: &[&str], out: Out) -> Server {
    let world = WorldOptions {
        set: ["consumers=0"]
            .iter()
            .chain(extra)
            .map(|s| (*s).to_string())
            .collect(),
        ..WorldOptions::default()
    };
    let workload = WorkloadSpec {
        records: 0,
        rate: 100.0,
        ..WorkloadSpec::notes_loop()
    };
    let sim = headless::scenario(&world, &workload, &[])
        .unwrap()
        .build()
        .unwrap();
    let opts = ServeOptions {
        listen: serve::parse_listen("127.0.0.1:0").unwrap(),
        topic: Some("first".to_string()),
        lang: Lang::En,
    };
    serve::start(sim, &opts, Box::new(out)).unwrap()
}
