#if canImport(Glibc)
import Glibc
#endif
import AscentAudit
import AscentLog
import AscentServices

/// Feeds an auditor from a log or a JSON-lines file, in bounded batches.
enum AuditReading {
    /// Reads the round and wallet topics of `log` up to their ends as they were when reading began
    /// (only `onlyTable`'s round partition when given), feeding `auditor`.
    static func readLog(_ log: any EventLog, topics: LogTopics, onlyTable: String?, into auditor: inout Auditor,
                        showProgress: Bool, batchSize: Int = 5_000) async throws {
        var partitions: [TopicPartition] = []
        let roundPartitions = try await log.partitionCount(of: topics.roundEvents)
        if let onlyTable {
            partitions.append(TopicPartition(topic: topics.roundEvents,
                                             partition: KafkaPartitioner.partition(forKey: Array(onlyTable.utf8), partitionCount: roundPartitions)))
        } else {
            partitions += (0..<roundPartitions).map { TopicPartition(topic: topics.roundEvents, partition: $0) }
        }
        let walletPartitions = try await log.partitionCount(of: topics.walletEvents)
        partitions += (0..<walletPartitions).map { TopicPartition(topic: topics.walletEvents, partition: $0) }
        let ends = try await log.endOffsets(partitions).filter { $0.value > 0 }
        guard !ends.isEmpty else { return }
        var progress = ProgressBar(total: ends.values.reduce(0, +), label: "auditing", unit: "records", enabled: showProgress)
        let consumer = try await log.makeConsumer(.positions(Dictionary(uniqueKeysWithValues: ends.keys.map { ($0, Int64(0)) })))
        var reached: [TopicPartition: Int64] = [:]
        var done: Int64 = 0
        var emptyPolls = 0
        do {
            // Offsets need not be contiguous on Kafka: when polls keep coming back empty before the
            // recorded ends, what is left is not records.
            while ends.contains(where: { reached[$0.key, default: 0] < $0.value }) && emptyPolls < 10 {
                let records = try await consumer.poll(maxRecords: batchSize, timeoutMilliseconds: 500).records
                emptyPolls = records.isEmpty ? emptyPolls + 1 : 0
                for record in records {
                    guard let end = ends[record.topicPartition], record.offset < end else { continue }
                    reached[record.topicPartition] = record.offset + 1
                    auditor.consume(record)
                    done += 1
                }
                progress.update(done)
            }
        } catch {
            progress.finish()
            try? await consumer.close()
            throw error
        }
        progress.finish()
        try await consumer.close()
    }

    /// Reads a JSON-lines log (one `LogLine` per line) in chunks, feeding `auditor`.
    static func readFile(_ path: String, into auditor: inout Auditor, showProgress: Bool) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(code: errno, operation: "open", path: path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileError(code: errno, operation: "stat", path: path) }
        var progress = ProgressBar(total: Int64(status.st_size), label: "auditing", unit: "bytes", enabled: showProgress)
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var consumed: Int64 = 0
        var lineNumber = 0
        func feed(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            guard !line.isEmpty else { return }
            do {
                let parsed = try LogLine(parsing: line)
                auditor.consume(topic: parsed.topic, partition: parsed.partition, offset: parsed.offset, value: parsed.value)
            } catch {
                throw UsageError("\(path):\(lineNumber): \(error)")
            }
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(code: errno, operation: "read", path: path)
            }
            if count == 0 { break }
            pending += chunk[0..<count]
            consumed += Int64(count)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try feed(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(pending.startIndex..<start)
            // A line longer than 16 MB is not a log line; refuse it rather than grow without bound.
            guard pending.count < 16 << 20 else { throw UsageError("\(path):\(lineNumber + 1): line longer than 16 MB") }
            progress.update(consumed)
        }
        if !pending.isEmpty { try feed(pending[...]) }
        progress.finish()
    }
}
