//! Consumer fetches on the leader: records up to the high watermark only (read_uncommitted),
//! held in purgatory until fetch.min.bytes are readable or fetch.max.wait.ms passes.

use super::Cluster;
use crate::sim::kernel::{
    ConsumerFetchRequest, ConsumerFetchResponse, ConsumerFetchedPartition, Core, Event, Message,
};
use crate::sim::network::Node;
use crate::sim::trace::{BrokerId, KafkaError};

#[derive(Clone, Debug)]
pub struct ParkedConsumerFetch {
    pub broker: BrokerId,
    pub req: ConsumerFetchRequest,
}

impl Cluster {
    fn consumer_fetch_data(
        &self,
        b: BrokerId,
        req: &ConsumerFetchRequest,
    ) -> (Vec<ConsumerFetchedPartition>, u64, bool) {
        let mut bytes = 0u64;
        let mut error = false;
        let parts = req
            .partitions
            .iter()
            .map(|&(p, offset)| {
                let part = &self.partitions[p as usize];
                let mut out = ConsumerFetchedPartition {
                    partition: p,
                    fetch_offset: offset,
                    records: Vec::new(),
                    error: None,
                    high_watermark: 0,
                    log_start_offset: 0,
                };
                if part.leader != Some(b) {
                    out.error = Some(KafkaError::NotLeaderOrFollower);
                    error = true;
                    return out;
                }
                let rep = part.replica(b);
                out.high_watermark = rep.high_watermark;
                out.log_start_offset = rep.log_start_offset;
                if offset > rep.log_end_offset || offset < rep.log_start_offset.max(0) {
                    out.error = Some(KafkaError::OffsetOutOfRange);
                    error = true;
                    return out;
                }
                let hw = rep.high_watermark;
                let mut part_bytes = 0u64;
                for batch in rep.read_from(offset, u64::from(req.max_partition_bytes)) {
                    if batch.base_offset >= hw {
                        break;
                    }
                    part_bytes += u64::from(batch.wire.bytes);
                    for (i, r) in batch.wire.records.iter().enumerate() {
                        let off = batch.base_offset + i as i64;
                        if off >= offset && off < hw {
                            out.records.push((off, r));
                        }
                    }
                }
                bytes += part_bytes;
                out
            })
            .collect();
        (parts, bytes, error)
    }

    pub fn on_consumer_fetch(&mut self, core: &mut Core, b: BrokerId, req: ConsumerFetchRequest) {
        if !self.brokers[b as usize].alive {
            return;
        }
        let (parts, bytes, error) = self.consumer_fetch_data(b, &req);
        if error || bytes >= u64::from(req.min_bytes.max(1)) || req.max_wait.as_micros() == 0 {
            Self::send_consumer_fetch(core, b, &req, parts);
            return;
        }
        let token = core.token();
        let wait = req.max_wait;
        self.consumer_parked
            .insert(token, ParkedConsumerFetch { broker: b, req });
        core.after(wait, Event::ConsumerFetchWaitExpired { broker: b, token });
    }

    fn send_consumer_fetch(
        core: &mut Core,
        b: BrokerId,
        req: &ConsumerFetchRequest,
        partitions: Vec<ConsumerFetchedPartition>,
    ) {
        core.send(
            Node::Broker(b),
            Node::Consumer(req.consumer),
            Message::ConsumerFetchResponse(ConsumerFetchResponse {
                incarnation: req.incarnation,
                partitions,
            }),
        );
    }

    pub fn consumer_fetch_expired(&mut self, core: &mut Core, token: u64) {
        if let Some(parked) = self.consumer_parked.remove(&token) {
            if self.brokers[parked.broker as usize].alive {
                let (parts, _, _) = self.consumer_fetch_data(parked.broker, &parked.req);
                Self::send_consumer_fetch(core, parked.broker, &parked.req, parts);
            }
        }
    }

    /// The high watermark of `p` moved: parked consumer fetches on it may now be satisfied.
    pub(crate) fn wake_consumer_fetches(&mut self, core: &mut Core, p: u32) {
        if self.consumer_parked.is_empty() {
            return;
        }
        let tokens: Vec<u64> = self
            .consumer_parked
            .iter()
            .filter(|(_, f)| f.req.partitions.iter().any(|(q, _)| *q == p))
            .map(|(t, _)| *t)
            .collect();
        for t in tokens {
            let Some(parked) = self.consumer_parked.get(&t) else {
                continue;
            };
            let (parts, bytes, error) = self.consumer_fetch_data(parked.broker, &parked.req);
            if error || bytes >= u64::from(parked.req.min_bytes.max(1)) {
                if let Some(parked) = self.consumer_parked.remove(&t) {
                    Self::send_consumer_fetch(core, parked.broker, &parked.req, parts);
                }
            }
        }
    }
}
