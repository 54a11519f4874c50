//! The one world real clients share: the simulation, in live time, and everything the
//! server keeps beside it (connections, parked requests, the records' bytes, the groups).
//! One thread owns it; the sockets talk to it through a channel.

use super::group::{Done, Groups};
use super::log::Log;
use super::net::{BrokersUp, ConnId, Reply, ToWorld};
use super::records::Payloads;
use super::wire::{self, Incoming};
use crate::sim::command::{Command, Fault};
use crate::sim::trace::RequestId;
use crate::sim::{Sim, SimTime};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseKind};
use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// The longest the world sleeps when nothing is due: a ceiling, so a control line or a
/// late clock never waits long. Otherwise it wakes for the simulation's next event, a
/// parked fetch's deadline or a group's timer, whichever is first.
const IDLE: Duration = Duration::from_millis(100);

/// An open client connection.
pub(super) struct Conn {
    pub broker: u32,
    pub peer: SocketAddr,
    stream: TcpStream,
    reply: Sender<Reply>,
}

/// Who is waiting for an answer: the connection and the request it sent.
#[derive(Clone, Debug)]
pub(super) struct Asker {
    pub conn: ConnId,
    pub correlation_id: i32,
    pub api: ApiKey,
    pub version: i16,
    /// The request header's `client.id` (a group member's id starts with it).
    pub client_id: String,
}

impl Asker {
    pub fn of(conn: ConnId, header: &RequestHeader) -> Option<Asker> {
        Some(Asker {
            conn,
            correlation_id: header.correlation_id,
            api: ApiKey::try_from(header.request_api_key).ok()?,
            version: header.request_api_version,
            client_id: header
                .client_id
                .as_ref()
                .map_or_else(String::new, |c| c.as_str().to_string()),
        })
    }
}

/// What a handler decided.
pub(super) enum Answer {
    Now(Box<ResponseKind>),
    /// Parked: the answer comes later (`World::finish`).
    Later,
    /// acks=0.
    Nothing,
}

impl Answer {
    pub fn now(resp: ResponseKind) -> Answer {
        Answer::Now(Box::new(resp))
    }
}

/// A produce request waiting for the simulated broker's answer.
pub(super) struct PendingProduce {
    pub asker: Asker,
    /// The answer, built as far as it is known: per (topic, partition), an error or the
    /// batch id whose result fills it.
    pub layout: super::produce::Layout,
    /// Per batch id: where its records are (partition, first id, count).
    pub batches: BTreeMap<u64, (u32, crate::sim::trace::RecordId, u32)>,
    /// The request's acks (1 or -1: acks=0 is never answered).
    pub acks: i16,
}

/// Everything the server keeps beside the simulation, which it borrows: the headless
/// server owns the simulation, the TUI's `App` does.
pub struct World {
    /// The simulation's clock when the world last looked (log lines are stamped with it).
    pub(super) now: SimTime,
    /// Headless: the world tells the cluster's events in its log. In the TUI the app reads
    /// the trace itself.
    headless: bool,
    pub(super) connections: BTreeMap<ConnId, Conn>,
    pub(super) addrs: Vec<SocketAddr>,
    pub(super) up: BrokersUp,
    /// The topic the world simulates: named by `--topic`, or by the first client to ask.
    pub(super) topic: Option<String>,
    pub(super) payloads: Payloads,
    pub(super) produces: BTreeMap<RequestId, PendingProduce>,
    pub(super) fetches: Vec<super::fetch::ParkedFetch>,
    pub(super) groups: Groups,
    /// Real members of the simulated consumers' group (`shared_group.rs`).
    pub(super) shared: super::shared_group::Shared,
    /// Join and sync requests parked in the groups, by waiter token.
    pub(super) group_askers: BTreeMap<u64, Asker>,
    next_waiter: u64,
    pub(super) log: Log,
    pub(super) stats: ClientStats,
    pub(super) seen: super::view::Seen,
    /// Real producers' batches seen before, to recognise a retry (`retries.rs`).
    pub(super) retries: super::retries::Retries,
    pub(super) judged: super::verdict::Judged,
    quit: bool,
}

/// What real producers did, for `stats` and the closing summary.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct ClientStats {
    pub client_batches: u64,
    pub client_records: u64,
    pub produce_requests: u64,
    pub fetch_requests: u64,
}

impl World {
    pub fn new(
        addrs: Vec<SocketAddr>,
        up: BrokersUp,
        topic: Option<String>,
        log: Log,
        headless: bool,
    ) -> World {
        World {
            now: SimTime::ZERO,
            headless,
            connections: BTreeMap::new(),
            addrs,
            up,
            topic,
            payloads: Payloads::default(),
            produces: BTreeMap::new(),
            fetches: Vec::new(),
            groups: Groups::new(),
            shared: super::shared_group::Shared::default(),
            group_askers: BTreeMap::new(),
            next_waiter: 0,
            log,
            stats: ClientStats::default(),
            seen: super::view::Seen::default(),
            retries: super::retries::Retries::default(),
            judged: super::verdict::Judged::default(),
            quit: false,
        }
    }

