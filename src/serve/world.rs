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

/// How often the world looks at the clock when nothing arrives: parked fetches and acks=all
/// answers are checked this often.
const TICK: Duration = Duration::from_millis(1);

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
}

impl Asker {
    pub fn of(conn: ConnId, header: &RequestHeader) -> Option<Asker> {
        Some(Asker {
            conn,
            correlation_id: header.correlation_id,
            api: ApiKey::try_from(header.request_api_key).ok()?,
            version: header.request_api_version,
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
}

pub struct World {
    pub(super) sim: Sim,
    pub(super) epoch: Instant,
    pub(super) conns: BTreeMap<ConnId, Conn>,
    pub(super) addrs: Vec<SocketAddr>,
    pub(super) up: BrokersUp,
    /// The topic the world simulates: named by `--topic`, or by the first client to ask.
    pub(super) topic: Option<String>,
    pub(super) payloads: Payloads,
    pub(super) produces: BTreeMap<RequestId, PendingProduce>,
    pub(super) fetches: Vec<super::fetch::ParkedFetch>,
    pub(super) groups: Groups,
    /// Join and sync requests parked in the groups, by waiter token.
    pub(super) group_askers: BTreeMap<u64, Asker>,
    next_waiter: u64,
    pub(super) log: Log,
    pub(super) stats: ClientStats,
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
        mut sim: Sim,
        addrs: Vec<SocketAddr>,
        up: BrokersUp,
        topic: Option<String>,
        log: Log,
    ) -> World {
        sim.keep_replica_logs();
        World {
            sim,
            epoch: Instant::now(),
            conns: BTreeMap::new(),
            addrs,
            up,
            topic,
            payloads: Payloads::default(),
            produces: BTreeMap::new(),
            fetches: Vec::new(),
            groups: Groups::new(),
            group_askers: BTreeMap::new(),
            next_waiter: 0,
            log,
            stats: ClientStats::default(),
            quit: false,
        }
    }

    /// Virtual time now: the wall clock since the server started, at 1×, so a client's
    /// timeouts mean what they say.
    pub(super) fn now(&self) -> SimTime {
        SimTime(self.epoch.elapsed().as_micros() as u64)
    }

    pub(super) fn now_ms(&self) -> u64 {
        self.now().0 / 1000
    }

    pub(super) fn waiter(&mut self, asker: Asker) -> u64 {
        self.next_waiter += 1;
        self.group_askers.insert(self.next_waiter, asker);
        self.next_waiter
    }

    /// Serves until `quit` (or the channel closes).
    pub fn run(&mut self, rx: &Receiver<ToWorld>) {
        while !self.quit {
            match rx.recv_timeout(TICK) {
                Ok(msg) => {
                    self.advance();
                    self.on_message(msg);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.advance();
        }
        self.close_all();
    }

    /// Moves the simulation to now and delivers what it did: produce answers, fetches
    /// whose data arrived, group timers, brokers that died or came back.
    pub(super) fn advance(&mut self) {
        let now = self.now();
        if now > self.sim.now() {
            self.sim.advance_to(now);
        }
        for rec in self.sim.drain_trace() {
            self.log.event(rec.t, &rec.event);
        }
        for reply in self.sim.take_client_replies() {
            self.finish_produce(reply);
        }
        self.check_brokers();
        self.serve_fetches(false);
        let done = self.groups.tick(self.now_ms());
        self.finish_groups(done);
        for e in self.groups.drain_events() {
            self.log.group(self.sim.now(), &e);
        }
    }

    /// A broker that died closes its sockets; one that came back accepts again.
    fn check_brokers(&mut self) {
        for b in 0..self.addrs.len() as u32 {
            let up = self.sim.broker_up(b);
            let was = self.up[b as usize].swap(up, Ordering::AcqRel);
            if was && !up {
                let dead: Vec<ConnId> = self
                    .conns
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

    fn on_message(&mut self, msg: ToWorld) {
        match msg {
            ToWorld::Opened {
                conn,
                broker,
                peer,
                stream,
                reply,
            } => {
                if !self.sim.broker_up(broker) {
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                    return;
                }
                self.log.connected(self.sim.now(), broker, peer);
                self.conns.insert(
                    conn,
                    Conn {
                        broker,
                        peer,
                        stream,
                        reply,
                    },
                );
            }
            ToWorld::Request { conn, incoming } => self.on_request(conn, *incoming),
            ToWorld::Closed { conn, error } => {
                if let Some(c) = self.conns.remove(&conn) {
                    self.log
                        .disconnected(self.sim.now(), c.broker, c.peer, error.as_deref());
                }
                self.forget(conn);
            }
            ToWorld::Refused { broker, peer, why } => {
                self.log.refused(self.sim.now(), broker, peer, why);
            }
            ToWorld::Control(line) => self.control(&line),
        }
    }

    fn on_request(&mut self, conn: ConnId, incoming: Incoming) {
        let Some(broker) = self.conns.get(&conn).map(|c| c.broker) else {
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
        match super::api::handle(self, broker, &asker, *body) {
            Ok(Answer::Now(resp)) => self.respond(&asker, &resp),
            Ok(Answer::Later) => {}
            Ok(Answer::Nothing) => self.send(conn, Reply::Nothing),
            Err(why) => {
                self.log.bad_request(self.sim.now(), broker, &why);
                self.close(conn);
            }
        }
    }

    /// Sends an answer to whoever asked (if still connected).
    pub(super) fn respond(&mut self, asker: &Asker, resp: &ResponseKind) {
        match wire::encode_response(asker.correlation_id, asker.api, asker.version, resp) {
            Ok(bytes) => self.send(asker.conn, Reply::Frame(bytes)),
            Err(why) => {
                self.log.bad_request(self.sim.now(), u32::MAX, &why);
                self.close(asker.conn);
            }
        }
    }

    fn send(&mut self, conn: ConnId, reply: Reply) {
        let gone = match self.conns.get(&conn) {
            Some(c) => c.reply.send(reply).is_err(),
            None => false,
        };
        if gone {
            self.close(conn);
        }
    }

    /// Closes a connection from the server's side (its broker died, or it sent garbage).
    pub(super) fn close(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.remove(&conn) {
            let _ = c.stream.shutdown(std::net::Shutdown::Both);
            self.log.disconnected(
                self.sim.now(),
                c.broker,
                c.peer,
                Some("closed by the broker"),
            );
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
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in ids {
            if let Some(c) = self.conns.remove(&id) {
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
    fn control(&mut self, line: &str) {
        let line = line.trim();
        match line {
            "" => {}
            "quit" | "exit" => self.quit = true,
            "stats" => {
                let stats = self.stats_json();
                self.log.stats(&stats);
            }
            _ => {
                let cfg = self.sim.config();
                let (b, p, c) = (
                    cfg.topology.brokers,
                    cfg.topology.partitions,
                    cfg.consumer.consumers,
                );
                match Fault::parse(line, b, p, c) {
                    Ok(fault) => {
                        let _ = self.sim.apply(Command::Fault { fault });
                        self.advance();
                    }
                    Err(e) => self.log.control_error(line, &e),
                }
            }
        }
    }

    /// What `stats` prints: the real producers' batches and every partition's state.
    pub fn stats_json(&self) -> serde_json::Value {
        let s = self.stats;
        let per_batch = if s.client_batches == 0 {
            0.0
        } else {
            s.client_records as f64 / s.client_batches as f64
        };
        let parts: Vec<serde_json::Value> = self
            .sim
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
            "connections": self.conns.len(),
            "partitions": parts,
        })
    }
}
