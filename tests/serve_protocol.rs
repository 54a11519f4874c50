//! `serve` over the wire: the Kafka protocol as a real client speaks it, against the one
//! simulated cluster (acks=all, idempotent dedup, fetch up to the high watermark, long
//! poll, groups' coordinator, a broker killed from the control input).

mod common;

use common::kafka_client::{Client, batch};
use common::serve::{Out, start_with};
use kafka_flow::serve::{self, Server};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, FetchRequest, FetchResponse,
    FindCoordinatorRequest, FindCoordinatorResponse, InitProducerIdRequest, InitProducerIdResponse,
    ListOffsetsRequest, ListOffsetsResponse, MetadataRequest, MetadataResponse, ProduceRequest,
    ProduceResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::RecordBatchDecoder;
use std::time::{Duration, Instant};

fn start(extra: &[&str]) -> Server {
    start_with(extra, Out::default())
}

fn topic() -> TopicName {
    TopicName(StrBytes::from_static_str("first"))
}

fn metadata(c: &mut Client) -> MetadataResponse {
    let mut t = MetadataRequestTopic::default();
    t.name = Some(topic());
    let mut req = MetadataRequest::default();
    req.topics = Some(vec![t]);
    req.allow_auto_topic_creation = true;
    c.call(ApiKey::Metadata, 9, &req)
}

fn produce(c: &mut Client, partition: i32, records: bytes::Bytes) -> (i16, i64) {
    produce_acks(c, partition, records, -1)
}

fn produce_acks(c: &mut Client, partition: i32, records: bytes::Bytes, acks: i16) -> (i16, i64) {
    let mut p = PartitionProduceData::default();
    p.index = partition;
    p.records = Some(records);
    let mut t = TopicProduceData::default();
    t.name = topic();
    t.partition_data = vec![p];
    let mut req = ProduceRequest::default();
    req.acks = acks;
    req.timeout_ms = 30_000;
    req.topic_data = vec![t];
    let r: ProduceResponse = c.call(ApiKey::Produce, 8, &req);
    let p = &r.responses[0].partition_responses[0];
    (p.error_code, p.base_offset)
}

fn fetch(c: &mut Client, partition: i32, offset: i64, max_wait_ms: i32) -> FetchResponse {
    let mut p = FetchPartition::default();
    p.partition = partition;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    let mut t = FetchTopic::default();
    t.topic = topic();
    t.partitions = vec![p];
    let mut req = FetchRequest::default();
    req.max_wait_ms = max_wait_ms;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.topics = vec![t];
    c.call(ApiKey::Fetch, 11, &req)
}

fn latest(c: &mut Client, partition: i32) -> i64 {
    let mut p = ListOffsetsPartition::default();
    p.partition_index = partition;
    p.timestamp = -1;
    let mut t = ListOffsetsTopic::default();
    t.name = topic();
    t.partitions = vec![p];
    let mut req = ListOffsetsRequest::default();
    req.replica_id = (-1).into();
    req.topics = vec![t];
    let r: ListOffsetsResponse = c.call(ApiKey::ListOffsets, 5, &req);
    r.topics[0].partitions[0].offset
}

#[test]
fn api_versions_and_metadata_describe_the_simulated_cluster() {
    let server = start(&[]);
    let mut c = Client::connect(server.addrs[0]);
    let v: ApiVersionsResponse = c.call(ApiKey::ApiVersions, 3, &ApiVersionsRequest::default());
    assert_eq!(v.error_code, 0);
    assert_eq!(v.api_keys.len(), serve::wire::SUPPORTED.len());
    let m = metadata(&mut c);
    let ports: Vec<i32> = m.brokers.iter().map(|b| b.port).collect();
    let want: Vec<i32> = server.addrs.iter().map(|a| i32::from(a.port())).collect();
    assert_eq!(ports, want, "metadata advertises exactly the listeners");
    let t = &m.topics[0];
    assert_eq!(t.error_code, 0);
    let leaders: Vec<i32> = t.partitions.iter().map(|p| p.leader_id.0).collect();
    assert_eq!(leaders, [0, 1, 2], "leaders spread as Kafka assigns them");
    assert!(t.partitions.iter().all(|p| p.isr_nodes.len() == 3));
    server.stop();
}

