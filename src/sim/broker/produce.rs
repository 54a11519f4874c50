//! Produce requests on the leader: one request per client connection at a time
//! (the broker mutes a channel until its response is sent), idempotence checks,
//! acks=0/1/all, `NotEnoughReplicas` before the append and
//! `NotEnoughReplicasAfterAppend` after it, and the acks=all purgatory
//! (`DelayedProduce`) that answers when the high watermark passes the batch.

use super::Cluster;
use super::replica::SequenceCheck;
use crate::sim::kernel::{Core, Event, Message, PartitionResult, ProduceRequest, ProduceResponse};
use crate::sim::reason::RejectReason;
use crate::sim::time::SimDuration;
use crate::sim::trace::{BatchId, BrokerId, KafkaError, RecordId, RequestId, TraceEvent};
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct BrokerQueue {
    waiting: VecDeque<ProduceRequest>,
    /// The request being appended or parked in purgatory: the channel is muted meanwhile.
    busy: bool,
    appending: Option<ProduceRequest>,
}

/// An acks=all request waiting for the high watermark.
#[derive(Clone, Debug)]
pub struct DelayedProduce {
    conn_gen: u32,
    results: Vec<(BatchId, PartitionResult)>,
    /// (index into results, partition, offset the HW must reach)
    pending: Vec<(usize, u32, i64)>,
}

impl Cluster {
    /// The smallest record id in a produce request the brokers hold but have not
    /// appended yet (waiting behind another request, or being appended).
    pub fn min_queued_record(&self) -> Option<RecordId> {
        self.queues
            .iter()
            .flat_map(|q| q.waiting.iter().chain(q.appending.iter()))
            .filter_map(ProduceRequest::min_record)
            .min()
    }

    pub fn on_produce(&mut self, core: &mut Core, b: BrokerId, req: ProduceRequest) {
        if !self.brokers[b as usize].alive {
            return;
        }
        let q = &mut self.queues[b as usize];
        q.waiting.push_back(req);
        if !q.busy {
            self.start_next(core, b);
        }
    }

    fn start_next(&mut self, core: &mut Core, b: BrokerId) {
        let q = &mut self.queues[b as usize];
        if let Some(req) = q.waiting.pop_front() {
            q.busy = true;
            q.appending = Some(req);
            core.after(
                SimDuration(core.cfg.sim.broker_append_us),
                Event::BrokerAppendDone { broker: b },
            );
        } else {
            q.busy = false;
        }
    }

    pub fn append_done(&mut self, core: &mut Core, b: BrokerId) {
        if !self.brokers[b as usize].alive {
            return;
        }
        let Some(req) = self.queues[b as usize].appending.take() else {
            return;
        };
        let min_isr = Cluster::min_isr(core);
        let mut results = Vec::with_capacity(req.batches.len());
        let mut pending = Vec::new();
        for wire in req.batches {
            let p = wire.partition;
            let batch_id = wire.batch_id;
            let n = wire.records.len() as i64;
            let part = &mut self.partitions[p as usize];
            let result = if part.leader != Some(b) {
                core.emit(TraceEvent::ProduceRejected {
                    broker: b,
                    partition: p,
                    batch: batch_id,
                    error: KafkaError::NotLeaderOrFollower,
                    reason: RejectReason::NotLeader {
                        broker: b,
                        partition: p,
                    },
                });
                PartitionResult::Err(KafkaError::NotLeaderOrFollower)
            } else if self.brokers[b as usize].reject_produce > 0 {
                self.brokers[b as usize].reject_produce -= 1;
                core.emit(TraceEvent::ProduceRejected {
                    broker: b,
                    partition: p,
                    batch: batch_id,
                    error: KafkaError::NotEnoughReplicas,
                    reason: RejectReason::InjectedFault,
                });
                PartitionResult::Err(KafkaError::NotEnoughReplicas)
            } else if req.acks_all && part.isr.len() < min_isr {
                core.emit(TraceEvent::ProduceRejected {
                    broker: b,
                    partition: p,
                    batch: batch_id,
                    error: KafkaError::NotEnoughReplicas,
                    reason: RejectReason::IsrTooSmall {
                        isr: part.isr.clone(),
                        min_isr: min_isr as u32,
                    },
                });
                PartitionResult::Err(KafkaError::NotEnoughReplicas)
            } else {
                let epoch = part.leader_epoch;
                let rep = part.replica_mut(b);
                match rep.check_sequence(&wire) {
                    SequenceCheck::Append => {
                        core.ledger.on_leader_append(
                            p,
                            rep.log_end_offset,
                            &wire.records,
                            batch_id,
                        );
                        let base = rep.append(wire, epoch);
                        core.emit(TraceEvent::Appended {
                            broker: b,
                            partition: p,
                            batch: batch_id,
                            base_offset: base,
                            records: n as u32,
                        });
                        self.wake_parked_fetches(core, b, p);
                        if req.acks_all {
                            pending.push((results.len(), p, base + n));
                        }
                        PartitionResult::Ok { base_offset: base }
                    }
                    SequenceCheck::Duplicate { base_offset } => {
                        core.emit(TraceEvent::DuplicateBatch {
                            broker: b,
                            partition: p,
                            batch: batch_id,
                            base_offset,
                        });
                        if req.acks_all {
                            pending.push((results.len(), p, base_offset + n));
                        }
                        PartitionResult::Ok { base_offset }
                    }
                    SequenceCheck::OutOfOrder { expected } => {
                        core.emit(TraceEvent::ProduceRejected {
                            broker: b,
                            partition: p,
                            batch: batch_id,
                            error: KafkaError::OutOfOrderSequenceNumber,
                            reason: RejectReason::SequenceGap {
                                got: wire.base_sequence,
                                expected,
                            },
                        });
                        PartitionResult::Err(KafkaError::OutOfOrderSequenceNumber)
                    }
                    SequenceCheck::InvalidEpoch => {
                        core.emit(TraceEvent::ProduceRejected {
                            broker: b,
                            partition: p,
                            batch: batch_id,
                            error: KafkaError::InvalidProducerEpoch,
                            reason: RejectReason::OldEpoch,
                        });
                        PartitionResult::Err(KafkaError::InvalidProducerEpoch)
                    }
                }
            };
            results.push((batch_id, result));
        }
        // With an ISR of one, the leader's own append moves the HW.
        let touched: Vec<u32> = pending.iter().map(|(_, p, _)| *p).collect();
        for p in touched {
            self.maybe_advance_hw(core, p);
        }
        if req.acks_zero {
            // No response at all: the channel is unmuted straight away.
            self.start_next(core, b);
            return;
        }
        if pending.is_empty() {
            self.respond(core, b, req.id, req.conn_gen, results);
            return;
        }
        let delayed = DelayedProduce {
            conn_gen: req.conn_gen,
            results,
            pending,
        };
        self.delayed[b as usize].insert(req.id, delayed);
        core.after(
            req.timeout,
            Event::DelayedProduceTimeout {
                broker: b,
                request: req.id,
            },
        );
        self.complete_delayed(core, b);
    }

