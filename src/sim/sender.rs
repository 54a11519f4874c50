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
use super::queue::EventId;
use super::reason::CloseReason;
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
    pub(crate) state: ConnState,
    /// Bumped on every close: answers on an older connection are ignored.
    pub(crate) cgen: u32,
    /// Oldest first.
    pub(crate) in_flight: VecDeque<RequestId>,
    /// When the newest request's last byte leaves (`canSendMore` needs it written).
    pub(crate) last_written: SimTime,
    pub(crate) backoff_until: SimTime,
    pub(crate) failures: u32,
}

/// A batch as it was sent in a request: enough to handle a late answer after the batch
/// itself completed (an expired batch's success still advances the acknowledged sequence).
#[derive(Clone, Copy, Debug)]
pub struct SentBatch {
    pub(crate) key: BatchKey,
    pub(crate) id: BatchId,
    pub(crate) partition: u32,
    pub(crate) last_sequence: Option<i32>,
}

#[derive(Clone, Debug)]
pub struct InFlightRequest {
    pub(crate) broker: BrokerId,
    pub(crate) batches: Vec<SentBatch>,
    pub(crate) sent_at: SimTime,
    /// Its `RequestTimeout` (none for acks=0), cancelled when it is answered or its
    /// connection closes: a request answered in a round trip must not leave a 30 s timer
    /// behind (with retry.backoff.ms=0 a refused batch is resent once per round trip).
    pub(crate) timeout_event: Option<EventId>,
}

/// A metadata or InitProducerId request on the wire: which connection carries it and when
/// it left (it times out after request.timeout.ms like any request).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlRequest {
    pub(crate) broker: BrokerId,
    pub(crate) cgen: u32,
    pub(crate) sent_at: SimTime,
}

#[derive(Clone)]
pub struct Sender {
    pub(crate) conns: Vec<Connection>,
    pub(crate) in_flight: BTreeMap<RequestId, InFlightRequest>,
    next_request: RequestId,
    pub(crate) wake_at: Option<(SimTime, u64)>,
    /// The queued `SenderWake` of `wake_at`, to cancel when an earlier one replaces it.
    pub(crate) wake_event: Option<EventId>,
    /// The metadata request on the wire, if any.
    pub(crate) metadata_request: Option<ControlRequest>,
    /// A disconnect or a metadata-type error asked for a refresh (`requestUpdate`).
    pub(crate) metadata_stale: bool,
    /// `Metadata.lastRefreshMs`: the last metadata answer or failed metadata request.
    metadata_refreshed_at: Option<SimTime>,
    /// `Metadata.equivalentResponseCount`: answers in a row that brought nothing new.
    metadata_equivalent: u32,
    /// `Metadata.attempts`: metadata requests that failed since the last answer.
    metadata_failures: u32,
    /// The InitProducerId request on the wire, if any.
    pid_request: Option<ControlRequest>,
    least_loaded_offset: usize,
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
            wake_event: None,
            metadata_request: None,
            metadata_stale: true,
            metadata_refreshed_at: None,
            metadata_equivalent: 0,
            metadata_failures: 0,
            pid_request: None,
            least_loaded_offset: 0,
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
        // Left to fire and be ignored (no core here to cancel it).
        self.wake_event = None;
        self.metadata_request = None;
        self.pid_request = None;
    }

    /// `NetworkClient.leastLoadedNode`: starting at a rotating broker (Kafka starts at a
    /// random one; rotating spreads the same way without drawing from the seeded RNG, whose
    /// draws decide what a learner sees, e.g. the sticky partition), the first ready
    /// connection with nothing in flight; else the ready one with the fewest requests in
    /// flight; else one being connected; else one that may be connected (not in reconnect
    /// backoff). `None` when every broker is backing off.
    fn least_loaded_node(&mut self, core: &Core) -> Option<BrokerId> {
        let n = self.conns.len();
        if n == 0 {
            return None;
        }
        let offset = self.least_loaded_offset % n;
        self.least_loaded_offset = self.least_loaded_offset.wrapping_add(1);
        let mut ready: Option<(usize, usize)> = None;
        let mut connecting = None;
        let mut can_connect = None;
        for i in 0..n {
            let b = (offset + i) % n;
            let conn = &self.conns[b];
            match conn.state {
                ConnState::Ready => {
                    let load = conn.in_flight.len();
                    if load == 0 {
                        return Some(b as BrokerId);
                    }
                    if ready.is_none_or(|(_, l)| load < l) {
                        ready = Some((b, load));
                    }
                }
                ConnState::Connecting => {
                    connecting.get_or_insert(b);
                }
                ConnState::Disconnected => {
                    if core.now >= conn.backoff_until {
                        can_connect.get_or_insert(b);
                    }
                }
            }
        }
        ready
            .map(|(b, _)| b)
            .or(connecting)
            .or(can_connect)
            .map(|b| b as BrokerId)
    }

    /// `Metadata.timeToAllowUpdate`: after an answer or a failure, the next metadata request
    /// waits `ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms)` of the failures
    /// in a row, or of the answers in a row that brought nothing new (KIP-580 in 3.7; Kafka
    /// 2.8 waits retry.backoff.ms, which `retry_backoff_max_ms` already equals there). So a
    /// producer whose partition has no leader asks every 100, 200, 400… up to 1000 ms, not
    /// once per round trip. The ±20 % jitter is left out: drawing it from the seeded RNG
    /// would change every later random choice of a run.
    fn metadata_allowed_at(&self, core: &Core) -> SimTime {
        let Some(last) = self.metadata_refreshed_at else {
            return SimTime::ZERO;
        };
        let n = self.metadata_failures.max(self.metadata_equivalent).max(1) - 1;
        let initial = core.cfg.producer.retry_backoff_ms;
        let max = core.eff.retry_backoff_max_ms;
        let ms = if max <= initial {
            initial.min(max)
        } else {
            initial.saturating_mul(1u64 << n.min(40)).min(max)
        };
        last + SimDuration::from_millis(ms)
    }

    /// `Metadata.failedUpdate`: the metadata request got no answer.
    fn metadata_failed(&mut self, now: SimTime) {
        self.metadata_request = None;
        self.metadata_refreshed_at = Some(now);
        self.metadata_failures += 1;
        self.metadata_equivalent = 0;
    }

    /// The earliest time a disconnected broker may be tried again.
    fn next_reconnect(&self) -> Option<SimTime> {
        self.conns
            .iter()
            .filter(|c| c.state == ConnState::Disconnected)
            .map(|c| c.backoff_until)
            .min()
    }
}