#[test]
fn an_idempotent_retry_is_written_once_and_fetched_back_in_order() {
    let server = start(&[]);
    let mut c = Client::connect(server.addrs[0]);
    let mut init = InitProducerIdRequest::default();
    init.transactional_id = None;
    let pid: InitProducerIdResponse = c.call(ApiKey::InitProducerId, 1, &init);
    assert_eq!(pid.error_code, 0);
    let pid = pid.producer_id.0;
    // acks=all: the answer waits for the followers, so the HW is past the batch.
    assert_eq!(produce(&mut c, 0, batch(pid, 0, 5)), (0, 0));
    assert_eq!(latest(&mut c, 0), 5);
    // The same batch again (a retry after a lost answer): acknowledged at its first
    // offset, not written twice.
    assert_eq!(produce(&mut c, 0, batch(pid, 0, 5)), (0, 0));
    assert_eq!(latest(&mut c, 0), 5);
    assert_eq!(produce(&mut c, 0, batch(pid, 5, 3)), (0, 5));
    // A sequence gap is refused.
    assert_eq!(produce(&mut c, 0, batch(pid, 20, 1)).0, 45);
    let f = fetch(&mut c, 0, 0, 0);
    let p = &f.responses[0].partitions[0];
    assert_eq!((p.error_code, p.high_watermark), (0, 8));
    let mut data = p.records.clone().unwrap();
    let sets = RecordBatchDecoder::decode_all(&mut data).unwrap();
    let got: Vec<(i64, String)> = sets
        .iter()
        .flat_map(|s| s.records.iter())
        .map(|r| {
            let key = String::from_utf8(r.key.clone().unwrap().to_vec()).unwrap();
            (r.offset, key)
        })
        .collect();
    let want: Vec<(i64, String)> = (0..8).map(|i| (i, format!("hello{i}"))).collect();
    assert_eq!(got, want);
    assert!(
        sets.iter()
            .flat_map(|s| &s.records)
            .all(|r| r.producer_id == pid)
    );
    server.stop();
}

#[test]
fn the_wrong_broker_a_far_offset_and_an_empty_log_answer_as_kafka_does() {
    let server = start(&[]);
    let mut c = Client::connect(server.addrs[1]);
    metadata(&mut c);
    // Partition 0 is led by broker 0: broker 1 is not its leader.
    assert_eq!(
        produce(&mut c, 0, batch(-1, -1, 1)).0,
        6,
        "NOT_LEADER_OR_FOLLOWER"
    );
    let far = fetch(&mut c, 1, 100, 0);
    assert_eq!(
        far.responses[0].partitions[0].error_code, 1,
        "OFFSET_OUT_OF_RANGE"
    );
    // Nothing to read: the fetch waits max.wait.ms before an empty answer (long poll).
    let t0 = Instant::now();
    let empty = fetch(&mut c, 1, 0, 300);
    assert!(
        t0.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t0.elapsed()
    );
    let p = &empty.responses[0].partitions[0];
    assert_eq!(
        (p.error_code, p.records.as_ref().map(bytes::Bytes::len)),
        (0, Some(0))
    );
    server.stop();
}

#[test]
fn a_parked_fetch_answers_when_a_produce_arrives() {
    let server = start(&[]);
    let mut consumer = Client::connect(server.addrs[2]);
    let mut producer = Client::connect(server.addrs[2]);
    metadata(&mut consumer);
    // Park a fetch for up to 10 s, then produce: the answer must come with the records.
    let t0 = Instant::now();
    let mut p = FetchPartition::default();
    p.partition = 2;
    p.partition_max_bytes = 1 << 20;
    let mut t = FetchTopic::default();
    t.topic = topic();
    t.partitions = vec![p];
    let mut req = FetchRequest::default();
    req.max_wait_ms = 10_000;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.topics = vec![t];
    consumer.send(ApiKey::Fetch, 11, &req);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(produce(&mut producer, 2, batch(-1, -1, 4)).0, 0);
    let r: FetchResponse = consumer.answer(ApiKey::Fetch, 11);
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    assert_eq!(r.responses[0].partitions[0].high_watermark, 4);
    server.stop();
}

