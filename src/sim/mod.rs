//! The pure simulation core: virtual time, one seeded RNG, typed trace events.
//! No tokio, no terminal, no wall clock, no `HashMap` iteration order: the same
//! seed and commands give the same trace, byte for byte.

pub mod accumulator;
pub mod broker;
pub mod client_group;
pub mod clients;
pub mod command;
pub mod compaction;
mod completion;
pub mod config;
pub mod consumer;
mod dispatch;
pub mod idempotence;
pub mod kernel;
pub mod ledger;
pub mod network;
pub mod partitioner;
pub mod producer;
pub mod queue;
pub mod reason;
pub mod record;
pub mod record_ids;
pub mod record_log;
pub mod rng;
pub mod sender;
pub mod stats;
pub mod summary;
pub mod time;
pub mod trace;
pub mod view;
pub mod workload;

pub use command::{Command, Fault};
pub use config::{Config, ConfigError, KafkaVersion};
pub use time::{SimDuration, SimTime};
pub use trace::{TraceEvent, TraceRecord};
pub use workload::Workload;

use broker::Cluster;
use consumer::coordinator::Coordinator;
use consumer::{ClusterView, ConsumerGroup};
use kernel::{Core, Event};
use network::Node;
use producer::Producer;
use trace::BrokerId;

/// After the producer is done, keep running at most this long for replication to settle
/// and the consumers to catch up and commit (a rebalance waits for session timeouts).
const SETTLE_LIMIT: SimDuration = SimDuration(120_000_000);
/// A run with no `--until` stops here even if something never settles.
/// Default seed: fixed, so two runs of the same command agree unless asked otherwise.
pub const DEFAULT_SEED: u64 = 42;

pub const DEFAULT_TIME_LIMIT: SimDuration = SimDuration(3_600_000_000);

#[derive(Clone)]
pub struct Sim {
    core: Core,
    cluster: Cluster,
    producer: Producer,
    group: ConsumerGroup,
    workload: Workload,
    seed: u64,
    commands: Vec<(SimTime, Command)>,
    settled_at: Option<SimTime>,
    events: u64,
    /// When the last event processed happened (the clock may have moved on since).
    last_event: SimTime,
    /// Scheduled commands not yet applied: a run is not over while one is pending.
    pending_commands: usize,
    /// When settled records are compacted (`compaction.rs`).
    compaction: compaction::Compaction,
    /// Why the last `run` returned; cleared as soon as the simulation moves on.
    stopped: Option<RunEnd>,
}

/// Why `run` returned (the summary's `stopped.reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunEnd {
    /// The producer finished, replication caught up, the consumers read and committed everything.
    Settled,
    /// The producer finished, but something else did not settle within `SETTLE_LIMIT`
    /// (120 s): a consumer too slow, a partition nobody can read, a commit never answered.
    SettleLimit,
    /// The limit given to `run` (`--until`) was reached.
    Until,
    /// No limit was given and the default one (an hour of virtual time) was reached.
    TimeLimit,
    /// Nothing left to happen.
    Idle,
}

/// What applying a command did (`Sim::apply`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// It took effect at once.
    Live,
    /// The setting is read only when a producer is constructed: a new producer instance
    /// started with it (`config::Effect::RestartsProducer`, or idempotence flipped).
    ProducerRestarted,
}

impl RunEnd {
    pub fn name(self) -> &'static str {
        match self {
            Self::Settled => "settled",
            Self::SettleLimit => "settle_limit",
            Self::Until => "until",
            Self::TimeLimit => "time_limit",
            Self::Idle => "idle",
        }
    }
}