impl Producer {
    /// `Sender.runOnce`.
    pub fn sender_wake(&mut self, core: &mut Core, w: &Workload, token: u64) {
        match self.sender.wake_at {
            Some((_, t)) if t == token => {
                self.sender.wake_at = None;
                self.sender.wake_event = None;
            }
            _ => return,
        }
        if self.app == AppState::Dead {
            return;
        }
        self.run_once(core, w);
    }

    fn run_once(&mut self, core: &mut Core, w: &Workload) {
        let now = core.now;
        let mut next: Option<SimTime> = None;
        let mut soonest = |t: SimTime| next = Some(next.map_or(t, |n: SimTime| n.min(t)));
        // runOnce: the idempotence bookkeeping comes first.
        self.idem.maybe_resolve_sequences();
        if let Some(causes) = self.idem.maybe_bump_epoch(&mut self.acc) {
            for cause in causes {
                core.emit(TraceEvent::EpochBumped {
                    producer_id: self.idem.producer_id,
                    epoch: self.idem.epoch,
                    reason: cause,
                });
            }
        }
        let timeout = SimDuration::from_millis(core.cfg.producer.request_timeout_ms);
        if let Some(t) = self.control_timeouts(core, w, timeout) {
            soonest(t);
        }
        if self.sender.metadata_stale || self.metadata.iter().any(Option::is_none) {
            if let Some(t) = self.request_metadata(core) {
                soonest(t);
            }
        }
        if !self.idem.ready_to_send() && self.sender.pid_request.is_none() {
            if let Some(t) = self.request_producer_id(core) {
                soonest(t);
            }
        }
        self.expire(core, w);
        // sendProducerData: while some node is ready and can take a request, the Sender loops
        // at once (pollTimeout = 0), so a backlog leaves up to
        // max.in.flight.requests.per.connection requests per node per round trip.
        loop {
            let ready = self.acc.ready(now, &self.metadata);
            if ready.unknown_leader {
                if let Some(t) = self.request_metadata(core) {
                    soonest(t);
                }
            }
            if let Some(t) = ready.next_check {
                soonest(t);
            }
            self.update_partitioner_stats(&ready.queue_sizes, &ready.queue_partitions);
            let mut sent = false;
            for &node in &ready.nodes {
                match self.can_send_to(core, node) {
                    Ok(()) => {
                        self.acc.update_node_latency(node, now, true);
                        if self.idem.ready_to_send() && self.send_to(core, node) {
                            sent = true;
                        }
                    }
                    Err(wake) => {
                        self.acc.update_node_latency(node, now, false);
                        if let Some(t) = wake {
                            soonest(t);
                        }
                    }
                }
            }
            if !sent {
                break;
            }
        }
        let dt = SimDuration::from_millis(core.eff.delivery_timeout_ms);
        if let Some(t) = self.acc.next_expiry(dt) {
            soonest(t);
        }
        for req in self.sender.in_flight.values() {
            for b in &req.batches {
                if let Some(batch) = self.acc.get(b.key).filter(|x| x.id == b.id) {
                    soonest(batch.created + dt);
                }
            }
        }
        if let Some(t) = next {
            self.wake_sender(core, t.max(now));
        }
    }