#[test]
fn find_coordinator_names_the_simulated_groups_host() {
    let server = start(&[]);
    let mut c = Client::connect(server.addrs[0]);
    let mut req = FindCoordinatorRequest::default();
    req.key = StrBytes::from_static_str("testAPI");
    let r: FindCoordinatorResponse = c.call(ApiKey::FindCoordinator, 2, &req);
    assert_eq!(r.error_code, 0);
    // Kafka's hash of "testAPI" over 50 offsets partitions lands on broker 2 of 3.
    assert_eq!(r.node_id.0, 2);
    assert_eq!(r.port, i32::from(server.addrs[2].port()));
    server.stop();
}

#[test]
fn a_killed_broker_closes_its_connections_and_refuses_new_ones() {
    // The controller fences a silent broker after broker.session.timeout.ms.
    let server = start(&["broker.session.timeout.ms=300"]);
    let mut c = Client::connect(server.addrs[0]);
    metadata(&mut c);
    server.control("kill-broker:0");
    assert!(c.closed(), "the dead broker's socket closes");
    let mut again = Client::connect(server.addrs[0]);
    assert!(again.closed(), "a new connection to it is dropped");
    // The others still answer. Until the controller fences it, broker 0 is still listed
    // and still leads partition 0, as in Kafka; then partition 0 moves.
    let mut other = Client::connect(server.addrs[1]);
    let m = metadata(&mut other);
    assert!(m.brokers.iter().any(|b| b.node_id.0 == 0));
    assert_eq!(m.topics[0].partitions[0].leader_id.0, 0);
    std::thread::sleep(Duration::from_millis(600));
    let m = metadata(&mut other);
    assert!(m.brokers.iter().all(|b| b.node_id.0 != 0));
    assert_ne!(m.topics[0].partitions[0].leader_id.0, 0);
    server.control("restart-broker:0");
    std::thread::sleep(Duration::from_millis(50));
    let mut back = Client::connect(server.addrs[0]);
    let m = metadata(&mut back);
    assert!(m.brokers.iter().any(|b| b.node_id.0 == 0));
    server.stop();
}

