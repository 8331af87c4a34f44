/// Chooses a record's partition from its key exactly as Kafka's default partitioner does, so the
/// PostgreSQL and Kafka backends put every key in the same partition.
///
/// The hash is Kafka's Java `Utils.murmur2` (MurmurHash2, seed 0x9747b28c, little-endian 4-byte
/// blocks); the partition is `(murmur2(key) & 0x7fffffff) % partitionCount`, which librdkafka's
/// `murmur2` partitioner also computes.
public enum KafkaPartitioner {
    /// Kafka's murmur2 hash of `key`, as the signed 32-bit value Java returns.
    public static func murmur2(_ key: some Collection<UInt8>) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let bytes = Array(key)
        let length = bytes.count
        // Java mixes the length in as an int; lengths past Int32 cannot occur for log keys.
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for block in 0..<blocks {
            let i = block * 4
            var k = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = blocks * 4
        let remaining = length & 3
        if remaining == 3 { h ^= UInt32(bytes[tail + 2]) << 16 }
        if remaining >= 2 { h ^= UInt32(bytes[tail + 1]) << 8 }
        if remaining >= 1 {
            h ^= UInt32(bytes[tail])
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// The partition, from 0 to `partitionCount - 1`, that Kafka's default partitioner gives `key`.
    public static func partition(forKey key: some Collection<UInt8>, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return (murmur2(key) & 0x7fff_ffff) % partitionCount
    }
}
