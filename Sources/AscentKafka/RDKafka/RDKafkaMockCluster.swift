import AscentLog
import CRdKafka

/// librdkafka's in-process mock Kafka cluster: real wire protocol over TCP on 127.0.0.1, with
/// fault injection. For tests and benchmarks only: it keeps about 5 MB per partition and fetches
/// slowly.
///
/// `@unchecked Sendable`: the mock API posts every operation to the cluster's own thread under
/// its lock, so calls from any thread are safe; the stored pointers never change after init.
public final class RDKafkaMockCluster: @unchecked Sendable {
    /// Kafka protocol request kinds (ApiKey), for fault injection.
    public enum RequestKind: Int16, Sendable {
        /// ProduceRequest.
        case produce = 0
        /// FetchRequest.
        case fetch = 1
        /// ListOffsetsRequest.
        case listOffsets = 2
        /// MetadataRequest.
        case metadata = 3
        /// OffsetCommitRequest.
        case offsetCommit = 8
        /// OffsetFetchRequest.
        case offsetFetch = 9
        /// FindCoordinatorRequest.
        case findCoordinator = 10
        /// JoinGroupRequest.
        case joinGroup = 11
        /// HeartbeatRequest.
        case heartbeat = 12
        /// InitProducerIdRequest.
        case initProducerId = 22
    }

    /// Owned: a throwaway client whose only job is to own the cluster; destroyed after it.
    private let owner: OpaquePointer
    /// Owned: destroyed in deinit before `owner`.
    private let cluster: OpaquePointer
    /// The number of brokers; their ids are 1...brokerCount.
    public let brokerCount: Int32
    /// The bootstrap servers string to give clients ("127.0.0.1:port,...").
    public let bootstrapServers: String

    /// Starts a cluster of `brokerCount` brokers.
    public init(brokerCount: Int32 = 3) throws {
        let config = rd_kafka_conf_new()
        // The owner never connects anywhere; keep its "no bootstrap.servers" notice quiet.
        rd_kafka_conf_set(config, "log_level", "4", nil, 0)
        var errorText = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes the conf only on success.
        guard let owner = rd_kafka_new(RD_KAFKA_PRODUCER, config, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(config)
            throw LogError(code: "CLIENT_CREATE", reason: "cannot make the mock cluster's owner handle",
                           operation: "mock cluster", isRetriable: false)
        }
        guard let cluster = rd_kafka_mock_cluster_new(owner, Int32(brokerCount)) else {
            rd_kafka_destroy(owner)
            throw LogError(code: "MOCK_CREATE", reason: "rd_kafka_mock_cluster_new failed",
                           operation: "mock cluster", isRetriable: false)
        }
        self.owner = owner
        self.cluster = cluster
        self.brokerCount = brokerCount
        // The string belongs to the cluster; copy it.
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(owner)
    }

    /// Creates `topic` with `partitions` partitions, each replicated `replicationFactor` times.
    public func createTopic(_ topic: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        let result = rd_kafka_mock_topic_create(cluster, topic, partitions, replicationFactor)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw LogError(rdKafka: result, operation: "mock create topic \(topic)")
        }
    }

    /// Takes broker `id` (1...brokerCount) down: its connections close and it refuses new ones.
    public func setBrokerDown(_ id: Int32) throws {
        let result = rd_kafka_mock_broker_set_down(cluster, id)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "mock broker \(id) down") }
    }

    /// Brings broker `id` back up.
    public func setBrokerUp(_ id: Int32) throws {
        let result = rd_kafka_mock_broker_set_up(cluster, id)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "mock broker \(id) up") }
    }

    /// Delays every response of broker `id` by `milliseconds`.
    public func setBrokerRoundTrip(_ id: Int32, milliseconds: Int32) throws {
        let result = rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "mock broker \(id) rtt") }
    }

    /// Makes broker `id` lead `partition` (to know which broker to take down).
    public func setLeader(_ partition: TopicPartition, broker id: Int32) throws {
        let result = rd_kafka_mock_partition_set_leader(cluster, partition.topic, partition.partition, id)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "mock leader \(partition)") }
    }

    /// Errors the mock can answer a request with.
    public enum InjectedError: Sendable {
        /// NOT_LEADER_FOR_PARTITION: retriable, makes the client refresh metadata.
        case notLeaderForPartition
        /// REQUEST_TIMED_OUT: retriable.
        case requestTimedOut
        /// NOT_ENOUGH_REPLICAS: retriable.
        case notEnoughReplicas
        /// LEADER_NOT_AVAILABLE: retriable.
        case leaderNotAvailable
        /// NOT_COORDINATOR: retriable, for group requests.
        case notCoordinator
        /// The broker drops the connection instead of answering.
        case disconnect
        /// Any librdkafka error code.
        case code(Int32)

        var rawValue: rd_kafka_resp_err_t {
            switch self {
            case .notLeaderForPartition: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION
            case .requestTimedOut: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
            case .notEnoughReplicas: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS
            case .leaderNotAvailable: RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE
            case .notCoordinator: RD_KAFKA_RESP_ERR_NOT_COORDINATOR
            case .disconnect: RD_KAFKA_RESP_ERR__TRANSPORT
            case .code(let code): rd_kafka_resp_err_t(rawValue: code)
            }
        }
    }

    /// Makes the next `errors.count` requests of `kind`, on any broker, fail with these errors in
    /// order.
    public func pushRequestErrors(_ kind: RequestKind, _ errors: [InjectedError]) {
        let codes = errors.map(\.rawValue)
        // The mock copies the array.
        codes.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster, kind.rawValue, $0.count, $0.baseAddress)
        }
    }

    /// Forgets injected errors not yet used for requests of `kind`.
    public func clearRequestErrors(_ kind: RequestKind) {
        rd_kafka_mock_clear_request_errors(cluster, kind.rawValue)
    }
}