    /// Virtual time when the world last looked, in milliseconds (the groups' clock).
    pub(super) fn now_ms(&self) -> u64 {
        self.now.0 / 1000
    }

    pub(super) fn waiter(&mut self, asker: Asker) -> u64 {
        self.next_waiter += 1;
        self.group_askers.insert(self.next_waiter, asker);
        self.next_waiter
    }

    /// Serves until `quit` (or the channel closes), in live time: virtual time is the wall
    /// clock since the call, at 1×, so a client's timeouts mean what they say.
    pub fn run(&mut self, sim: &mut Sim, rx: &Receiver<ToWorld>) {
        let epoch = Instant::now();
        let live = |sim: &mut Sim| {
            let now = SimTime(epoch.elapsed().as_micros() as u64);
            if now > sim.now() {
                sim.advance_to(now);
            }
        };
        while !self.quit {
            let wait = self.idle_for(sim, SimTime(epoch.elapsed().as_micros() as u64));
            match rx.recv_timeout(wait) {
                Ok(msg) => {
                    live(sim);
                    self.settle(sim);
                    self.on_message(sim, msg);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            live(sim);
            self.settle(sim);
        }
        self.close_all();
    }

    /// How long nothing is due, from `now`: until the simulation's next event, a parked
    /// fetch's `max.wait.ms` or a group's timer, at most `IDLE`.
    fn idle_for(&self, sim: &Sim, now: SimTime) -> Duration {
        let mut next = now.0 + IDLE.as_micros() as u64;
        if let Some(t) = sim.next_event_time() {
            next = next.min(t.0);
        }
        if let Some(ms) = self.next_fetch_deadline() {
            next = next.min(ms.saturating_mul(1000));
        }
        if let Some(ms) = self.groups.next_deadline() {
            next = next.min(ms.saturating_mul(1000));
        }
        Duration::from_micros(next.saturating_sub(now.0))
    }

    /// Takes what the sockets sent without waiting, at the simulation's current time (the
    /// TUI calls it every frame; its own clock moves the simulation). Returns whether
    /// anything happened.
    pub fn pump(&mut self, sim: &mut Sim, rx: &Receiver<ToWorld>) -> bool {
        let mut any = false;
        while let Ok(msg) = rx.try_recv() {
            self.settle(sim);
            self.on_message(sim, msg);
            any = true;
        }
        self.settle(sim);
        any
    }

    /// Delivers what the simulation did up to its clock: produce answers, fetches whose
    /// data arrived, group timers, brokers that died or came back.
    pub fn settle(&mut self, sim: &mut Sim) {
        self.now = sim.now();
        if self.headless {
            for rec in sim.drain_trace() {
                self.log.event(rec.t, &rec.event);
            }
        }
        for reply in sim.take_client_replies() {
            self.finish_produce(sim, reply);
        }
        self.check_brokers(sim);
        self.serve_fetches(sim, false);
        self.shared_replies(sim);
        self.judge(sim, false);
        let done = self.groups.tick(self.now_ms());
        self.finish_groups(done);
        for e in self.groups.drain_events() {
            self.log.group(self.now, &e);
        }
    }

    /// A broker that died closes its sockets; one that came back accepts again.
    fn check_brokers(&mut self, sim: &Sim) {
        for b in 0..self.addrs.len() as u32 {
            let up = sim.broker_up(b);
            let was = self.up[b as usize].swap(up, Ordering::AcqRel);
            if was && !up {
                let dead: Vec<ConnId> = self
                    .connections
                    .iter()
                    .filter(|(_, c)| c.broker == b)
                    .map(|(&id, _)| id)
                    .collect();
                for id in dead {
                    self.close(id);
                }
            }
        }
    }

    fn on_message(&mut self, sim: &mut Sim, msg: ToWorld) {
        match msg {
            ToWorld::Opened {
                conn,
                broker,
                peer,
                stream,
                reply,
            } => {
                if !sim.broker_up(broker) {
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                    return;
                }
                self.log.connected(self.now, broker, peer);
                self.connections.insert(
                    conn,
                    Conn {
                        broker,
                        peer,
                        stream,
                        reply,
                    },
                );
            }
            ToWorld::Request { conn, incoming } => self.on_request(sim, conn, *incoming),
            ToWorld::Closed { conn, error } => {
                if let Some(c) = self.connections.remove(&conn) {
                    self.log
                        .disconnected(self.now, c.broker, c.peer, error.as_deref());
                }
                self.forget(conn);
            }
            ToWorld::Refused { broker, peer, why } => {
                self.log.refused(self.now, broker, peer, why);
            }
            ToWorld::Control(line) => self.control(sim, &line),
        }
    }

    fn on_request(&mut self, sim: &mut Sim, conn: ConnId, incoming: Incoming) {
        let Some(broker) = self.connections.get(&conn).map(|c| c.broker) else {
            return;
        };
        let (header, body) = match incoming {
            Incoming::ApiVersionsTooNew { correlation_id } => {
                match wire::api_versions_too_new(correlation_id) {
                    Ok(bytes) => self.send(conn, Reply::Frame(bytes)),
                    Err(_) => self.close(conn),
                }
                return;
            }
            Incoming::Request { header, body } => (header, body),
        };
        let Some(asker) = Asker::of(conn, &header) else {
            self.close(conn);
            return;
        };
        match super::api::handle(self, sim, broker, &asker, *body) {
            Ok(Answer::Now(resp)) => self.respond(&asker, &resp),
            Ok(Answer::Later) => {}
            Ok(Answer::Nothing) => self.send(conn, Reply::Nothing),
            Err(why) => {
                self.log.bad_request(self.now, broker, &why);
                self.close(conn);
            }
        }
    }

    /// Sends an answer to whoever asked (if still connected).
    pub(super) fn respond(&mut self, asker: &Asker, resp: &ResponseKind) {
        match wire::encode_response(asker.correlation_id, asker.api, asker.version, resp) {
            Ok(bytes) => self.send(asker.conn, Reply::Frame(bytes)),
            Err(why) => {
                self.log.bad_request(self.now, u32::MAX, &why);
                self.close(asker.conn);
            }
        }
    }

    fn send(&mut self, conn: ConnId, reply: Reply) {
        let gone = match self.connections.get(&conn) {
            Some(c) => c.reply.send(reply).is_err(),
            None => false,
        };
        if gone {
            self.close(conn);
        }
    }

    /// Closes a connection from the server's side (its broker died, or it sent garbage).
    pub(super) fn close(&mut self, conn: ConnId) {
        if let Some(c) = self.connections.remove(&conn) {
            let _ = c.stream.shutdown(std::net::Shutdown::Both);
            self.log
                .disconnected(self.now, c.broker, c.peer, Some("closed by the broker"));
        }
        self.forget(conn);
    }

    /// Drops what a closed connection was waiting for.
    fn forget(&mut self, conn: ConnId) {
        self.produces.retain(|_, p| p.asker.conn != conn);
        self.fetches.retain(|f| f.asker.conn != conn);
        let waiters: Vec<u64> = self
            .group_askers
            .iter()
            .filter(|(_, a)| a.conn == conn)
            .map(|(&w, _)| w)
            .collect();
        for w in waiters {
            self.group_askers.remove(&w);
            self.groups.forget_waiter(w);
        }
    }

    fn close_all(&mut self) {
        let ids: Vec<ConnId> = self.connections.keys().copied().collect();
        for id in ids {
            if let Some(c) = self.connections.remove(&id) {
                let _ = c.stream.shutdown(std::net::Shutdown::Both);
            }
        }
    }

    /// Answers the group requests the coordinator completed.
    pub(super) fn finish_groups(&mut self, done: Vec<Done>) {
        for d in done {
            let (w, resp) = super::group_api::response(self, d);
            if let Some(asker) = self.group_askers.remove(&w) {
                self.respond(&asker, &resp);
            }
        }
    }

    /// A line on the control input: a fault (`kill-broker:1`), `stats` or `quit`.
    fn control(&mut self, sim: &mut Sim, line: &str) {
        let line = line.trim();
        match line {
            "" => {}
            "quit" | "exit" => self.quit = true,
            "stats" => {
                let stats = self.stats_json(sim);
                self.log.stats(&stats);
            }
            _ => {
                let cfg = sim.config();
                let (b, p, c) = (
                    cfg.topology.brokers,
                    cfg.topology.partitions,
                    cfg.consumer.consumers,
                );
                match Fault::parse(line, b, p, c) {
                    Ok(fault) => {
                        let _ = sim.apply(Command::Fault { fault });
                        self.settle(sim);
                    }
                    Err(e) => self.log.control_error(line, &e),
                }
            }
        }
    }

    /// Log lines kept since the last call (a world made by `serve::listen`).
    pub fn log_lines(&mut self) -> Vec<(Option<SimTime>, String)> {
        self.log.drain()
    }

    pub fn set_lang(&mut self, lang: crate::i18n::Lang) {
        self.log.set_lang(lang);
    }

    /// The listeners' addresses, broker by broker.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// What `stats` prints: the real producers' batches and every partition's state.
    pub fn stats_json(&self, sim: &Sim) -> serde_json::Value {
        let s = self.stats;
        let per_batch = if s.client_batches == 0 {
            0.0
        } else {
            s.client_records as f64 / s.client_batches as f64
        };
        let parts: Vec<serde_json::Value> = sim
            .client_metadata()
            .into_iter()
            .map(|p| {
                serde_json::json!({
                    "topic": self.topic,
                    "partition": p.partition,
                    "leader": p.leader,
                    "isr": p.isr,
                    "log_end_offset": p.log_end_offset,
                    "high_watermark": p.high_watermark,
                })
            })
            .collect();
        serde_json::json!({
            "t_ms": self.now_ms(),
            "client_batches": s.client_batches,
            "client_records": s.client_records,
            "records_per_batch": per_batch,
            "produce_requests": s.produce_requests,
            "fetch_requests": s.fetch_requests,
            "real_records": self.verdicts(sim),
            "connections": self.connections.len(),
            "partitions": parts,
        })
    }
}