impl Sim {
    /// Validates the configuration as Kafka's `ProducerConfig` would, then starts the
    /// cluster and the producing application at virtual time 0.
    pub fn new(config: Config, workload: Workload, seed: u64) -> Result<Sim, ConfigError> {
        let eff = config.validate()?;
        workload.validate().map_err(|message| ConfigError {
            file: None,
            line: None,
            key: None,
            message,
        })?;
        let mut core = Core::new(config, eff, seed);
        let mut cluster = Cluster::new(
            core.cfg.topology.brokers,
            core.cfg.topology.partitions,
            core.cfg.topology.replication_factor,
            core.now,
        );
        cluster.start(&mut core);
        let producer = Producer::new(&core);
        let group = ConsumerGroup::new(core.cfg.consumer.consumers);
        let mut sim = Sim {
            core,
            cluster,
            producer,
            group,
            workload,
            seed,
            commands: Vec::new(),
            settled_at: None,
            events: 0,
            last_event: SimTime::ZERO,
            pending_commands: 0,
            stopped: None,
            compaction: compaction::Compaction::default(),
        };
        sim.core.at(SimTime::ZERO, Event::AppWake);
        let now = sim.core.now;
        sim.producer.wake_sender(&mut sim.core, now);
        for c in 0..sim.core.cfg.consumer.consumers {
            sim.with_view(|group, core, view| group.start(core, c, view));
        }
        Ok(sim)
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn now(&self) -> SimTime {
        self.core.now
    }
    pub fn config(&self) -> &Config {
        &self.core.cfg
    }
    pub fn effective(&self) -> &config::Effective {
        &self.core.eff
    }
    pub fn workload(&self) -> &Workload {
        &self.workload
    }
    pub(in crate::sim) fn producer(&self) -> &Producer {
        &self.producer
    }
    pub(in crate::sim) fn cluster(&self) -> &Cluster {
        &self.cluster
    }
    pub(in crate::sim) fn group(&self) -> &ConsumerGroup {
        &self.group
    }
    pub(in crate::sim) fn ledger(&self) -> &ledger::Ledger {
        &self.core.ledger
    }
    /// The ledger's verdicts for every record sent so far.
    pub(in crate::sim) fn ledger_report(&self) -> ledger::LedgerReport {
        self.core.ledger.report(
            &self.producer.records,
            self.core.cfg.consumer.consumers > 0,
            &self.group.coordinator.committed,
        )
    }
    pub fn high_watermarks(&self) -> Vec<i64> {
        self.cluster
            .partitions
            .iter()
            .map(broker::PartitionState::high_watermark)
            .collect()
    }

    /// Runs `f` on the consumer group with what a consumer can see of the cluster.
    fn with_view<R>(
        &mut self,
        f: impl FnOnce(&mut ConsumerGroup, &mut Core, &ClusterView) -> R,
    ) -> R {
        let leaders: Vec<Option<BrokerId>> =
            self.cluster.partitions.iter().map(|p| p.leader).collect();
        // The coordinator moves off a dead or cut-off broker (its offsets partition fails over).
        let up: Vec<bool> = (0..self.core.cfg.topology.brokers)
            .map(|b| self.cluster.is_up(b) && !self.cluster.brokers[b as usize].isolated)
            .collect();
        let coordinator = Coordinator::host(
            &self.core.cfg.consumer.group_id,
            self.core.cfg.topology.brokers,
            &up,
        );
        let view = ClusterView {
            leaders: &leaders,
            coordinator,
        };
        f(&mut self.group, &mut self.core, &view)
    }

    /// (partition, high watermark) for the coordinator's assignments.
    fn partition_hws(&self) -> Vec<(u32, i64)> {
        self.high_watermarks()
            .into_iter()
            .enumerate()
            .map(|(p, hw)| (p as u32, hw))
            .collect()
    }
    pub fn commands(&self) -> &[(SimTime, Command)] {
        &self.commands
    }
    /// Records and entries the simulation holds one by one: the producer's open records,
    /// every replica's log, the ledger's. What a copy of it (a rewind checkpoint) costs grows
    /// with this.
    pub fn retained_records(&self) -> u64 {
        let logs: i64 = self
            .cluster
            .partitions
            .iter()
            .flat_map(|p| p.replicas.iter().map(move |&r| p.replica(r)))
            .map(|r| r.log_end_offset - r.log_start_offset)
            .sum();
        let open = self.producer.records.len() - self.producer.records.base() as usize;
        logs.max(0) as u64 + open as u64 + self.core.ledger.retained()
    }

    /// When the last event processed so far happened (a UI steps back to it).
    pub fn last_event_time(&self) -> SimTime {
        self.last_event
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Events held in the queue (timers, messages on the wire), cancelled ones included
    /// until they are swept out.
    pub fn pending_events(&self) -> usize {
        self.core.queue.held()
    }

    /// Keeps the messages on the wire for drawing (`flights`).
    pub fn set_track_flights(&mut self, on: bool) {
        self.core.track_flights = on;
        self.core.flights.clear();
    }

    /// Messages on the wire right now (only with `set_track_flights(true)`).
    pub(in crate::sim) fn flights(&self) -> impl Iterator<Item = &kernel::Flight> {
        let now = self.core.now;
        self.core
            .flights
            .iter()
            .filter(move |f| f.arrive > now && f.depart <= now)
    }

    /// Forgets messages that have arrived.
    pub fn prune_flights(&mut self) {
        let now = self.core.now;
        self.core.flights.retain(|f| f.arrive > now);
    }

    /// The time of the next event, if any (a UI uses it to step one event).
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.core.queue.peek_time()
    }

    /// Turns trace collection off (a headless run that only wants the summary).
    pub fn set_trace_enabled(&mut self, on: bool) {
        self.core.trace_enabled = on;
    }

    /// Takes the trace events emitted since the last call.
    pub fn drain_trace(&mut self) -> Vec<TraceRecord> {
        std::mem::take(&mut self.core.trace)
    }

    /// Schedules a command at a future virtual time (e.g. a `--fault`). It runs once every
    /// other event of that instant has: exactly as `advance_to(at)` then `apply` would, which
    /// is how the TUI applies a key, so a session saved from the TUI replays the same.
    pub fn schedule(&mut self, at: SimTime, command: Command) {
        self.pending_commands += 1;
        self.core.at_late(at, Event::Command(command));
    }

    /// Applies a command now and says what it did. A bad `Set`, or one of a setting fixed
    /// when the simulation starts, is refused with the reason and changes nothing.
    pub fn apply(&mut self, command: Command) -> Result<Applied, String> {
        let applied = match &command {
            Command::Set { name, value } => {
                let mut cfg = self.core.cfg.clone();
                // Parsing first gives the usual message (with a suggestion) for a bad name.
                cfg.set(name, value).map_err(|e| e.to_string())?;
                let info = config::find_setting(name)
                    .ok_or_else(|| format!("unknown setting '{name}'"))?;
                // The simulation can start a new producer instance; the cluster and the
                // group's membership it cannot rebuild.
                if info.effect == config::Effect::FixedAtStart {
                    return Err(format!(
                        "{} is fixed when the simulation starts; set it on the command line (--set {}=...)",
                        info.name, info.name
                    ));
                }
                let eff = cfg.validate().map_err(|e| e.to_string())?;
                // A change that flips effective idempotence (acks or retries under a defaulted
                // enable.idempotence) also needs a new producer instance.
                let restart = info.effect == config::Effect::RestartsProducer
                    || eff.idempotence != self.core.eff.idempotence;
                self.core.cfg = cfg;
                self.core.eff = eff;
                self.apply_live_settings();
                if restart {
                    self.producer.begin_restart(&mut self.core);
                }
                let value = self.core.cfg.get(name).unwrap_or_else(|| value.clone());
                self.core.emit(TraceEvent::SettingChanged {
                    name: name.clone(),
                    value,
                });
                if restart {
                    Applied::ProducerRestarted
                } else {
                    Applied::Live
                }
            }
            Command::SetRate { rate } => {
                let mut w = self.workload.clone();
                w.rate = *rate;
                w.validate()?;
                self.workload = w;
                self.core.emit(TraceEvent::SettingChanged {
                    name: "rate".to_string(),
                    value: rate.to_string(),
                });
                Applied::Live
            }
            Command::Fault { fault } => {
                self.apply_fault(fault);
                Applied::Live
            }
        };
        self.commands.push((self.core.now, command));
        Ok(applied)
    }

    /// Settings the running simulation picks up at once.
    fn apply_live_settings(&mut self) {
        let cfg = &self.core.cfg;
        self.producer.acc.linger = SimDuration::from_millis(cfg.producer.linger_ms);
        self.core.net.latency = SimDuration(cfg.sim.network_latency_us);
        self.core.net.jitter = SimDuration(cfg.sim.network_jitter_us);
        self.core.net.bandwidth_mbps = cfg.sim.network_bandwidth_mbps;
        self.core.ledger.context = ledger::Context::of(cfg, &self.core.eff);
        let now = self.core.now;
        self.producer.wake_sender(&mut self.core, now);
    }

    fn apply_fault(&mut self, fault: &Fault) {
        let core = &mut self.core;
        core.emit(TraceEvent::Fault {
            fault: fault.clone(),
        });
        match *fault {
            Fault::KillBroker { broker } => self.kill_broker(broker),
            Fault::KillLeader { partition } => {
                if let Some(l) = self.cluster.partitions[partition as usize].leader {
                    self.kill_broker(l);
                }
            }
            Fault::RestartBroker { broker } => {
                self.cluster.restart(&mut self.core, broker);
            }
            Fault::DropResponses { broker, count } => {
                let targets: Vec<BrokerId> = match broker {
                    Some(b) => vec![b],
                    None => (0..self.core.cfg.topology.brokers).collect(),
                };
                for b in targets {
                    self.cluster.brokers[b as usize].drop_responses += count;
                }
            }
            Fault::RejectProduce { broker, count } => {
                let targets: Vec<BrokerId> = match broker {
                    Some(b) => vec![b],
                    None => (0..self.core.cfg.topology.brokers).collect(),
                };
                for b in targets {
                    self.cluster.brokers[b as usize].reject_produce += count;
                }
            }
            Fault::IsolateBroker { broker } => {
                self.core.net.set_isolated(Node::Broker(broker), true);
                self.cluster.isolate(&mut self.core, broker);
            }
            Fault::HealBroker { broker } => {
                self.core.net.set_isolated(Node::Broker(broker), false);
                self.cluster.heal(&mut self.core, broker);
            }
            Fault::SlowLink { broker, extra_ms } => self.core.net.add_latency(
                Node::Producer,
                Node::Broker(broker),
                SimDuration::from_millis(extra_ms),
            ),
            Fault::SlowFollower { broker, extra_ms } => {
                for other in 0..self.core.cfg.topology.brokers {
                    if other != broker {
                        self.core.net.add_latency(
                            Node::Broker(broker),
                            Node::Broker(other),
                            SimDuration::from_millis(extra_ms),
                        );
                    }
                }
            }
            Fault::CrashConsumer { consumer } => self.group.crash(&mut self.core, consumer),
            Fault::RestartConsumer { consumer } => {
                self.with_view(|g, core, view| g.start(core, consumer, view));
            }
            Fault::CrashProducer => self.producer.abandon(&mut self.core, true),
            Fault::CloseProducer => self.producer.abandon(&mut self.core, false),
        }
    }

    fn kill_broker(&mut self, b: BrokerId) {
        if !self.cluster.is_up(b) {
            return;
        }
        self.cluster.kill(&mut self.core, b);
        // The OS closes the dead process's sockets: the client sees a reset one hop later.
        let cgen = self.producer.sender.conns[b as usize].cgen;
        let latency = self.core.net.latency;
        self.core
            .after(latency, Event::Disconnected { broker: b, cgen });
    }

    /// Why the last `run` returned, if nothing happened since.
    pub fn stopped(&self) -> Option<RunEnd> {
        self.stopped
    }

    /// Processes the next event. Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        self.stopped = None;
        let Some((t, ev)) = self.core.queue.pop() else {
            return false;
        };
        self.core.now = self.core.now.max(t);
        self.last_event = t;
        self.events += 1;
        self.dispatch(ev);
        self.maybe_compact();
        true
    }

