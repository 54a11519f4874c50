//! The Sender thread and its NetworkClient: one connection per broker,
//! `max.in.flight.requests.per.connection`, `request.timeout.ms` (which closes the
//! connection), retries with exponential backoff and jitter, `delivery.timeout.ms`,
//! metadata refreshes, and completing batches so callbacks run in order.
//! (Kafka: `Sender.java`, `NetworkClient.java`, `InFlightRequests.java`.)

use super::accumulator::BatchKey;
use super::kernel::{
    Core, Event, Message, PartitionResult, ProduceRequest, ProduceResponse, WireBatch,
};
use super::network::Node;
use super::producer::{AppState, Producer};
use super::time::{SimDuration, SimTime};
use super::trace::{BatchId, BrokerId, KafkaError, RequestId, TraceEvent};
use super::workload::Workload;
use std::collections::{BTreeMap, VecDeque};

/// `reconnect.backoff.ms` / `reconnect.backoff.max.ms`.
const RECONNECT_BACKOFF_MS: u64 = 50;
const RECONNECT_BACKOFF_MAX_MS: u64 = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    Disconnected,
    Connecting,
    Ready,
}

#[derive(Clone, Debug)]
pub struct Connection {
    pub state: ConnState,
    /// Bumped on every close: answers on an older connection are ignored.
    pub cgen: u32,
    /// Oldest first.
    pub in_flight: VecDeque<RequestId>,
    /// When the newest request's last byte leaves (`canSendMore` needs it written).
    pub last_written: SimTime,
    pub backoff_until: SimTime,
    pub failures: u32,
}

#[derive(Clone, Debug)]
pub struct InFlightRequest {
    pub broker: BrokerId,
    pub batches: Vec<(BatchKey, BatchId)>,
    pub sent_at: SimTime,
}

pub struct Sender {
    pub conns: Vec<Connection>,
    pub in_flight: BTreeMap<RequestId, InFlightRequest>,
    next_request: RequestId,
    pub wake_at: Option<(SimTime, u64)>,
    pub metadata_in_flight: bool,
    /// A disconnect or a metadata-type error asked for a refresh (`requestUpdate`).
    pub metadata_stale: bool,
    pid_sent_at: Option<SimTime>,
    metadata_sent_at: SimTime,
}

impl Sender {
    pub fn new(brokers: u32) -> Self {
        Sender {
            conns: vec![
                Connection {
                    state: ConnState::Disconnected,
                    cgen: 0,
                    in_flight: VecDeque::new(),
                    last_written: SimTime::ZERO,
                    backoff_until: SimTime::ZERO,
                    failures: 0,
                };
                brokers as usize
            ],
            in_flight: BTreeMap::new(),
            next_request: 0,
            wake_at: None,
            metadata_in_flight: false,
            metadata_stale: true,
            pid_sent_at: None,
            metadata_sent_at: SimTime::ZERO,
        }
    }

    pub fn in_flight_to(&self, broker: BrokerId) -> usize {
        self.conns[broker as usize].in_flight.len()
    }

    pub fn abandon(&mut self) {
        self.in_flight.clear();
        for c in &mut self.conns {
            c.in_flight.clear();
            c.state = ConnState::Disconnected;
            c.cgen += 1;
        }
        self.wake_at = None;
    }
}

impl Producer {
    /// `Sender.runOnce`.
    pub fn sender_wake(&mut self, core: &mut Core, w: &Workload, token: u64, up: &[bool]) {
        match self.sender.wake_at {
            Some((_, t)) if t == token => self.sender.wake_at = None,
            _ => return,
        }
        if self.app == AppState::Dead {
            return;
        }
        self.run_once(core, w, up);
    }