    /// `NetworkClient.ready(node)`: the connection is established and `canSendMore` (the
    /// newest request fully written, fewer than max.in.flight in flight). A disconnected
    /// node starts connecting. `Err` carries when to look again, if the wait has an end the
    /// Sender must wake for (a response wakes it anyway).
    fn can_send_to(&mut self, core: &mut Core, node: BrokerId) -> Result<(), Option<SimTime>> {
        let now = core.now;
        let max_in_flight = core.cfg.producer.max_in_flight_requests_per_connection as usize;
        let conn = &mut self.sender.conns[node as usize];
        match conn.state {
            ConnState::Disconnected => {
                if now >= conn.backoff_until {
                    self.connect(core, node);
                    return Err(None);
                }
                return Err(Some(conn.backoff_until));
            }
            ConnState::Connecting => return Err(None),
            ConnState::Ready => {}
        }
        if !conn.in_flight.is_empty() && conn.last_written > now {
            return Err(Some(conn.last_written));
        }
        if conn.in_flight.len() >= max_in_flight {
            return Err(None);
        }
        Ok(())
    }

    /// Starts a connection: the TCP handshake plus ApiVersions, two round trips.
    fn connect(&mut self, core: &mut Core, node: BrokerId) {
        let conn = &mut self.sender.conns[node as usize];
        conn.state = ConnState::Connecting;
        let cgen = conn.cgen;
        let rtt = core.net.rtt();
        core.after(rtt + rtt, Event::ConnectDone { broker: node, cgen });
    }

    /// Metadata and InitProducerId requests that got no answer within request.timeout.ms
    /// close their connection, as any request does (`NetworkClient.handleTimedOutRequests`).
    /// Returns when the next one would time out.
    fn control_timeouts(
        &mut self,
        core: &mut Core,
        w: &Workload,
        timeout: SimDuration,
    ) -> Option<SimTime> {
        let mut next = None;
        for which in [ControlKind::Metadata, ControlKind::ProducerId] {
            let req = match which {
                ControlKind::Metadata => self.sender.metadata_request,
                ControlKind::ProducerId => self.sender.pid_request,
            };
            let Some(req) = req else { continue };
            if core.now.since(req.sent_at) >= timeout {
                if self.sender.conns[req.broker as usize].cgen == req.cgen {
                    let reason = match which {
                        ControlKind::Metadata => CloseReason::MetadataTimeout,
                        ControlKind::ProducerId => CloseReason::InitProducerIdTimeout,
                    };
                    self.close_connection(core, w, req.broker, KafkaError::RequestTimedOut, reason);
                }
                match which {
                    ControlKind::Metadata => {
                        if self.sender.metadata_request == Some(req) {
                            self.sender.metadata_failed(core.now);
                        }
                        self.sender.metadata_stale = true;
                    }
                    ControlKind::ProducerId => self.sender.pid_request = None,
                }
            } else {
                let at = req.sent_at + timeout;
                next = Some(next.map_or(at, |n: SimTime| n.min(at)));
            }
        }
        next
    }

    /// Asks the least-loaded node for metadata (`DefaultMetadataUpdater.maybeUpdate`); if
    /// it has no connection yet, connects first. Returns when to try again, if it must wait.
    fn request_metadata(&mut self, core: &mut Core) -> Option<SimTime> {
        if self.sender.metadata_request.is_some() {
            return None;
        }
        let allowed = self.sender.metadata_allowed_at(core);
        if core.now < allowed {
            return Some(allowed);
        }
        let Some(node) = self.sender.least_loaded_node(core) else {
            return self.sender.next_reconnect();
        };
        let conn = &self.sender.conns[node as usize];
        match conn.state {
            ConnState::Ready => {
                self.sender.metadata_request = Some(ControlRequest {
                    broker: node,
                    cgen: conn.cgen,
                    sent_at: core.now,
                });
                self.sender.metadata_stale = false;
                core.send(Node::Producer, Node::Broker(node), Message::Metadata);
            }
            ConnState::Disconnected => self.connect(core, node),
            ConnState::Connecting => {}
        }
        None
    }

