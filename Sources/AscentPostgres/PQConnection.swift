import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// A notification received on a channel this connection LISTENs to.
public struct PQNotification: Sendable, Hashable {
    /// The channel's name.
    public var channel: String
    /// The payload given to NOTIFY.
    public var payload: String
    /// The notifying backend's process id.
    public var processID: Int32
}

/// A notice processor that drops the notice; a named function, so it is not actor-isolated.
private func ignoreNotice(_ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {}

/// One PostgreSQL connection, owning its `PGconn` (freed with `PQfinish` in deinit).
///
/// Not thread-safe and not Sendable: a connection belongs to one thread (see `PQWorker`), because
/// every call here blocks that thread until the server answers.
public final class PQConnection {
    /// The libpq handle; owned by this object, never nil after init, freed in deinit.
    private let handle: OpaquePointer
    /// Statements prepared on this session, by their SQL text: the name each was prepared under.
    /// They live as long as the session, so a reconnect (a new `PQConnection`) starts empty.
    private var preparedNames: [String: String] = [:]
    /// Most statements one session keeps prepared; past it, statements run unprepared.
    private static let maxPreparedStatements = 64

    /// Connects to `url` (a libpq URI or key=value string), naming the session `applicationName`
    /// in pg_stat_activity. Throws with libpq's message on failure.
    public init(url: String, applicationName: String = "ascent") throws(PQError) {
        // expand_dbname = 1: the dbname value is parsed as a full connection string, and the
        // application_name given after it is applied on top.
        let raw = url.withCString { urlPointer in
            "dbname".withCString { dbnameKey in
                "application_name".withCString { nameKey in
                    applicationName.withCString { namePointer in
                        let keywords: [UnsafePointer<CChar>?] = [dbnameKey, nameKey, nil]
                        let values: [UnsafePointer<CChar>?] = [urlPointer, namePointer, nil]
                        return PQconnectdbParams(keywords, values, 1)
                    }
                }
            }
        }
        // The PGconn must be freed also when connecting failed.
        guard let raw else {
            throw PQError(sqlState: "08000", message: "libpq could not allocate a connection", operation: "connect")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(raw))
            PQfinish(raw)
            throw PQError(sqlState: "08001", message: message, operation: "connect")
        }
        // Drop server NOTICEs ("already exists, skipping"): libpq would print them to stderr.
        _ = PQsetNoticeProcessor(raw, ignoreNotice, nil)
        handle = raw
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server process's id (for pg_terminate_backend in fault tests).
    public var backendProcessID: Int32 { PQbackendPID(handle) }

    /// Runs ONE statement with `parameters` ($1, $2, ...) and returns its rows in binary format.
    ///
    /// With `prepared`, the statement is parsed and planned once per session (`PQprepare`) and
    /// then only executed: for the statements a service runs thousands of times a second, where
    /// parsing and planning cost the server more than executing (the log's fetch, append and
    /// commit, the projector's upserts). Only for SQL whose text is fixed: each distinct text is
    /// kept prepared for the session's life.
    public func execute(_ sql: String, _ parameters: [PQParameter] = [], operation: String,
                        prepared: Bool = false) throws(PQError) -> PQResult {
        let statementName = prepared ? try preparedName(for: sql, parameterCount: parameters.count, operation: operation) : nil
        let result = Self.withParameters(parameters) { values, lengths, formats in
            if let statementName {
                PQexecPrepared(handle, statementName, Int32(parameters.count), values, lengths, formats, 1)
            } else {
                PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 1)
            }
        }
        return try consume(result, operation: operation)
    }

    /// One statement of a pipeline (`executePipeline`).
    public struct Statement {
        /// The SQL: one statement.
        public var sql: String
        /// Its parameters ($1, $2, ...).
        public var parameters: [PQParameter]
        /// What it does, for errors.
        public var operation: String
        /// Whether it is kept prepared for the session (`execute(_:_:operation:prepared:)`).
        public var prepared: Bool

        /// A statement of a pipeline.
        public init(_ sql: String, _ parameters: [PQParameter] = [], operation: String, prepared: Bool = false) {
            self.sql = sql
            self.parameters = parameters
            self.operation = operation
            self.prepared = prepared
        }
    }

    /// Runs `statements` in one round trip (libpq's pipeline mode), each in a transaction of its
    /// own: the server starts each as soon as the one before it has committed, without waiting for
    /// the client to read the result and send the next. Returns each statement's result or error,
    /// in order; one that fails does not stop those after it. Throws only when the connection fails.
    public func executePipeline(_ statements: [Statement]) throws(PQError) -> [Result<PQResult, PQError>] {
        // Prepared statements are prepared (synchronously) before the pipeline starts.
        let names = try statements.map { statement throws(PQError) in
            statement.prepared ? try preparedName(for: statement.sql, parameterCount: statement.parameters.count, operation: statement.operation) : nil
        }
        let operation = statements.map(\.operation).joined(separator: ", ")
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError(operation) }
        for (statement, name) in zip(statements, names) {
            let sent = Self.withParameters(statement.parameters) { values, lengths, formats in
                if let name {
                    PQsendQueryPrepared(handle, name, Int32(statement.parameters.count), values, lengths, formats, 1)
                } else {
                    PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, values, lengths, formats, 1)
                }
            }
            // A sync after each statement ends its transaction, so a failure aborts only that one.
            guard sent == 1, PQpipelineSync(handle) == 1 else { throw connectionError(statement.operation) }
        }
        var results: [Result<PQResult, PQError>] = []
        for statement in statements {
            // The statement's result, the NULL that ends it, then the sync's PGRES_PIPELINE_SYNC.
            guard let result = PQgetResult(handle) else { throw connectionError(statement.operation) }
            do throws(PQError) {
                results.append(.success(try consume(result, operation: statement.operation)))
            } catch {
                guard isHealthy else { throw error }
                results.append(.failure(error))
            }
            while let extra = PQgetResult(handle) { PQclear(extra) }
            guard let sync = PQgetResult(handle) else { throw connectionError(statement.operation) }
            let status = PQresultStatus(sync)
            PQclear(sync)
            guard status == PGRES_PIPELINE_SYNC else {
                throw PQError(sqlState: "08P01", message: "pipeline out of step: expected a sync, got \(status)", operation: statement.operation)
            }
        }
        guard PQexitPipelineMode(handle) == 1 else { throw connectionError(operation) }
        return results
    }

    /// Calls `body` with C copies of `parameters` (values, lengths, formats), alive until it returns.
    private static func withParameters<T>(_ parameters: [PQParameter],
                                          _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> T) -> T {
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        buffers.reserveCapacity(parameters.count)
        defer { for buffer in buffers { buffer?.deallocate() } }
        for parameter in parameters {
            switch parameter {
            case .null:
                buffers.append(nil); lengths.append(0); formats.append(0)
            case .text(let text):
                var utf8 = Array(text.utf8)
                utf8.append(0)
                buffers.append(copy(utf8)); lengths.append(Int32(utf8.count - 1)); formats.append(0)
            case .bytes(let bytes):
                buffers.append(copy(bytes.isEmpty ? [0] : bytes)); lengths.append(Int32(bytes.count)); formats.append(1)
            }
        }
        return body(buffers.map { $0.map { UnsafePointer($0) } }, lengths, formats)
    }

    /// The name `sql` is prepared under on this session, preparing it first if needed; nil when
    /// the session already keeps its maximum of prepared statements.
    private func preparedName(for sql: String, parameterCount: Int, operation: String) throws(PQError) -> String? {
        if let name = preparedNames[sql] { return name }
        guard preparedNames.count < Self.maxPreparedStatements else { return nil }
        let name = "ascent_\(preparedNames.count)"
        // Parameter types are left to the server, as PQexecParams does: the SQL casts what matters.
        _ = try consume(PQprepare(handle, name, sql, Int32(parameterCount), nil), operation: operation)
        preparedNames[sql] = name
        return name
    }

    /// Runs `sql`, which may hold several statements (a migration file), with no parameters.
    public func executeScript(_ sql: String, operation: String) throws(PQError) {
        _ = try consume(PQexec(handle, sql), operation: operation)
    }

    /// Streams `chunks` (rows in COPY text format) into `copyStatement` (`COPY t FROM STDIN`).
    public func copyIn(_ copyStatement: String, chunks: [[UInt8]], operation: String) throws(PQError) {
        let start = PQexec(handle, copyStatement)
        // The COPY_IN result carries no rows; clear it and send the data.
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            _ = try consume(start, operation: operation)
            throw PQError(sqlState: "XX000", message: "COPY did not enter COPY IN mode", operation: operation)
        }
        PQclear(start)
        for chunk in chunks where !chunk.isEmpty {
            let sent = chunk.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            guard sent == 1 else { throw connectionError(operation) }
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError(operation) }
        var failure: PQError?
        while let result = PQgetResult(handle) {
            do { _ = try consume(result, operation: operation) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// Notifications already received, oldest first (reads what the socket holds without blocking).
    public func takeNotifications() throws(PQError) -> [PQNotification] {
        guard PQconsumeInput(handle) == 1 else { throw connectionError("receive notifications") }
        var notifications: [PQNotification] = []
        while let notify = PQnotifies(handle) {
            // libpq allocated the PGnotify; copy its strings out, then free it with PQfreemem.
            let value = notify.pointee
            notifications.append(PQNotification(channel: String(cString: value.relname),
                                                payload: String(cString: value.extra),
                                                processID: value.be_pid))
            PQfreemem(notify)
        }
        return notifications
    }

    /// Blocks in poll() on the connection's socket until the server sends something or
    /// `timeoutMilliseconds` pass; returns the notifications received (maybe none).
    public func waitForNotifications(timeoutMilliseconds: Int32) throws(PQError) -> [PQNotification] {
        let already = try takeNotifications()
        if !already.isEmpty || timeoutMilliseconds <= 0 { return already }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw connectionError("wait for notifications") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR {
            throw PQError(sqlState: "08000", message: "poll failed: errno \(errno)", operation: "wait for notifications")
        }
        return try takeNotifications()
    }

    // MARK: - Private

    private func consume(_ result: OpaquePointer?, operation: String) throws(PQError) -> PQResult {
        guard let result else { throw connectionError(operation) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            break
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = Self.trimmed(PQresultErrorMessage(result))
            let fallback = isHealthy ? "XX000" : "08006"
            throw PQError(sqlState: state ?? fallback, message: message.isEmpty ? Self.trimmed(PQerrorMessage(handle)) : message,
                          operation: operation)
        }
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var rows: [[[UInt8]?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [[UInt8]?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                // PQgetvalue points into the PGresult, which the defer clears: copy the bytes now.
                let pointer = UnsafeRawPointer(PQgetvalue(result, row, column)!)
                values.append(Array(UnsafeRawBufferPointer(start: pointer, count: length)))
            }
            rows.append(values)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PQResult(rows: rows, affectedRows: affected)
    }

    private func connectionError(_ operation: String) -> PQError {
        PQError(sqlState: isHealthy ? "XX000" : "08006", message: Self.trimmed(PQerrorMessage(handle)), operation: operation)
    }

    private static func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { buffer.initialize(from: $0.baseAddress!, count: $0.count) }
        }
        return buffer
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).trimmingCharacters(whereSpace: true)
    }
}

extension String {
    fileprivate func trimmingCharacters(whereSpace: Bool) -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
