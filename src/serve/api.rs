//! One request in, one answer out: the dispatch by API, and the small ones (ApiVersions,
//! Metadata, FindCoordinator, InitProducerId).

use super::wire::{self, code};
use super::world::{Answer, Asker, World};
use super::{fetch, group_api, produce};
use crate::sim::Sim;
use kafka_protocol::messages::find_coordinator_response::Coordinator;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{
    BrokerId, FindCoordinatorRequest, FindCoordinatorResponse, InitProducerIdRequest,
    InitProducerIdResponse, MetadataRequest, MetadataResponse, ProducerId, RequestKind,
    ResponseKind, TopicName,
};
use kafka_protocol::protocol::StrBytes;

/// Answers a decoded request, or says why the connection must close.
pub(super) fn handle(
    world: &mut World,
    sim: &mut Sim,
    broker: u32,
    asker: &Asker,
    body: RequestKind,
) -> Result<Answer, String> {
    Ok(match body {
        RequestKind::ApiVersions(_) => {
            Answer::now(ResponseKind::ApiVersions(wire::api_versions(code::NONE)))
        }
        RequestKind::Metadata(req) => metadata(world, sim, asker, &req),
        RequestKind::Produce(req) => produce::handle(world, sim, broker, asker, &req),
        RequestKind::Fetch(req) => fetch::handle(world, sim, broker, asker, &req),
        RequestKind::ListOffsets(req) => fetch::list_offsets(world, sim, broker, asker, &req),
        RequestKind::FindCoordinator(req) => find_coordinator(world, sim, asker, &req),
        RequestKind::InitProducerId(req) => init_producer_id(world, sim, &req),
        RequestKind::JoinGroup(req) => group_api::join(world, sim, broker, asker, &req),
        RequestKind::SyncGroup(req) => group_api::sync(world, sim, broker, asker, &req),
        RequestKind::Heartbeat(req) => group_api::heartbeat(world, sim, broker, &req),
        RequestKind::LeaveGroup(req) => group_api::leave(world, sim, broker, asker, &req),
        RequestKind::OffsetCommit(req) => group_api::commit(world, sim, broker, &req),
        RequestKind::OffsetFetch(req) => group_api::fetch_offsets(world, sim, broker, &req),
        other => {
            return Err(format!(
                "{:?} is not served",
                std::mem::discriminant(&other)
            ));
        }
    })
}

fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// The brokers Metadata lists, at their listeners' addresses.
fn brokers(world: &World, sim: &Sim) -> Vec<MetadataResponseBroker> {
    world
        .addrs
        .iter()
        .enumerate()
        .filter(|(b, _)| sim.broker_listed(*b as u32))
        .map(|(b, addr)| {
            let mut m = MetadataResponseBroker::default();
            m.node_id = BrokerId(b as i32);
            m.host = sb(&addr.ip().to_string());
            m.port = i32::from(addr.port());
            m
        })
        .collect()
}