/// Every served version of every API answers something a client can decode: the encoder
/// refuses fields a version lacks, so each answer is built for its version.
#[test]
fn every_served_version_answers_in_its_own_format() {
    use kafka_protocol::messages::{
        HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse,
        LeaveGroupRequest, LeaveGroupResponse, OffsetCommitRequest, OffsetCommitResponse,
        OffsetFetchRequest, OffsetFetchResponse, SyncGroupRequest, SyncGroupResponse,
    };
    let server = start(&[]);
    // Group requests go to the coordinator of "testAPI": broker 2.
    let mut c = Client::connect(server.addrs[2]);
    metadata(&mut c);
    let group = kafka_protocol::messages::GroupId(StrBytes::from_static_str("testAPI"));
    for (api, lo, hi) in serve::wire::SUPPORTED {
        for v in lo..=hi {
            match api {
                ApiKey::ApiVersions => {
                    let r: ApiVersionsResponse = c.call(api, v, &ApiVersionsRequest::default());
                    assert_eq!(r.error_code, 0, "v{v}");
                }
                ApiKey::Metadata => {
                    let mut req = MetadataRequest::default();
                    req.topics = if v == 0 { Some(vec![]) } else { None };
                    let r: MetadataResponse = c.call(api, v, &req);
                    assert_eq!(r.brokers.len(), 3, "Metadata v{v}");
                    assert_eq!(r.topics.len(), 1, "Metadata v{v}");
                }
                ApiKey::Produce => {
                    let mut p = PartitionProduceData::default();
                    p.index = 2;
                    p.records = Some(batch(-1, -1, 1));
                    let mut t = TopicProduceData::default();
                    t.name = topic();
                    t.partition_data = vec![p];
                    let mut req = ProduceRequest::default();
                    req.acks = 1;
                    req.timeout_ms = 5000;
                    req.topic_data = vec![t];
                    let r: ProduceResponse = c.call(api, v, &req);
                    assert_eq!(
                        r.responses[0].partition_responses[0].error_code, 0,
                        "Produce v{v}"
                    );
                }
                ApiKey::Fetch => {
                    let mut p = FetchPartition::default();
                    p.partition = 2;
                    p.partition_max_bytes = 1 << 20;
                    let mut t = FetchTopic::default();
                    t.topic = topic();
                    t.partitions = vec![p];
                    let mut req = FetchRequest::default();
                    req.max_bytes = 1 << 20;
                    req.topics = vec![t];
                    let r: FetchResponse = c.call(api, v, &req);
                    assert_eq!(r.responses[0].partitions[0].error_code, 0, "Fetch v{v}");
                }
                ApiKey::ListOffsets => {
                    let mut p = ListOffsetsPartition::default();
                    p.partition_index = 2;
                    p.timestamp = -2;
                    let mut t = ListOffsetsTopic::default();
                    t.name = topic();
                    t.partitions = vec![p];
                    let mut req = ListOffsetsRequest::default();
                    req.replica_id = (-1).into();
                    req.topics = vec![t];
                    let r: ListOffsetsResponse = c.call(api, v, &req);
                    assert_eq!(r.topics[0].partitions[0].error_code, 0, "ListOffsets v{v}");
                }
                ApiKey::FindCoordinator => {
                    let mut req = FindCoordinatorRequest::default();
                    req.key = StrBytes::from_static_str("testAPI");
                    let r: FindCoordinatorResponse = c.call(api, v, &req);
                    assert_eq!((r.error_code, r.node_id.0), (0, 2), "FindCoordinator v{v}");
                }
                ApiKey::InitProducerId => {
                    let mut req = InitProducerIdRequest::default();
                    req.transactional_id = None;
                    let r: InitProducerIdResponse = c.call(api, v, &req);
                    assert!(r.producer_id.0 >= 0, "InitProducerId v{v}");
                }
                ApiKey::JoinGroup => {
                    // Before v4 a first join waits for the group's initial delay (3 s);
                    // from v4 it answers MEMBER_ID_REQUIRED at once.
                    if v >= 4 {
                        let mut req = JoinGroupRequest::default();
                        req.group_id = group.clone();
                        req.session_timeout_ms = 10_000;
                        req.rebalance_timeout_ms = 10_000;
                        req.protocol_type = StrBytes::from_static_str("consumer");
                        let mut range =
                            kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol::default();
                        range.name = StrBytes::from_static_str("range");
                        req.protocols = vec![range];
                        let r: JoinGroupResponse = c.call(api, v, &req);
                        assert_eq!(r.error_code, 79, "JoinGroup v{v}");
                    }
                }
                ApiKey::SyncGroup => {
                    let mut req = SyncGroupRequest::default();
                    req.group_id = group.clone();
                    req.member_id = StrBytes::from_static_str("nobody");
                    let r: SyncGroupResponse = c.call(api, v, &req);
                    assert_eq!(r.error_code, 25, "SyncGroup v{v}: UNKNOWN_MEMBER_ID");
                }
                ApiKey::Heartbeat => {
                    let mut req = HeartbeatRequest::default();
                    req.group_id = group.clone();
                    req.member_id = StrBytes::from_static_str("nobody");
                    let r: HeartbeatResponse = c.call(api, v, &req);
                    assert_ne!(r.error_code, 0, "Heartbeat v{v}");
                }
                ApiKey::LeaveGroup => {
                    let mut req = LeaveGroupRequest::default();
                    req.group_id = group.clone();
                    if v < 3 {
                        req.member_id = StrBytes::from_static_str("nobody");
                    }
                    let _: LeaveGroupResponse = c.call(api, v, &req);
                }
                ApiKey::OffsetCommit => {
                    let mut req = OffsetCommitRequest::default();
                    req.group_id = group.clone();
                    req.generation_id_or_member_epoch = -1;
                    let _: OffsetCommitResponse = c.call(api, v, &req);
                }
                ApiKey::OffsetFetch => {
                    let mut req = OffsetFetchRequest::default();
                    req.group_id = group.clone();
                    req.topics = if v >= 2 { None } else { Some(vec![]) };
                    let r: OffsetFetchResponse = c.call(api, v, &req);
                    if v >= 2 {
                        assert_eq!(r.topics[0].partitions.len(), 3, "OffsetFetch v{v}");
                    }
                }
                other => panic!("{other:?} is served but not tried here"),
            }
        }
    }
    server.stop();
}