    fn run_once(&mut self, core: &mut Core, w: &Workload, up: &[bool]) {
        let now = core.now;
        let mut next: Option<SimTime> = None;
        let mut soonest = |t: SimTime| next = Some(next.map_or(t, |n: SimTime| n.min(t)));
        if self.sender.metadata_stale || self.metadata.iter().any(Option::is_none) {
            self.request_metadata(core, up);
        }
        if !self.idem.ready_to_send() {
            let resend = self.sender.pid_sent_at.is_none_or(|t| {
                now.since(t) >= SimDuration::from_millis(core.cfg.producer.request_timeout_ms)
            });
            if resend {
                if let Some(b) = up.iter().position(|u| *u) {
                    self.sender.pid_sent_at = Some(now);
                    core.send(
                        Node::Producer,
                        Node::Broker(b as BrokerId),
                        Message::InitProducerId,
                    );
                }
                soonest(now + SimDuration::from_millis(core.cfg.producer.retry_backoff_ms));
            }
        }
        self.expire(core, w);
        let ready = self.acc.ready(now, &self.metadata);
        if ready.unknown_leader {
            self.request_metadata(core, up);
        }
        if let Some(t) = ready.next_check {
            soonest(t);
        }
        if self.idem.ready_to_send() {
            let max_in_flight = core.cfg.producer.max_in_flight_requests_per_connection as usize;
            for &node in &ready.nodes {
                let conn = &mut self.sender.conns[node as usize];
                match conn.state {
                    ConnState::Disconnected => {
                        if now >= conn.backoff_until {
                            conn.state = ConnState::Connecting;
                            let cgen = conn.cgen;
                            // TCP handshake plus ApiVersions: two round trips.
                            let rtt = core.net.rtt();
                            core.after(rtt + rtt, Event::ConnectDone { broker: node, cgen });
                        } else {
                            soonest(conn.backoff_until);
                        }
                        continue;
                    }
                    ConnState::Connecting => continue,
                    ConnState::Ready => {}
                }
                // InFlightRequests.canSendMore: the newest request fully written and below the limit.
                if !conn.in_flight.is_empty()
                    && (conn.last_written > now || conn.in_flight.len() >= max_in_flight)
                {
                    if conn.last_written > now {
                        soonest(conn.last_written);
                    }
                    continue;
                }
                self.send_to(core, node);
            }
        }
        let (sizes, ids) = self.acc.load_stats(&self.metadata);
        self.update_partitioner_stats(&sizes, &ids);
        let dt = SimDuration::from_millis(core.eff.delivery_timeout_ms);
        if let Some(t) = self.acc.next_expiry(dt) {
            soonest(t);
        }
        for req in self.sender.in_flight.values() {
            for &(key, id) in &req.batches {
                if let Some(b) = self.acc.get(key).filter(|b| b.id == id) {
                    soonest(b.created + dt);
                }
            }
        }
        if let Some(t) = next {
            self.wake_sender(core, t.max(now));
        }
    }

