//! `kafka-flow serve`: real Kafka clients on the embedded brokers. One loopback listener
//! per simulated broker speaks the Kafka protocol; every request becomes an event in the
//! one simulated cluster, in live time (virtual time follows the wall clock at 1×).
//!
//! Threads: one per listener and per connection (blocking sockets), one reading the
//! control input, one waiting for signals; the world (`world.rs`) owns the simulation on
//! the calling thread. See docs/serve.md.

mod api;
mod consumer_protocol;
mod fetch;
pub mod group;
mod group_api;
mod group_log;
pub mod log;
pub mod net;
mod produce;
pub mod records;
mod retries;
mod shape;
mod shared_group;
pub mod verdict;
pub mod view;
pub mod wire;
pub mod world;

use crate::i18n::Lang;
use crate::sim::Sim;
use log::Log;
use net::{BrokersUp, ToWorld};
use std::io::BufRead;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use world::World;

/// The default listener: broker 0 at Kafka's usual port, the others after it.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9092";

/// How `serve` was asked to run.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// The topic's name; `None` lets the first client name it.
    pub topic: Option<String>,
    pub lang: Lang,
}

/// Parses `--listen HOST:PORT`. Anything but a loopback address must be asked for in full
/// (`--listen 0.0.0.0:9092`), which this accepts: the choice is the user's.
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    let with_host = if text.starts_with(':') {
        format!("127.0.0.1{text}")
    } else {
        text.to_string()
    };
    with_host.parse::<SocketAddr>().map_err(|_| {
        format!("--listen '{text}' is not HOST:PORT (e.g. 127.0.0.1:9092, or 127.0.0.1:0 for free ports)")
    })
}

/// A running server: its brokers' addresses, a way to send it control lines, its thread.
pub struct Server {
    pub addrs: Vec<SocketAddr>,
    control: mpsc::Sender<ToWorld>,
    world: std::thread::JoinHandle<()>,
}

impl Server {
    /// A control line, as typed on `serve`'s standard input (`kill-broker:1`, `stats`, `quit`).
    pub fn control(&self, line: &str) {
        let _ = self.control.send(ToWorld::Control(line.to_string()));
    }

    /// Stops it (`quit`) and waits for its summary.
    pub fn stop(self) {
        self.control("quit");
        let _ = self.world.join();
    }

    /// Waits until something else stops it.
    pub fn wait(self) {
        let _ = self.world.join();
    }
}

/// Binds the listeners, says where in `log`, and accepts connections: the world that will
/// answer them, and the channel the sockets write to.
fn open(
    brokers: u32,
    opts: &ServeOptions,
    mut log: Log,
    headless: bool,
) -> Result<(World, mpsc::Sender<ToWorld>, mpsc::Receiver<ToWorld>), String> {
    let listeners = net::bind(opts.listen, brokers)?;
    let addrs: Vec<SocketAddr> = listeners
        .iter()
        .map(|l| l.local_addr().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let up: BrokersUp = Arc::new((0..brokers).map(|_| AtomicBool::new(true)).collect());
    for (b, a) in addrs.iter().enumerate() {
        log.listening(b as u32, *a);
    }
    let (tx, rx) = mpsc::channel::<ToWorld>();
    net::spawn_acceptors(listeners, &up, &tx);
    Ok((
        World::new(addrs, up, opts.topic.clone(), log, headless),
        tx,
        rx,
    ))
}

/// Binds the listeners, prints where, and serves on a thread of its own.
pub fn start(
    sim: Sim,
    opts: &ServeOptions,
    out: Box<dyn std::io::Write + Send>,
) -> Result<Server, String> {
    let log = Log::new(opts.lang, out);
    let (mut world, tx, rx) = open(sim.config().topology.brokers, opts, log, true)?;
    world.log.ready();
    let addrs = world.addrs().to_vec();
    let mut sim = sim;
    sim.keep_replica_logs();
    let world = std::thread::spawn(move || {
        world.run(&mut sim, &rx);
        world.finish(&sim);
    });
    Ok(Server {
        addrs,
        control: tx,
        world,
    })
}

/// The TUI's listeners (`kafka-flow --listen`): bound and accepting, with the world the
/// app pumps every frame (`World::pump` with its own simulation) and the channel it reads.
/// Log lines are kept for the app to show (`World::log_lines`).
pub fn listen(
    brokers: u32,
    opts: &ServeOptions,
) -> Result<(World, mpsc::Receiver<ToWorld>), String> {
    let (world, _tx, rx) = open(brokers, opts, Log::kept(opts.lang), false)?;
    Ok((world, rx))
}

/// `kafka-flow serve`: starts, takes control lines on standard input and stops on `quit`,
/// SIGINT or SIGTERM.
pub fn serve(
    sim: Sim,
    opts: &ServeOptions,
    out: Box<dyn std::io::Write + Send>,
) -> Result<(), String> {
    let server = start(sim, opts, out)?;
    spawn_control(server.control.clone());
    spawn_signals(server.control.clone());
    server.wait();
    Ok(())
}

/// Lines on standard input are control commands. At its end (input from /dev/null, a
/// closed pipe) the server keeps serving: only `quit` or a signal stops it.
fn spawn_control(tx: mpsc::Sender<ToWorld>) {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(ToWorld::Control(line)).is_err() {
                break;
            }
        }
    });
}

/// SIGINT and SIGTERM stop the server cleanly (the summary is printed).
fn spawn_signals(tx: mpsc::Sender<ToWorld>) {
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut term), Ok(mut int)) = (
                    signal(SignalKind::terminate()),
                    signal(SignalKind::interrupt()),
                ) else {
                    return;
                };
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        });
        let _ = tx.send(ToWorld::Control("quit".to_string()));
    });
}

impl World {
    /// Answers what is still parked and prints the real producers' summary.
    fn finish(&mut self, sim: &Sim) {
        self.serve_fetches(sim, true);
        let s = self.stats;
        self.log
            .summary(s.client_records, s.client_batches, s.produce_requests);
        self.judge(sim, true);
        let v = self.last_verdicts();
        self.log.verdicts(&v);
    }
}
