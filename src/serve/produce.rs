//! Produce from a real client: its batches become one request to the simulated leader,
//! which appends, deduplicates (producer id, epoch, sequence), replicates and answers by
//! acks exactly as for the simulated producer (`sim::clients`).

use super::records::decode_produced;
use super::wire::code;
use super::world::{Answer, Asker, PendingProduce, World};
use crate::sim::clients::{ClientBatch, ClientReply};
use crate::sim::trace::KafkaError;
use crate::sim::{Sim, SimDuration};
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse, ResponseKind, TopicName};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;

/// Per topic in request order: its name and, per partition, its index and what answers it.
pub type Layout = Vec<(TopicName, Vec<(i32, Slot)>)>;

/// A partition's answer: known now, or the result of a batch sent to the simulation.
#[derive(Clone, Copy, Debug)]
pub enum Slot {
    Error(i16),
    Batch(u64),
    Done { error: i16, base_offset: i64 },
}

/// Kafka's error code for a simulated broker's produce error.
pub fn error_code(e: KafkaError) -> i16 {
    match e {
        KafkaError::NotLeaderOrFollower => code::NOT_LEADER_OR_FOLLOWER,
        KafkaError::NotEnoughReplicas => code::NOT_ENOUGH_REPLICAS,
        KafkaError::NotEnoughReplicasAfterAppend => code::NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        KafkaError::RequestTimedOut => code::REQUEST_TIMED_OUT,
        KafkaError::OutOfOrderSequenceNumber => code::OUT_OF_ORDER_SEQUENCE_NUMBER,
        KafkaError::InvalidProducerEpoch => code::INVALID_PRODUCER_EPOCH,
        KafkaError::OffsetOutOfRange => code::OFFSET_OUT_OF_RANGE,
        KafkaError::UnknownTopicOrPartition => code::UNKNOWN_TOPIC_OR_PARTITION,
        KafkaError::CoordinatorNotAvailable => code::COORDINATOR_NOT_AVAILABLE,
        _ => code::NETWORK_EXCEPTION,
    }
}

pub(super) fn handle(
    world: &mut World,
    sim: &mut Sim,
    broker: u32,
    asker: &Asker,
    req: &ProduceRequest,
) -> Answer {
    world.stats.produce_requests += 1;
    if !matches!(req.acks, -1..=1) {
        let layout = req
            .topic_data
            .iter()
            .map(|t| {
                let parts = t
                    .partition_data
                    .iter()
                    .map(|p| (p.index, Slot::Error(code::INVALID_REQUIRED_ACKS)))
                    .collect();
                (t.name.clone(), parts)
            })
            .collect();
        return Answer::now(response(&layout));
    }
    let partitions = sim.config().topology.partitions;
    let mut layout: Layout = Vec::new();
    let mut batches = Vec::new();
    let mut records = Vec::new();
    let mut prints = Vec::new();
    for t in &req.topic_data {
        let known = world.topic.as_deref() == Some(t.name.0.as_str());
        let mut parts = Vec::new();
        for p in &t.partition_data {
            let slot = if !known || p.index < 0 || p.index as u32 >= partitions {
                Slot::Error(code::UNKNOWN_TOPIC_OR_PARTITION)
            } else {
                match decode_produced(p.records.as_ref()) {
                    Err(e) => Slot::Error(e),
                    Ok(b) => {
                        let print = super::retries::fingerprint(p.index as u32, &b);
                        prints.push(print);
                        batches.push(ClientBatch {
                            partition: p.index as u32,
                            records: b.records.len() as u32,
                            bytes: b.bytes,
                            producer_id: b.producer_id,
                            producer_epoch: b.producer_epoch,
                            base_sequence: b.base_sequence,
                            retry_of: world.retries.earlier(print),
                        });
                        records.push(b.records);
                        Slot::Batch(batches.len() as u64 - 1)
                    }
                }
            };
            parts.push((p.index, slot));
        }
        layout.push((t.name.clone(), parts));
    }
    if batches.is_empty() {
        return if req.acks == 0 {
            Answer::Nothing
        } else {
            Answer::now(response(&layout))
        };
    }
    let timeout = SimDuration::from_millis(req.timeout_ms.max(0) as u64);
    let ticket = sim.client_produce(broker, req.acks, timeout, &batches);
    let attempts = ticket.batches.iter().zip(records).zip(&batches).zip(prints);
    for ((((batch_id, first), recs), b), print) in attempts {
        // A retry's records are stored already, under the ids it keeps.
        if b.retry_of.is_none() {
            world.payloads.store(*first, recs);
            world.retries.remember(print, *first);
        }
        world.stats.client_batches += 1;
        world.stats.client_records += u64::from(b.records);
        world.seen.batch(super::view::SeenBatch {
            t: world.now,
            batch: *batch_id,
            first_record: *first,
            broker,
            partition: b.partition,
            records: b.records,
            producer_id: b.producer_id,
            base_sequence: b.base_sequence,
            acks: req.acks,
        });
    }
    if req.acks == 0 {
        return Answer::Nothing;
    }
    // Slots name batches by their place in the request; the simulation by batch id.
    for (_, parts) in &mut layout {
        for (_, slot) in parts.iter_mut() {
            if let Slot::Batch(i) = *slot {
                let id = ticket.batches[i as usize].0;
                *slot = Slot::Batch(id);
            }
        }
    }
    world.produces.insert(
        ticket.request,
        PendingProduce {
            asker: asker.clone(),
            layout,
            batches: ticket
                .batches
                .iter()
                .zip(&batches)
                .map(|(&(id, first), b)| (id, (b.partition, first, b.records)))
                .collect(),
            acks: req.acks,
        },
    );
    Answer::Later
}