    fn send_to(&mut self, core: &mut Core, node: BrokerId) {
        let now = core.now;
        let led: Vec<u32> = self
            .metadata
            .iter()
            .enumerate()
            .filter(|(_, m)| m.is_some_and(|(l, _)| l == node))
            .map(|(p, _)| p as u32)
            .collect();
        let max_request = core.cfg.producer.max_request_size as usize;
        let drained =
            self.acc
                .drain_node(node, &led, &self.metadata, max_request, now, &mut self.idem);
        if drained.is_empty() {
            return;
        }
        let guarantee_order = core.cfg.producer.max_in_flight_requests_per_connection == 1;
        let id = self.sender.next_request;
        self.sender.next_request += 1;
        let mut wires = Vec::with_capacity(drained.len());
        let mut keys = Vec::with_capacity(drained.len());
        let mut bytes = 0u32;
        for (key, reason) in drained {
            let b = self.acc.batch(key);
            let p = b.partition;
            core.emit(TraceEvent::BatchDrained {
                batch: b.id,
                partition: p,
                records: b.record_count(),
                bytes: b.bytes as u32,
                reason,
                attempt: b.attempts,
                base_sequence: b.base_sequence,
            });
            self.stats.batches_drained += 1;
            self.stats.count_reason(reason);
            bytes += b.bytes as u32;
            wires.push(WireBatch {
                batch_id: b.id,
                partition: p,
                records: b.records.as_slice().into(),
                bytes: b.bytes as u32,
                producer_id: b.producer_id,
                producer_epoch: b.producer_epoch,
                base_sequence: b.base_sequence.unwrap_or(-1),
            });
            keys.push((key, b.id));
            if guarantee_order {
                self.acc.muted[p as usize] = true;
            }
        }
        let acks = core.eff.acks;
        let conn = &mut self.sender.conns[node as usize];
        let cgen = conn.cgen;
        let req = ProduceRequest {
            id,
            conn_gen: cgen,
            acks_all: acks == super::config::Acks::All,
            acks_zero: acks == super::config::Acks::Zero,
            timeout: SimDuration::from_millis(core.cfg.producer.request_timeout_ms),
            batches: wires,
        };
        let acks_zero = req.acks_zero;
        let n_batches = req.batches.len() as u32;
        let transit = core.send(Node::Producer, Node::Broker(node), Message::Produce(req));
        let conn = &mut self.sender.conns[node as usize];
        conn.last_written = transit.written;
        conn.in_flight.push_back(id);
        let in_flight = conn.in_flight.len() as u32;
        self.sender.in_flight.insert(
            id,
            InFlightRequest {
                broker: node,
                batches: keys,
                sent_at: now,
            },
        );
        self.stats.requests += 1;
        core.emit(TraceEvent::RequestSent {
            request: id,
            broker: node,
            batches: n_batches,
            bytes,
            in_flight,
        });
        if acks_zero {
            core.at(
                transit.written,
                Event::RequestWritten {
                    broker: node,
                    request: id,
                    cgen,
                },
            );
        } else {
            core.after(
                SimDuration::from_millis(core.cfg.producer.request_timeout_ms),
                Event::RequestTimeout {
                    broker: node,
                    request: id,
                    cgen,
                },
            );
        }
    }

    fn request_metadata(&mut self, core: &mut Core, up: &[bool]) {
        // A request lost with its broker is given up after request.timeout.ms.
        let timeout = SimDuration::from_millis(core.cfg.producer.request_timeout_ms);
        if self.sender.metadata_in_flight && core.now.since(self.sender.metadata_sent_at) < timeout
        {
            return;
        }
        // leastLoadedNode: any broker the client can reach.
        if let Some(b) = up.iter().position(|u| *u) {
            self.sender.metadata_in_flight = true;
            self.sender.metadata_stale = false;
            self.sender.metadata_sent_at = core.now;
            core.send(
                Node::Producer,
                Node::Broker(b as BrokerId),
                Message::Metadata,
            );
        }
    }

    pub fn on_metadata(&mut self, core: &mut Core, leaders: Vec<Option<(BrokerId, u32)>>) {
        self.sender.metadata_in_flight = false;
        if leaders != self.metadata {
            core.emit(TraceEvent::MetadataUpdated {
                leaders: leaders.iter().map(|l| l.map(|(b, _)| b)).collect(),
            });
        }
        self.set_metadata(leaders);
        if let AppState::WaitingMetadata { since, .. } = self.app {
            self.stats.metadata_wait_us += core.now.since(since).as_micros();
            self.app = AppState::Sending;
            core.at(core.now, Event::AppWake);
        }
        let now = core.now;
        self.wake_sender(core, now);
    }

    pub fn on_init_producer_id(&mut self, core: &mut Core, producer_id: i64, epoch: i16) {
        if self.idem.producer_id >= 0 {
            return;
        }
        self.idem.producer_id = producer_id;
        self.idem.epoch = epoch;
        core.emit(TraceEvent::ProducerIdAssigned { producer_id, epoch });
        let now = core.now;
        self.wake_sender(core, now);
    }