    /// InitProducerId to the least-loaded node (`bumpIdempotentEpochAndResetIdIfNeeded`,
    /// `InitProducerIdHandler`), connecting first if needed.
    fn request_producer_id(&mut self, core: &mut Core) -> Option<SimTime> {
        let Some(node) = self.sender.least_loaded_node(core) else {
            return self.sender.next_reconnect();
        };
        let conn = &self.sender.conns[node as usize];
        match conn.state {
            ConnState::Ready => {
                self.sender.pid_request = Some(ControlRequest {
                    broker: node,
                    cgen: conn.cgen,
                    sent_at: core.now,
                });
                core.send(Node::Producer, Node::Broker(node), Message::InitProducerId);
            }
            ConnState::Disconnected => self.connect(core, node),
            ConnState::Connecting => {}
        }
        None
    }

    /// Drains one request's worth of batches for `node` and sends it. False if there was
    /// nothing it may send.
    fn send_to(&mut self, core: &mut Core, node: BrokerId) -> bool {
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
            return false;
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
            keys.push(SentBatch {
                key,
                id: b.id,
                partition: p,
                last_sequence: b.last_sequence(),
            });
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
                timeout_event: None,
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
            let at = now + SimDuration::from_millis(core.cfg.producer.request_timeout_ms);
            let timer = core.timer_at(
                at,
                Event::RequestTimeout {
                    broker: node,
                    request: id,
                    cgen,
                },
            );
            if let Some(req) = self.sender.in_flight.get_mut(&id) {
                req.timeout_event = Some(timer);
            }
        }
        true
    }

    pub fn on_metadata(&mut self, core: &mut Core, leaders: Vec<Option<(BrokerId, u32)>>) {
        self.sender.metadata_request = None;
        // `Metadata.update`: the answer counts as equivalent unless a leader changed.
        self.sender.metadata_refreshed_at = Some(core.now);
        self.sender.metadata_failures = 0;
        if leaders == self.metadata {
            self.sender.metadata_equivalent += 1;
        } else {
            self.sender.metadata_equivalent = 0;
        }
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
        self.sender.pid_request = None;
        if self.idem.producer_id >= 0 {
            return;
        }
        self.idem.set_producer(producer_id, epoch);
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
                reason: CloseReason::ConnectionRefused,
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
        reason: CloseReason,
    ) {
        let conn = &self.sender.conns[broker as usize];
        if conn.state == ConnState::Disconnected {
            return;
        }
        let cgen = conn.cgen;
        let on_this =
            |r: Option<ControlRequest>| r.is_some_and(|r| r.broker == broker && r.cgen == cgen);
        if on_this(self.sender.metadata_request) {
            self.sender.metadata_failed(core.now);
        }
        if on_this(self.sender.pid_request) {
            self.sender.pid_request = None;
        }
        let conn = &mut self.sender.conns[broker as usize];
        conn.state = ConnState::Disconnected;
        conn.cgen += 1;
        conn.backoff_until = core.now + SimDuration::from_millis(RECONNECT_BACKOFF_MS);
        let ids: Vec<RequestId> = conn.in_flight.drain(..).collect();
        core.emit(TraceEvent::ConnectionClosed { broker, reason });
        for id in ids {
            if let Some(req) = self.sender.in_flight.remove(&id) {
                if let Some(timer) = req.timeout_event {
                    core.cancel(timer);
                }
                for sent in req.batches {
                    self.batch_result(core, w, sent, PartitionResult::Err(error));
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
        if let Some(req) = self.sender.in_flight.get_mut(&request) {
            req.timeout_event = None; // this is it, firing
        }
        core.emit(TraceEvent::RequestTimedOut { request, broker });
        self.close_connection(
            core,
            w,
            broker,
            KafkaError::RequestTimedOut,
            CloseReason::RequestTimeout,
        );
    }

    pub fn disconnected(&mut self, core: &mut Core, w: &Workload, broker: BrokerId, cgen: u32) {
        if self.sender.conns[broker as usize].cgen == cgen {
            self.close_connection(
                core,
                w,
                broker,
                KafkaError::NetworkException,
                CloseReason::BrokerClosed,
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
            for sent in req.batches {
                self.batch_result(core, w, sent, PartitionResult::Ok { base_offset: -1 });
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
        if let Some(timer) = req.timeout_event {
            core.cancel(timer);
        }
        for sent in req.batches {
            let result = resp.results.iter().find(|(id, _)| *id == sent.id).map_or(
                PartitionResult::Err(KafkaError::NetworkException),
                |(_, r)| *r,
            );
            self.batch_result(core, w, sent, result);
        }
        let now = core.now;
        self.wake_sender(core, now);
    }
}

#[derive(Clone, Copy)]
enum ControlKind {
    Metadata,
    ProducerId,
}
