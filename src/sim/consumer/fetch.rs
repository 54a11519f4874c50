//! The consumer's fetcher: one fetch per leader for assigned partitions with nothing
//! buffered; answers fill the buffers `poll()` hands out, and wake a waiting `poll()`.

use super::{ClusterView, ConsumerGroup, Phase, REQUEST_TIMEOUT};
use crate::sim::config::OffsetReset;
use crate::sim::kernel::{ConsumerFetchRequest, ConsumerFetchResponse, Core, Message};
use crate::sim::network::Node;
use crate::sim::reason::PositionReason;
use crate::sim::time::SimDuration;
use crate::sim::trace::{BrokerId, KafkaError, TraceEvent};
use std::collections::BTreeMap;

impl ConsumerGroup {
    /// Fetch requests for assigned partitions with nothing buffered, one per leader.
    pub(super) fn send_fetches(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let con = &mut self.consumers[c as usize];
        let now = core.now;
        con.fetch_in_flight
            .retain(|_, sent| now.since(*sent) < REQUEST_TIMEOUT);
        let mut per_broker: BTreeMap<BrokerId, Vec<(u32, i64)>> = BTreeMap::new();
        for &p in &con.assignment {
            if con.buffers.get(&p).is_some_and(|b| !b.is_empty()) {
                continue;
            }
            let Some(Some(leader)) = view.leaders.get(p as usize) else {
                continue;
            };
            if con.fetch_in_flight.contains_key(leader) {
                continue;
            }
            let offset = con.fetch_offsets.get(&p).copied().unwrap_or(0);
            per_broker.entry(*leader).or_default().push((p, offset));
        }
        let cfg = &core.cfg.consumer;
        let (min_bytes, max_wait, max_partition_bytes) = (
            cfg.fetch_min_bytes,
            SimDuration::from_millis(cfg.fetch_max_wait_ms),
            cfg.max_partition_fetch_bytes,
        );
        for (b, partitions) in per_broker {
            con.fetch_in_flight.insert(b, now);
            core.send(
                Node::Consumer(c),
                Node::Broker(b),
                Message::ConsumerFetch(ConsumerFetchRequest {
                    consumer: c,
                    incarnation: con.incarnation,
                    partitions,
                    min_bytes,
                    max_wait,
                    max_partition_bytes,
                }),
            );
        }
    }

    pub fn on_fetch_response(
        &mut self,
        core: &mut Core,
        c: u32,
        from: BrokerId,
        resp: ConsumerFetchResponse,
        view: &ClusterView,
    ) {
        let con = &mut self.consumers[c as usize];
        if con.incarnation != resp.incarnation {
            return;
        }
        con.fetch_in_flight.remove(&from);
        let reset = core.cfg.consumer.auto_offset_reset;
        for part in resp.partitions {
            let p = part.partition;
            if !con.assignment.contains(&p) || con.fetch_offsets.get(&p) != Some(&part.fetch_offset)
            {
                continue;
            }
            if part.error == Some(KafkaError::OffsetOutOfRange) {
                let to = if reset == OffsetReset::Latest {
                    part.high_watermark
                } else {
                    part.log_start_offset
                };
                con.fetch_offsets.insert(p, to);
                con.positions.insert(p, to);
                core.emit(TraceEvent::PositionSet {
                    consumer: c,
                    partition: p,
                    offset: to,
                    reason: PositionReason::OutOfRange {
                        offset: part.fetch_offset,
                        reset,
                    },
                });
                continue;
            }
            if let Some(&(last, _)) = part.records.last() {
                con.fetch_offsets.insert(p, last + 1);
                con.buffers.entry(p).or_default().extend(part.records);
            }
        }
        if con.phase == Phase::Polling {
            self.poll(core, c, view);
        } else {
            self.send_fetches(core, c, view);
        }
    }
}
