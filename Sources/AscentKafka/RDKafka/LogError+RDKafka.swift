import AscentLog
import CRdKafka

extension LogError {
    /// A failure reported by librdkafka as a response error code.
    init(rdKafka error: rd_kafka_resp_err_t, operation: String, detail: String? = nil) {
        let name = String(cString: rd_kafka_err2name(error))
        let text = String(cString: rd_kafka_err2str(error))
        self.init(code: name, reason: detail.map { "\(text): \($0)" } ?? text, operation: operation,
                  isRetriable: LogError.retriableCodes.contains(error.rawValue))
    }

    /// A failure reported by librdkafka as an `rd_kafka_error_t`, which this call destroys.
    ///
    /// Ownership: the caller hands over `error`; it is read and freed here.
    init(consuming error: OpaquePointer, operation: String) {
        defer { rd_kafka_error_destroy(error) }
        self.init(code: String(cString: rd_kafka_error_name(error)),
                  reason: String(cString: rd_kafka_error_string(error)),
                  operation: operation,
                  isRetriable: rd_kafka_error_is_retriable(error) != 0
                      || LogError.retriableCodes.contains(rd_kafka_error_code(error).rawValue))
    }

    /// Errors after which the same call may succeed: the broker side moved (leader, coordinator,
    /// rebalance) or the network/timeouts got in the way. librdkafka retries most of these itself
    /// inside the producer; they surface here only when its own bounded retries ran out.
    static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE,
        RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
    ].reduce(into: []) { $0.insert($1.rawValue) }
}
