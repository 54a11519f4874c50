//! Fetch and ListOffsets from a real consumer: reads of the simulated leader's log up to
//! its high watermark. A fetch with too little to return waits (`DelayedFetch`) until
//! enough arrives or `max.wait.ms` passes, in live time.

use super::produce::error_code;
use super::records::encode_batch;
use super::world::{Answer, Asker, World};
use crate::sim::Sim;
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::{
    FetchRequest, FetchResponse, ListOffsetsRequest, ListOffsetsResponse, ResponseKind, TopicName,
};

/// What one partition of a fetch asked for.
#[derive(Clone, Debug)]
struct Wanted {
    partition: i32,
    offset: i64,
    max_bytes: u64,
}

/// A fetch waiting for data.
pub(super) struct ParkedFetch {
    pub asker: Asker,
    broker: u32,
    topics: Vec<(TopicName, Vec<Wanted>)>,
    min_bytes: u64,
    max_bytes: u64,
    deadline_ms: u64,
}

pub(super) fn handle(
    world: &mut World,
    sim: &Sim,
    broker: u32,
    asker: &Asker,
    req: &FetchRequest,
) -> Answer {
    world.stats.fetch_requests += 1;
    for t in &req.topics {
        for p in &t.partitions {
            if p.partition >= 0 {
                world.seen.fetched(p.partition as u32, p.fetch_offset);
            }
        }
    }
    let topics = req
        .topics
        .iter()
        .map(|t| {
            let parts = t
                .partitions
                .iter()
                .map(|p| Wanted {
                    partition: p.partition,
                    offset: p.fetch_offset,
                    max_bytes: p.partition_max_bytes.max(0) as u64,
                })
                .collect();
            (t.topic.clone(), parts)
        })
        .collect();
    let parked = ParkedFetch {
        asker: asker.clone(),
        broker,
        topics,
        min_bytes: req.min_bytes.max(0) as u64,
        max_bytes: (req.max_bytes.max(0) as u64).max(1),
        deadline_ms: world.now_ms() + req.max_wait_ms.max(0) as u64,
    };
    let (resp, bytes, errors) = world.read(sim, &parked);
    if bytes >= parked.min_bytes.max(1) || errors || parked.deadline_ms <= world.now_ms() {
        return Answer::now(resp);
    }
    world.fetches.push(parked);
    Answer::Later
}

impl World {
    /// Reads every partition a fetch wants: the answer, its record bytes, and whether any
    /// partition has an error (which answers at once, as Kafka's `DelayedFetch` does).
    fn read(&self, sim: &Sim, f: &ParkedFetch) -> (ResponseKind, u64, bool) {
        let mut total = 0u64;
        let mut errors = false;
        let workload = sim.workload();
        let responses = f
            .topics
            .iter()
            .map(|(name, parts)| {
                let known = self.topic.as_deref() == Some(name.0.as_str());
                let mut t = FetchableTopicResponse::default();
                t.topic = name.clone();
                t.partitions = parts
                    .iter()
                    .map(|w| {
                        let mut pd = PartitionData::default();
                        pd.partition_index = w.partition;
                        let read = if known && w.partition >= 0 {
                            let room = w.max_bytes.min(f.max_bytes.saturating_sub(total));
                            sim.client_read(f.broker, w.partition as u32, w.offset, room.max(1))
                        } else {
                            Err(crate::sim::trace::KafkaError::UnknownTopicOrPartition)
                        };
                        match read {
                            Ok(r) => {
                                pd.high_watermark = r.high_watermark;
                                pd.last_stable_offset = r.high_watermark;
                                pd.log_start_offset = r.log_start_offset;
                                let mut buf = BytesMut::new();
                                for b in &r.batches {
                                    buf.extend_from_slice(&encode_batch(
                                        b,
                                        &self.payloads,
                                        workload,
                                    ));
                                }
                                total += buf.len() as u64;
                                pd.records = Some(buf.freeze());
                            }
                            Err(e) => {
                                errors = true;
                                pd.error_code = error_code(e);
                                pd.high_watermark = -1;
                                pd.records = Some(Bytes::new());
                            }
                        }
                        pd
                    })
                    .collect();
                t
            })
            .collect();
        let mut resp = FetchResponse::default();
        resp.responses = responses;
        // Session id 0: no incremental fetch session, the client sends full fetches.
        resp.session_id = 0;
        (ResponseKind::Fetch(resp), total, errors)
    }

    /// The earliest `max.wait.ms` deadline of a parked fetch, in milliseconds.
    pub(super) fn next_fetch_deadline(&self) -> Option<u64> {
        self.fetches.iter().map(|f| f.deadline_ms).min()
    }

    /// Answers parked fetches whose data arrived or whose time ran out (`all`: every one,
    /// when the server stops).
    pub(super) fn serve_fetches(&mut self, sim: &Sim, all: bool) {
        if self.fetches.is_empty() {
            return;
        }
        let now = self.now_ms();
        let parked = std::mem::take(&mut self.fetches);
        for f in parked {
            let (resp, bytes, errors) = self.read(sim, &f);
            if all || errors || bytes >= f.min_bytes.max(1) || f.deadline_ms <= now {
                let asker = f.asker.clone();
                self.respond(&asker, &resp);
            } else {
                self.fetches.push(f);
            }
        }
    }
}

pub(super) fn list_offsets(
    world: &World,
    sim: &Sim,
    broker: u32,
    asker: &Asker,
    req: &ListOffsetsRequest,
) -> Answer {
    let mut resp = ListOffsetsResponse::default();
    resp.topics = req
        .topics
        .iter()
        .map(|t| {
            let known = world.topic.as_deref() == Some(t.name.0.as_str());
            let mut tr = ListOffsetsTopicResponse::default();
            tr.name = t.name.clone();
            tr.partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let mut pr = ListOffsetsPartitionResponse::default();
                    pr.partition_index = p.partition_index;
                    pr.timestamp = -1;
                    let res = if !known || p.partition_index < 0 {
                        Err(crate::sim::trace::KafkaError::UnknownTopicOrPartition)
                    } else {
                        // -2 is EARLIEST_TIMESTAMP, -1 LATEST_TIMESTAMP; a search by time
                        // finds nothing: the simulation keeps no timestamps.
                        match p.timestamp {
                            -2 => sim.client_list_offset(broker, p.partition_index as u32, true),
                            -1 => sim.client_list_offset(broker, p.partition_index as u32, false),
                            _ => sim
                                .client_list_offset(broker, p.partition_index as u32, false)
                                .map(|(_, e)| (-1, e)),
                        }
                    };
                    match res {
                        Ok((offset, epoch)) => {
                            pr.offset = offset;
                            // The field exists from v4 (the encoder refuses it before).
                            if asker.version >= 4 {
                                pr.leader_epoch = epoch as i32;
                            }
                        }
                        Err(e) => {
                            pr.error_code = error_code(e);
                            pr.offset = -1;
                        }
                    }
                    pr
                })
                .collect();
            tr
        })
        .collect();
    Answer::now(ResponseKind::ListOffsets(resp))
}