    pub fn connect_done(&mut self, core: &mut Core, broker: BrokerId, cgen: u32, reachable: bool) {
        let conn = &mut self.sender.conns[broker as usize];
        if conn.cgen != cgen || conn.state != ConnState::Connecting {
            return;
        }
        if reachable {
            conn.state = ConnState::Ready;
            conn.failures = 0;
            core.emit(TraceEvent::Connected { broker });
        } else {
            conn.state = ConnState::Disconnected;
            conn.cgen += 1;
            conn.failures += 1;
            let backoff =
                (RECONNECT_BACKOFF_MS << conn.failures.min(5)).min(RECONNECT_BACKOFF_MAX_MS);
            conn.backoff_until = core.now + SimDuration::from_millis(backoff);
            // NetworkClient asks for fresh metadata after any failed connection.
            self.sender.metadata_stale = true;
            core.emit(TraceEvent::ConnectionClosed {
                broker,
                reason: "connection refused".to_string(),
            });
        }
        let now = core.now;
        self.wake_sender(core, now);
    }

    /// Closes a connection; every request in flight on it fails with `error`.
    pub fn close_connection(
        &mut self,
        core: &mut Core,
        w: &Workload,
        broker: BrokerId,
        error: KafkaError,
        reason: &str,
    ) {
        let conn = &mut self.sender.conns[broker as usize];
        if conn.state == ConnState::Disconnected {
            return;
        }
        conn.state = ConnState::Disconnected;
        conn.cgen += 1;
        conn.backoff_until = core.now + SimDuration::from_millis(RECONNECT_BACKOFF_MS);
        let ids: Vec<RequestId> = conn.in_flight.drain(..).collect();
        core.emit(TraceEvent::ConnectionClosed {
            broker,
            reason: reason.to_string(),
        });
        for id in ids {
            if let Some(req) = self.sender.in_flight.remove(&id) {
                for (key, batch_id) in req.batches {
                    self.batch_result(core, w, key, batch_id, PartitionResult::Err(error));
                }
            }
        }
        self.sender.metadata_stale = true;
        let now = core.now;
        self.wake_sender(core, now);
    }

    pub fn request_timeout(
        &mut self,
        core: &mut Core,
        w: &Workload,
        broker: BrokerId,
        request: RequestId,
        cgen: u32,
    ) {
        if self.sender.conns[broker as usize].cgen != cgen
            || !self.sender.in_flight.contains_key(&request)
        {
            return;
        }
        core.emit(TraceEvent::RequestTimedOut { request, broker });
        self.close_connection(
            core,
            w,
            broker,
            KafkaError::RequestTimedOut,
            "request.timeout.ms expired: the client closes the connection",
        );
    }

    pub fn disconnected(&mut self, core: &mut Core, w: &Workload, broker: BrokerId, cgen: u32) {
        if self.sender.conns[broker as usize].cgen == cgen {
            self.close_connection(
                core,
                w,
                broker,
                KafkaError::NetworkException,
                "the broker closed the connection",
            );
        }
    }

    /// acks=0: the request completes once its bytes are written (offset -1).
    pub fn request_written(
        &mut self,
        core: &mut Core,
        w: &Workload,
        broker: BrokerId,
        request: RequestId,
        cgen: u32,
    ) {
        let conn = &mut self.sender.conns[broker as usize];
        if conn.cgen != cgen {
            return;
        }
        conn.in_flight.retain(|r| *r != request);
        if let Some(req) = self.sender.in_flight.remove(&request) {
            for (key, batch_id) in req.batches {
                self.batch_result(
                    core,
                    w,
                    key,
                    batch_id,
                    PartitionResult::Ok { base_offset: -1 },
                );
            }
        }
        let now = core.now;
        self.wake_sender(core, now);
    }

    pub fn on_produce_response(
        &mut self,
        core: &mut Core,
        w: &Workload,
        broker: BrokerId,
        resp: &ProduceResponse,
    ) {
        let conn = &mut self.sender.conns[broker as usize];
        if conn.cgen != resp.conn_gen {
            return;
        }
        conn.in_flight.retain(|r| *r != resp.id);
        let Some(req) = self.sender.in_flight.remove(&resp.id) else {
            return;
        };
        for (key, batch_id) in req.batches {
            let result = resp.results.iter().find(|(id, _)| *id == batch_id).map_or(
                PartitionResult::Err(KafkaError::NetworkException),
                |(_, r)| *r,
            );
            self.batch_result(core, w, key, batch_id, result);
        }
        let now = core.now;
        self.wake_sender(core, now);
    }
}
