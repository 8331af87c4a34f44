import AscentLog
import CRdKafka

/// Per-message context travelling through librdkafka as the message opaque: which batch and slot
/// the delivery report completes.
final class KafkaDeliverySlot {
    let batch: KafkaAppendBatch
    let index: Int
    let topic: String
    init(batch: KafkaAppendBatch, index: Int, topic: String) {
        self.batch = batch
        self.index = index
        self.topic = topic
    }
}

/// librdkafka's delivery-report callback, called on the thread that polls the producer.
/// A named top-level function, so it carries no actor isolation into C.
func kafkaDeliveryReport(_ client: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let context = message.pointee._private else { return }
    // Retained in `KafkaEventLog.enqueue`; the report is the one place it is released.
    let slot = Unmanaged<KafkaDeliverySlot>.fromOpaque(context).takeRetainedValue()
    let error = message.pointee.err
    if error == RD_KAFKA_RESP_ERR_NO_ERROR {
        let where_ = TopicPartition(topic: slot.topic, partition: message.pointee.partition)
        slot.batch.deliver(slot.index, .success(AppendResult(topicPartition: where_, offset: message.pointee.offset)))
    } else {
        slot.batch.deliver(slot.index, .failure(LogError(rdKafka: error, operation: "append to \(slot.topic)")))
    }
}
