//! Keeping memory flat: every so often the simulation works out which records can no
//! longer change their verdict (see `ledger::settle`), lets the ledger count them for good,
//! drops the producer's and the ledger's per-record state for them, and removes from the
//! replicas' logs the batches nobody can need any more (as Kafka's retention would).
//! Nothing observable changes: a compacted run and an uncompacted one give the same
//! summary, the same ledger and the same trace.

use super::Sim;
use super::kernel::{Event, Message};
use super::ledger::Floors;
use super::trace::RecordId;

/// When and how much to compact.
#[derive(Clone, Copy, Debug)]
pub struct Compaction {
    /// Records kept one by one before compaction looks for settled ones.
    pub window: usize,
    /// How often (in events) the window is looked at.
    pub every_events: u64,
    /// Whether the replicas' logs drop batches too. A replica that is down meanwhile may
    /// come back behind the new log start and start again there (as after retention),
    /// which an uncompacted run would not do.
    pub replica_logs: bool,
}

impl Default for Compaction {
    fn default() -> Self {
        Compaction {
            window: 1 << 16,
            every_events: 1 << 12,
            replica_logs: true,
        }
    }
}

impl Compaction {
    /// Never compacts (tests compare against it).
    pub fn never() -> Self {
        Compaction {
            window: usize::MAX,
            ..Compaction::default()
        }
    }
}

/// How much per-record and per-batch state the simulation holds right now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Records the producer and the ledger still follow one by one.
    pub records_kept: usize,
    /// Unusual records waiting for consumers.
    pub exceptions: usize,
    /// Offsets of the official logs still kept.
    pub offsets_kept: usize,
    /// Batches in the replicas' logs.
    pub replica_batches: usize,
    /// Events waiting in the queue.
    pub queued_events: usize,
}

impl Sim {
    pub fn footprint(&self) -> Footprint {
        let (offsets_kept, exceptions) = self.core.ledger.footprint();
        Footprint {
            records_kept: self.producer.records.len() - self.producer.records.base() as usize,
            exceptions,
            offsets_kept,
            replica_batches: self
                .cluster
                .partitions
                .iter()
                .map(|p| {
                    p.replicas
                        .iter()
                        .map(|&r| p.replica(r).log.len())
                        .sum::<usize>()
                })
                .sum(),
            queued_events: self.core.queue.len(),
        }
    }

    /// Changes when and how much the simulation compacts (tests compare settings).
    pub fn set_compaction(&mut self, c: Compaction) {
        self.compaction = c;
    }

    pub(super) fn maybe_compact(&mut self) {
        if self.events % self.compaction.every_events.max(1) != 0 {
            return;
        }
        let kept = self.producer.records.len() - self.producer.records.base() as usize;
        if kept >= self.compaction.window {
            self.compact();
        }
    }

    /// Settles what can be settled and drops what only settled records needed.
    pub fn compact(&mut self) {
        let floors = Floors {
            log: self.log_floors(),
            consumer: self.consumer_floors(),
            write: self.write_floor(),
        };
        let consuming = self.core.cfg.consumer.consumers > 0;
        let committed = self.group.coordinator.committed.clone();
        self.core
            .ledger
            .settle(&floors, &self.producer.records, consuming, &committed);
        let base = self.core.ledger.base();
        self.producer.records.trim_to(base);
        if self.compaction.replica_logs {
            self.compact_replica_logs();
        }
    }

    /// Per partition: offsets below it keep their record for good: committed, and held by
    /// every replica that could still become leader.
    fn log_floors(&self) -> Vec<i64> {
        let unclean = self.core.cfg.topology.unclean_leader_election_enable;
        let committed = self.core.ledger.committed_to();
        self.cluster
            .partitions
            .iter()
            .enumerate()
            .map(|(p, part)| {
                // A clean election only picks an ISR member; an unclean one any replica.
                let could_lead = part
                    .replicas
                    .iter()
                    .filter(|r| unclean || part.isr.contains(r))
                    .map(|&r| part.replica(r).log_end_offset)
                    .min()
                    .unwrap_or(0);
                committed[p].min(could_lead)
            })
            .collect()
    }

    /// Per partition: the lowest offset a consumer of the group may still process: the
    /// group's committed offset (where a restarted or new owner starts), and each live
    /// member's records in hand and position. No group: no limit.
    fn consumer_floors(&self) -> Vec<i64> {
        let n = self.core.cfg.topology.partitions as usize;
        if self.core.cfg.consumer.consumers == 0 {
            return vec![i64::MAX; n];
        }
        let committed = &self.group.coordinator.committed;
        let mut floors: Vec<i64> = (0..n)
            .map(|p| committed.get(&(p as u32)).copied().unwrap_or(0))
            .collect();
        for con in &self.group.consumers {
            if con.phase == super::consumer::Phase::Dead {
                continue;
            }
            for &(p, off) in &con.in_hand {
                let f = &mut floors[p as usize];
                *f = (*f).min(off);
            }
            for (&p, &pos) in &con.positions {
                let f = &mut floors[p as usize];
                *f = (*f).min(pos);
            }
        }
        floors
    }

    /// No record below it can be written again: none is in a batch of the accumulator, in a
    /// produce request on the wire or waiting at a broker, or still to be sent.
    fn write_floor(&self) -> RecordId {
        let producer = self.producer.min_open_record();
        let on_wire = self
            .core
            .queue
            .iter()
            .filter_map(|e| match e {
                Event::Deliver {
                    msg: Message::Produce(req),
                    ..
                } => req.min_record(),
                _ => None,
            })
            .min();
        let at_broker = self.cluster.min_queued_record();
        [Some(producer), on_wire, at_broker]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(producer)
    }

    /// Batches below what the ledger settled and below every live replica's log end are
    /// dropped from the replicas' logs. A dead replica that comes back behind the new log
    /// start starts again there (`AbstractFetcherThread.fetchOffsetAndTruncate`).
    fn compact_replica_logs(&mut self) {
        let scanned = self.core.ledger.settled_offsets();
        let alive: Vec<bool> = self.cluster.brokers.iter().map(|b| b.alive).collect();
        for (p, part) in self.cluster.partitions.iter_mut().enumerate() {
            let live_ends = part
                .replicas
                .iter()
                .filter(|&&r| alive[r as usize])
                .map(|&r| part.replica(r).log_end_offset)
                .min()
                .unwrap_or(0);
            let to = scanned[p].min(live_ends);
            for r in part.replicas.clone() {
                part.replica_mut(r).compact_to(to);
            }
        }
    }
}