fn metadata(world: &mut World, sim: &Sim, asker: &Asker, req: &MetadataRequest) -> Answer {
    // Metadata v0 asks for all topics with an empty list; v1 on with null.
    let names: Option<Vec<String>> = match &req.topics {
        Some(ts) if !(ts.is_empty() && asker.version == 0) => Some(
            ts.iter()
                .filter_map(|t| t.name.as_ref().map(|n| n.0.as_str().to_string()))
                .collect(),
        ),
        _ => None,
    };
    // Auto-creation (`auto.create.topics.enable`): the first name a client asks for becomes
    // the world's topic. Before v4 a request could not refuse it.
    let may_create = asker.version < 4 || req.allow_auto_topic_creation;
    if let Some(names) = &names {
        if world.topic.is_none() && may_create {
            if let Some(first) = names.first() {
                world.topic = Some(first.clone());
                let cfg = sim.config();
                world.log.topic_created(
                    world.now,
                    first,
                    cfg.topology.partitions,
                    cfg.topology.replication_factor,
                );
            }
        }
    }
    let listed: Vec<String> = match names {
        Some(n) => n,
        None => world.topic.iter().cloned().collect(),
    };
    let parts = sim.client_metadata();
    let mut r = MetadataResponse::default();
    r.brokers = brokers(world, sim);
    r.cluster_id = Some(sb("kafka-flow"));
    r.controller_id = BrokerId(
        (0..world.addrs.len() as u32)
            .find(|&b| sim.broker_up(b))
            .map_or(-1, |b| b as i32),
    );
    r.topics = listed
        .iter()
        .map(|name| {
            let mut t = MetadataResponseTopic::default();
            t.name = Some(TopicName(sb(name)));
            if world.topic.as_deref() != Some(name.as_str()) {
                t.error_code = code::UNKNOWN_TOPIC_OR_PARTITION;
                world
                    .log
                    .unknown_topic(world.now, name, world.topic.as_deref());
                return t;
            }
            t.partitions = parts
                .iter()
                .map(|p| {
                    let mut m = MetadataResponsePartition::default();
                    m.partition_index = p.partition as i32;
                    m.leader_id = BrokerId(p.leader.map_or(-1, |l| l as i32));
                    m.leader_epoch = p.leader_epoch as i32;
                    m.error_code = if p.leader.is_some() {
                        code::NONE
                    } else {
                        code::LEADER_NOT_AVAILABLE
                    };
                    m.replica_nodes = p.replicas.iter().map(|&b| BrokerId(b as i32)).collect();
                    m.isr_nodes = p.isr.iter().map(|&b| BrokerId(b as i32)).collect();
                    m.offline_replicas = p
                        .replicas
                        .iter()
                        .filter(|&&b| !sim.broker_up(b))
                        .map(|&b| BrokerId(b as i32))
                        .collect();
                    m
                })
                .collect();
            t
        })
        .collect();
    Answer::now(ResponseKind::Metadata(r))
}

fn find_coordinator(
    world: &World,
    sim: &Sim,
    asker: &Asker,
    req: &FindCoordinatorRequest,
) -> Answer {
    let found = if req.key_type == 0 {
        sim.coordinator_for(req.key.as_str())
    } else {
        // Transactions are not simulated: no transaction coordinator.
        None
    };
    let (error, node, host, port) =
        match found.and_then(|b| world.addrs.get(b as usize).map(|a| (b, a))) {
            Some((b, addr)) => (
                code::NONE,
                b as i32,
                sb(&addr.ip().to_string()),
                i32::from(addr.port()),
            ),
            None => (code::COORDINATOR_NOT_AVAILABLE, -1, sb(""), -1),
        };
    let mut r = FindCoordinatorResponse::default();
    // Up to v3 one key and the answer at the top; v4 on a list (KIP-699). The encoder
    // refuses the other form's fields.
    if asker.version <= 3 {
        r.error_code = error;
        r.node_id = BrokerId(node);
        r.host = host;
        r.port = port;
    } else {
        let mut c = Coordinator::default();
        c.key = req.key.clone();
        c.node_id = BrokerId(node);
        c.host = host;
        c.port = port;
        c.error_code = error;
        r.coordinators = vec![c];
    }
    Answer::now(ResponseKind::FindCoordinator(r))
}

fn init_producer_id(world: &mut World, sim: &mut Sim, req: &InitProducerIdRequest) -> Answer {
    let mut r = InitProducerIdResponse::default();
    // A transactional id asks for transactions; null (or empty) is an idempotent producer.
    if req
        .transactional_id
        .as_ref()
        .is_some_and(|t| !t.0.is_empty())
    {
        // Transactions are not simulated.
        r.error_code = code::TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        r.producer_id = ProducerId(-1);
        r.producer_epoch = -1;
    } else {
        let (id, epoch) = sim.client_init_producer_id();
        r.producer_id = ProducerId(id);
        r.producer_epoch = epoch;
        world.log.producer_id(world.now, id);
    }
    Answer::now(ResponseKind::InitProducerId(r))
}