impl World {
    /// The simulated broker answered a real client's produce request.
    pub(super) fn finish_produce(&mut self, sim: &mut Sim, reply: ClientReply) {
        let Some(mut pending) = self.produces.remove(&reply.request) else {
            return;
        };
        let results: BTreeMap<u64, Result<i64, KafkaError>> = reply.results.into_iter().collect();
        for (_, parts) in &mut pending.layout {
            for (_, slot) in parts.iter_mut() {
                if let Slot::Batch(id) = *slot {
                    *slot = match results.get(&id) {
                        Some(Ok(base_offset)) => {
                            if let Some(&(_, first, len)) = pending.batches.get(&id) {
                                sim.client_acked(first, len, pending.acks);
                            }
                            Slot::Done {
                                error: code::NONE,
                                base_offset: *base_offset,
                            }
                        }
                        Some(Err(e)) => Slot::Error(error_code(*e)),
                        None => Slot::Error(code::NETWORK_EXCEPTION),
                    };
                }
            }
        }
        let resp = response(&pending.layout);
        self.respond(&pending.asker, &resp);
    }
}

fn response(layout: &Layout) -> ResponseKind {
    let mut r = ProduceResponse::default();
    r.responses = layout
        .iter()
        .map(|(name, parts)| {
            let mut t = TopicProduceResponse::default();
            t.name = name.clone();
            t.partition_responses = parts
                .iter()
                .map(|&(index, slot)| {
                    let mut p = PartitionProduceResponse::default();
                    p.index = index;
                    let (error, base_offset) = match slot {
                        Slot::Error(e) => (e, -1),
                        Slot::Done { error, base_offset } => (error, base_offset),
                        Slot::Batch(_) => (code::REQUEST_TIMED_OUT, -1),
                    };
                    p.error_code = error;
                    p.base_offset = base_offset;
                    p.log_start_offset = 0;
                    if error != code::NONE {
                        p.error_message = Some(StrBytes::from_static_str(error_name(error)));
                    }
                    p
                })
                .collect();
            t
        })
        .collect();
    ResponseKind::Produce(r)
}

fn error_name(code: i16) -> &'static str {
    match code {
        code::NOT_LEADER_OR_FOLLOWER => "This server is not the leader for that topic-partition.",
        code::NOT_ENOUGH_REPLICAS => {
            "Messages are rejected since there are fewer in-sync replicas than required."
        }
        code::UNKNOWN_TOPIC_OR_PARTITION => "This server does not host this topic-partition.",
        code::UNSUPPORTED_COMPRESSION_TYPE => "kafka-flow serve takes uncompressed batches only.",
        _ => "",
    }
}