    /// Processes every event up to and including `t`, then sets the clock to `t`.
    pub fn advance_to(&mut self, t: SimTime) {
        self.stopped = None;
        self.core.horizon = t;
        while self.core.queue.peek_time().is_some_and(|next| next <= t) {
            self.step();
        }
        self.core.now = self.core.now.max(t);
    }

    /// Processes the next event if it is due at or before `t` (and nothing past `t` inline).
    /// Returns whether it did: a caller can run to `t` in slices of its own.
    pub fn step_until(&mut self, t: SimTime) -> bool {
        self.core.horizon = t;
        self.core.queue.peek_time().is_some_and(|next| next <= t) && self.step()
    }

    /// Like `advance_to`, but processes at most `budget` events. Returns false when the
    /// budget ran out first (the clock then stops at the last event processed).
    pub fn advance_to_budget(&mut self, t: SimTime, budget: u64) -> bool {
        self.stopped = None;
        self.core.horizon = t;
        let mut n = 0;
        while self.core.queue.peek_time().is_some_and(|next| next <= t) {
            if n >= budget {
                return false;
            }
            self.step();
            n += 1;
        }
        self.core.now = self.core.now.max(t);
        true
    }

    /// Whether the producer is done, every partition's replicas agree and the consumers
    /// read and committed everything.
    pub fn is_settled(&self) -> bool {
        self.producer.is_settled()
            && self.consumers_caught_up()
            && self.commits_settled()
            && self.replication_settled()
    }