    fn respond(
        &mut self,
        core: &mut Core,
        b: BrokerId,
        id: RequestId,
        conn_gen: u32,
        results: Vec<(BatchId, PartitionResult)>,
    ) {
        let st = &mut self.brokers[b as usize];
        if crate::sim::clients::is_client_id(id) {
            // A real client's answer goes back on its own socket (the server takes it).
            core.clients.replies.push(ProduceResponse {
                id,
                conn_gen,
                results,
            });
        } else if st.broken_conn == Some(conn_gen) {
            core.emit(TraceEvent::ResponseDropped {
                broker: b,
                request: id,
            });
        } else if st.drop_responses > 0 {
            st.drop_responses -= 1;
            st.broken_conn = Some(conn_gen);
            core.emit(TraceEvent::ResponseDropped {
                broker: b,
                request: id,
            });
        } else {
            Cluster::reply(
                core,
                b,
                Message::ProduceResponse(ProduceResponse {
                    id,
                    conn_gen,
                    results,
                }),
            );
        }
        self.start_next(core, b);
    }

    /// `DelayedProduce.tryComplete` for every parked request on broker `b`.
    pub(crate) fn complete_delayed(&mut self, core: &mut Core, b: BrokerId) {
        if self.delayed[b as usize].is_empty() {
            return;
        }
        let min_isr = Cluster::min_isr(core);
        let ids: Vec<RequestId> = self.delayed[b as usize].keys().copied().collect();
        for id in ids {
            let Some(d) = self.delayed[b as usize].get_mut(&id) else {
                continue;
            };
            let parts = &self.partitions;
            d.pending.retain(|&(idx, p, required)| {
                let part = &parts[p as usize];
                if part.leader != Some(b) {
                    d.results[idx].1 = PartitionResult::Err(KafkaError::NotLeaderOrFollower);
                    return false;
                }
                if part.replica(b).high_watermark >= required {
                    if part.isr.len() < min_isr {
                        // Written, replicated to what is left of the ISR, but the ISR shrank:
                        // a non-idempotent retry will write it again.
                        d.results[idx].1 =
                            PartitionResult::Err(KafkaError::NotEnoughReplicasAfterAppend);
                    }
                    return false;
                }
                true
            });
            if d.pending.is_empty() {
                let d = self.delayed[b as usize].remove(&id).expect("present");
                self.respond(core, b, id, d.conn_gen, d.results);
            }
        }
    }

    pub fn delayed_timeout(&mut self, core: &mut Core, b: BrokerId, id: RequestId) {
        let Some(mut d) = self.delayed[b as usize].remove(&id) else {
            return;
        };
        for &(idx, p, _) in &d.pending {
            d.results[idx].1 = PartitionResult::Err(KafkaError::RequestTimedOut);
            core.emit(TraceEvent::ProduceRejected {
                broker: b,
                partition: p,
                batch: d.results[idx].0,
                error: KafkaError::RequestTimedOut,
                reason: RejectReason::NotReplicatedInTime,
            });
        }
        self.respond(core, b, id, d.conn_gen, d.results);
    }

    pub(crate) fn fail_delayed_for_partition(
        &mut self,
        core: &mut Core,
        old_leader: BrokerId,
        _p: u32,
    ) {
        if self.brokers[old_leader as usize].alive {
            self.complete_delayed(core, old_leader);
        }
    }
}
