//! Routing: each event and each message that arrives goes to the actor it is for.

use super::Sim;
use super::kernel::{Event, Message};
use super::network::Node;
use super::trace::{BrokerId, TraceEvent};

impl Sim {
    pub(super) fn dispatch(&mut self, ev: Event) {
        let core = &mut self.core;
        let w = &self.workload;
        match ev {
            Event::AppWake => self.producer.app_wake(core, w),
            Event::AppBlockTimeout { token } => self.producer.block_timeout(core, w, token),
            Event::SenderWake { token } => self.producer.sender_wake(core, w, token),
            Event::ConnectDone { broker, cgen } => {
                let ok = self.cluster.is_up(broker)
                    && core.net.reachable(Node::Producer, Node::Broker(broker));
                self.producer.connect_done(core, broker, cgen, ok);
            }
            Event::Disconnected { broker, cgen } => {
                self.producer.disconnected(core, w, broker, cgen);
            }
            Event::RequestTimeout {
                broker,
                request,
                cgen,
            } => {
                self.producer
                    .request_timeout(core, w, broker, request, cgen);
            }
            Event::RequestWritten {
                broker,
                request,
                cgen,
            } => {
                self.producer
                    .request_written(core, w, broker, request, cgen);
            }
            Event::Deliver { from, to, msg } => self.deliver(from, to, msg),
            Event::BrokerAppendDone { broker } => self.cluster.append_done(core, broker),
            Event::DelayedProduceTimeout { broker, request } => {
                self.cluster.delayed_timeout(core, broker, request);
            }
            Event::FetchWaitExpired {
                leader,
                follower,
                token,
            } => {
                self.cluster
                    .fetch_wait_expired(core, leader, follower, token);
            }
            Event::FollowerFetchTimeout {
                follower,
                leader,
                token,
            } => {
                self.cluster
                    .follower_fetch_timeout(core, follower, leader, token);
            }
            Event::IsrCheck => self.cluster.isr_check(core),
            Event::ConsumerWake {
                consumer,
                incarnation,
                token,
            } => {
                self.with_view(|g, core, view| g.on_wake(core, consumer, incarnation, token, view));
            }
            Event::ConsumerHeartbeat {
                consumer,
                incarnation,
                token,
            } => {
                self.with_view(|g, core, view| {
                    g.heartbeat(core, consumer, incarnation, token, view);
                });
            }
            Event::MemberSessionCheck { serial } => {
                let hws = self.partition_hws();
                if let Some(host) = self.with_view(|_, _, view| view.coordinator) {
                    self.group
                        .coordinator
                        .on_session_check(&mut self.core, host, serial, &hws);
                }
            }
            Event::RebalanceDeadline { round } => {
                let hws = self.partition_hws();
                if let Some(host) = self.with_view(|_, _, view| view.coordinator) {
                    self.group
                        .coordinator
                        .on_rebalance_deadline(&mut self.core, host, round, &hws);
                }
            }
            Event::ConsumerFetchWaitExpired { token, .. } => {
                self.cluster.consumer_fetch_expired(core, token);
            }
            Event::SessionExpired {
                broker,
                incarnation,
            } => {
                self.cluster.session_expired(core, broker, incarnation);
            }
            Event::Command(c) => {
                self.pending_commands -= 1;
                // Scheduled commands were validated when they were parsed; a refusal is traced.
                if let Err(error) = self.apply(c.clone()) {
                    self.core
                        .emit(TraceEvent::CommandRefused { command: c, error });
                }
            }
        }
    }

    pub(super) fn coordinator_message(&mut self, host: BrokerId, from: Node, msg: Message) {
        let hws = self.partition_hws();
        let coord = &mut self.group.coordinator;
        match msg {
            Message::JoinGroup {
                consumer,
                incarnation,
            } => coord.on_join(&mut self.core, host, consumer, incarnation, &hws),
            Message::Heartbeat {
                consumer,
                incarnation,
            } => coord.on_heartbeat(&mut self.core, host, consumer, incarnation),
            Message::LeaveGroup {
                consumer,
                incarnation,
            } => coord.on_leave(&mut self.core, host, consumer, incarnation, &hws),
            Message::OffsetCommit {
                consumer,
                incarnation,
                generation,
                id,
                offsets,
            } => {
                let error = coord.on_commit(consumer, incarnation, generation, &offsets);
                self.core.send(
                    Node::Broker(host),
                    from,
                    Message::OffsetCommitResponse {
                        incarnation,
                        id,
                        error,
                    },
                );
            }
            _ => {}
        }
    }

    pub(super) fn consumer_message(&mut self, c: u32, from: Node, msg: Message) {
        match msg {
            Message::ConsumerFetchResponse(resp) => {
                if let Node::Broker(b) = from {
                    self.with_view(|g, core, view| g.on_fetch_response(core, c, b, resp, view));
                }
            }
            Message::RebalanceNotice { incarnation } => {
                self.with_view(|g, core, view| g.on_rebalance_notice(core, c, incarnation, view));
            }
            Message::Assignment {
                incarnation,
                generation,
                partitions,
            } => {
                self.with_view(|g, core, view| {
                    g.on_assignment(core, c, incarnation, generation, &partitions, view);
                });
            }
            Message::OffsetCommitResponse {
                incarnation,
                id,
                error,
            } => {
                self.with_view(|g, core, view| {
                    g.on_commit_response(core, c, incarnation, id, error, view);
                });
            }
            _ => {}
        }
    }

    pub(super) fn deliver(&mut self, from: Node, to: Node, msg: Message) {
        let core = &mut self.core;
        if !core.net.reachable(from, to) {
            return;
        }
        let w = &self.workload;
        match (to, msg) {
            (Node::Broker(b), Message::Produce(req)) => self.cluster.on_produce(core, b, req),
            (Node::Broker(b), Message::Fetch(req)) => self.cluster.on_fetch(core, b, req),
            (Node::Broker(b), Message::FetchResponse(resp)) => {
                self.cluster.on_fetch_response(core, b, resp);
            }
            (Node::Broker(b), Message::Metadata) if self.cluster.is_up(b) => {
                let md = self.cluster.metadata();
                core.send(to, from, Message::MetadataResponse(md));
            }
            (Node::Broker(b), Message::InitProducerId) if self.cluster.is_up(b) => {
                core.send(
                    to,
                    from,
                    Message::InitProducerIdResponse {
                        producer_id: self.cluster.next_producer_id(),
                        epoch: 0,
                    },
                );
            }
            (Node::Broker(b), Message::ConsumerFetch(req)) => {
                self.cluster.on_consumer_fetch(core, b, req);
            }
            (
                Node::Broker(b),
                msg @ (Message::JoinGroup { .. }
                | Message::Heartbeat { .. }
                | Message::LeaveGroup { .. }
                | Message::OffsetCommit { .. }),
            ) if self.cluster.is_up(b) => self.coordinator_message(b, from, msg),
            (Node::Consumer(c), msg) => self.consumer_message(c, from, msg),
            (Node::Producer, Message::ProduceResponse(resp)) => {
                if let Node::Broker(b) = from {
                    self.producer.on_produce_response(core, w, b, &resp);
                }
            }
            (Node::Producer, Message::MetadataResponse(md)) => self.producer.on_metadata(core, md),
            (Node::Producer, Message::InitProducerIdResponse { producer_id, epoch }) => {
                self.producer.on_init_producer_id(core, producer_id, epoch);
            }
            _ => {}
        }
    }
}