    /// What has not settled yet: `producer`, `replication`, `consumers` (not caught up with
    /// the high watermarks, or rebalancing), `commits` (positions not committed yet).
    pub fn unsettled(&self) -> Vec<&'static str> {
        [
            ("producer", self.producer.is_settled()),
            ("replication", self.replication_settled()),
            ("consumers", self.consumers_caught_up()),
            ("commits", self.commits_settled()),
        ]
        .into_iter()
        .filter(|(_, done)| !done)
        .map(|(name, _)| name)
        .collect()
    }

    fn consumers_caught_up(&self) -> bool {
        self.group.caught_up(&self.high_watermarks())
    }

    fn commits_settled(&self) -> bool {
        self.group
            .commits_settled(self.core.cfg.consumer.commit_mode)
    }

    fn replication_settled(&self) -> bool {
        self.cluster.partitions.iter().all(|p| {
            let Some(l) = p.leader else { return true };
            let leo = p.replica(l).log_end_offset;
            // Every live replica caught up and back in the ISR (a restarted broker included).
            p.replica(l).high_watermark == leo
                && p.replicas.iter().all(|&r| {
                    !self.cluster.is_up(r)
                        || (p.isr.contains(&r) && p.replica(r).log_end_offset == leo)
                })
        })
    }

    /// Runs until the producer finished and replication settled, or until `limit`.
    /// Trace events accumulate; see `run_with` to stream them.
    pub fn run(&mut self, limit: Option<SimTime>) -> RunEnd {
        self.run_inner(limit, None)
    }

    /// Like `run`, handing trace events to `sink` in chunks as they are produced.
    pub fn run_with(
        &mut self,
        limit: Option<SimTime>,
        sink: &mut dyn FnMut(Vec<TraceRecord>),
    ) -> RunEnd {
        self.run_inner(limit, Some(sink))
    }

    fn run_inner(
        &mut self,
        limit: Option<SimTime>,
        mut sink: Option<&mut dyn FnMut(Vec<TraceRecord>)>,
    ) -> RunEnd {
        let at_limit = if limit.is_some() {
            RunEnd::Until
        } else {
            RunEnd::TimeLimit
        };
        let limit = limit.unwrap_or(SimTime::ZERO + DEFAULT_TIME_LIMIT);
        self.core.horizon = limit;
        let end = self.run_loop(limit, at_limit, &mut sink);
        if let Some(sink) = sink {
            sink(self.drain_trace());
        }
        self.stopped = Some(end);
        end
    }

    fn run_loop(
        &mut self,
        limit: SimTime,
        at_limit: RunEnd,
        sink: &mut Option<&mut dyn FnMut(Vec<TraceRecord>)>,
    ) -> RunEnd {
        loop {
            if let Some(sink) = sink {
                if self.core.trace.len() >= 8192 {
                    sink(self.drain_trace());
                }
            }
            let Some(next) = self.core.queue.peek_time() else {
                return RunEnd::Idle;
            };
            if next > limit {
                self.core.now = self.core.now.max(limit);
                return at_limit;
            }
            self.step();
            if self.producer.is_settled() && self.pending_commands == 0 {
                let since = *self.settled_at.get_or_insert(self.core.now);
                if self.is_settled() {
                    return RunEnd::Settled;
                }
                if self.core.now.since(since) >= SETTLE_LIMIT {
                    return RunEnd::SettleLimit;
                }
            } else {
                self.settled_at = None;
            }
        }
    }
}
