import AscentLog
import Testing

@Suite struct KafkaPartitionerTests {
    /// Vectors from Kafka's own UtilsTest.testMurmur2 (clients/src/test/java/.../utils/UtilsTest.java).
    @Test(arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ])
    func matchesKafkaUtilsTest(key: String, expected: Int32) {
        #expect(KafkaPartitioner.murmur2(Array(key.utf8)) == expected, "key \(key)")
    }

    /// Outputs of Kafka's Utils.murmur2 quoted by Akka's Murmur2Spec, covering every tail length.
    @Test(arguments: [
        ("1", Int32(-1_993_445_489)),
        ("12", 126_087_238),
        ("123", -267_702_483),
        ("1234", -1_614_185_708),
        ("12345", -1_188_365_604),
    ])
    func matchesOtherClients(key: String, expected: Int32) {
        #expect(KafkaPartitioner.murmur2(Array(key.utf8)) == expected, "key \(key)")
    }

    @Test func partitionIsPositiveHashModuloCount() {
        // murmur2("21") = -973932308; & 0x7fffffff = 1173551340; % 6 = 0; % 7 = 4.
        #expect(KafkaPartitioner.partition(forKey: Array("21".utf8), partitionCount: 6) == 1_173_551_340 % 6)
        #expect(KafkaPartitioner.partition(forKey: Array("21".utf8), partitionCount: 7) == 1_173_551_340 % 7)
        // A key whose hash is positive keeps it as is.
        #expect(KafkaPartitioner.partition(forKey: Array("abc".utf8), partitionCount: 10) == 479_470_107 % 10)
        for count in Int32(1)...64 {
            let p = KafkaPartitioner.partition(forKey: Array("player-\(count)".utf8), partitionCount: count)
            #expect((0..<count).contains(p))
        }
    }
}