/// acks=1: the leader acknowledges before its followers copy; killed then, a follower
/// without the batch takes over and the acknowledged records are gone. The same with
/// acks=all loses nothing. What the server judges of real records says so.
#[test]
fn a_real_producers_acks_1_records_are_lost_with_the_leader_and_judged_so() {
    for (acks, lost) in [(1, 5), (-1, 0)] {
        let out = Out::default();
        let server = start_with(&["broker.session.timeout.ms=300"], out.clone());
        let mut c = Client::connect(server.addrs[0]);
        metadata(&mut c);
        // The followers fetch slowly: nothing reaches them for seconds.
        server.control("slow-follower:1:3000");
        server.control("slow-follower:2:3000");
        std::thread::sleep(Duration::from_millis(50));
        if acks == 1 {
            assert_eq!(produce_acks(&mut c, 0, batch(-1, -1, 5), 1), (0, 0));
        } else {
            // acks=all waits for the slow followers; ask on another thread and kill later.
            let addr = server.addrs[0];
            let waiting = std::thread::spawn(move || {
                let mut c = Client::connect(addr);
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    produce_acks(&mut c, 0, batch(-1, -1, 5), -1)
                }));
            });
            std::thread::sleep(Duration::from_millis(100));
            server.control("kill-broker:0");
            let _ = waiting.join();
        }
        server.control("kill-broker:0");
        // Fenced after 300 ms; a follower leads partition 0 without the batch.
        std::thread::sleep(Duration::from_millis(700));
        let v = &out.stats(&server)["real_records"];
        assert_eq!(v["lost"], lost, "acks={acks}: {v}");
        assert_eq!(
            v["acked"],
            if acks == 1 { 5 } else { 0 },
            "acks={acks}: {v}"
        );
        server.stop();
        let said = out.text();
        assert!(said.contains("real records:"), "the summary judges them");
        // The ledger says why: the leader had them, its followers did not.
        let why = said
            .lines()
            .filter(|l| {
                l.contains("was acknowledged, then lost: acks=1: the leader had written it")
            })
            .count();
        assert_eq!(why, if acks == 1 { 2 } else { 0 }, "{said}");
    }
}

/// A retry without idempotence writes the batch again: the same records at two offsets,
/// judged written twice. With idempotence the broker recognises it: written once.
#[test]
fn a_retry_without_idempotence_is_judged_written_twice() {
    let out = Out::default();
    let server = start_with(&[], out.clone());
    let mut c = Client::connect(server.addrs[2]);
    metadata(&mut c);
    let plain = batch(-1, -1, 3);
    assert_eq!(produce(&mut c, 2, plain.clone()), (0, 0));
    assert_eq!(produce(&mut c, 2, plain), (0, 3));
    let mut init = InitProducerIdRequest::default();
    init.transactional_id = None;
    let pid: InitProducerIdResponse = c.call(ApiKey::InitProducerId, 1, &init);
    // On partition 1 (led by broker 1), so its records meet no copy of the others.
    let mut c1 = Client::connect(server.addrs[1]);
    let idempotent = batch(pid.producer_id.0, 0, 4);
    assert_eq!(produce(&mut c1, 1, idempotent.clone()), (0, 0));
    assert_eq!(produce(&mut c1, 1, idempotent), (0, 0));
    let v = &out.stats(&server)["real_records"];
    // Records, not acknowledgements: 3 plain and 4 idempotent ones, each acknowledged twice.
    assert_eq!(v["acked"], 7, "{v}");
    assert_eq!(v["committed"], 7, "{v}");
    assert_eq!(
        (v["lost"].as_u64(), v["duplicated"].as_u64()),
        (Some(0), Some(3)),
        "{v}"
    );
    server.stop();
    let said = out.text();
    // The ledger explains the latest two: the second attempt of batch cb0 (ids kept).
    let twice: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("is in the log twice"))
        .collect();
    assert_eq!(twice.len(), 2, "{said}");
    // The latest first: record c2 at offsets 2 and 5, then c1 at 1 and 4; batch cb1 is the
    // second attempt, which kept the first's record ids.
    for (l, (r, first, again)) in twice.iter().zip([("c1", 1, 4), ("c2", 2, 5)]) {
        let want = format!(
            "real record {r} (p2) is in the log twice: retry without idempotence: the real \
             producer sent it again in batch cb1, though the log already had it at offset \
             {first}; the broker wrote it again at offset {again}"
        );
        assert!(l.ends_with(&want), "{l}\n{want}");
    }
}
