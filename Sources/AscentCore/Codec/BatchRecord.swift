/// What every batch record type shares (`cashedOutBatch`, `settleBatch`, `betSettledBatch`): a run
/// of entries with one key in common becomes one record, and the entries' own fields travel as lists,
/// one JSON array per field, element i of every list belonging to entry i
/// (`"betIds":["b1","b2"],"payoutsMinor":[150,0]`), so a record of hundreds repeats no member names.
public enum BatchRecord {
    /// Most entries one batch record holds; a longer run goes into several records.
    public static let maxEntries = 500

    /// Splits `items` into runs, in order: an item whose `key` is nil is a run of its own; consecutive
    /// items with the same key share a run of at most `maxEntries`.
    public static func runs<Item, Key: Equatable>(_ items: [Item], maxEntries: Int = maxEntries,
                                                  key: (Item) -> Key?) -> [ArraySlice<Item>] {
        precondition(maxEntries >= 1, "a batch holds at least one entry")
        var runs: [ArraySlice<Item>] = []
        var start = 0
        while start < items.count {
            var end = start + 1
            if let first = key(items[start]) {
                while end < items.count, end - start < maxEntries, key(items[end]) == first { end += 1 }
            }
            runs.append(items[start..<end])
            start = end
        }
        return runs
    }

    /// Writes a batch's lists entry by entry.
    struct ListWriter {
        private var lists: [[UInt8]]
        private var entries = 0

        /// `count` empty lists.
        init(lists count: Int) { lists = Array(repeating: [UInt8(ascii: "[")], count: count) }

        /// The bytes written so far, to size the record.
        var byteCount: Int { lists.reduce(0) { $0 + $1.count + 1 } }

        /// Starts the next entry: every list gets its next element from the appends that follow.
        mutating func nextEntry() {
            if entries > 0 { for index in lists.indices { lists[index].append(UInt8(ascii: ",")) } }
            entries += 1
        }

        /// Appends a string element to list `list`.
        mutating func append(_ list: Int, _ text: String) { JSONWriter.appendString(text, to: &lists[list]) }

        /// Appends an integer element to list `list`.
        mutating func append(_ list: Int, _ number: Int64) { JSONWriter.appendInteger(number, to: &lists[list]) }

        /// Closes the lists and writes list i as member `names[i]`.
        consuming func write(into writer: inout JSONWriter, names: [StaticString]) {
            precondition(names.count == lists.count, "a name per list")
            for (name, var list) in zip(names, lists) {
                list.append(UInt8(ascii: "]"))
                writer.raw(name, list)
            }
        }
    }

    /// Reads a batch's lists and their elements, with errors that name the record type, the entry
    /// and the list.
    struct ListReader {
        /// How many entries the record holds.
        let count: Int
        private let names: [String]
        private let lists: [[JSONValue]]
        private let type: String

        /// The lists `names` of `reader`: arrays of 1 to `maxEntries` elements, all of one length.
        init(_ reader: JSONReader, names: [String], type: String, maxEntries: Int = BatchRecord.maxEntries) throws(JSONError) {
            var lists: [[JSONValue]] = []
            for name in names {
                guard case .array(let values)? = reader[name] else { throw JSONError("\(type): '\(name)' must be an array") }
                lists.append(values)
            }
            let count = lists.first?.count ?? 0
            guard (1...maxEntries).contains(count), lists.allSatisfy({ $0.count == count }) else {
                throw JSONError("\(type): \(names.joined(separator: ", ")) must be 1 to \(maxEntries) long, all alike")
            }
            self.count = count
            self.names = names
            self.lists = lists
            self.type = type
        }

        /// Element `entry` of list `list`, a string.
        func string(_ list: Int, _ entry: Int) throws(JSONError) -> String {
            guard case .string(let text) = lists[list][entry] else { throw failure(list, entry, "a string") }
            return text
        }

        /// Element `entry` of list `list`, an integer.
        func integer(_ list: Int, _ entry: Int) throws(JSONError) -> Int64 {
            guard case .integer(let number) = lists[list][entry] else { throw failure(list, entry, "an integer") }
            return number
        }

        private func failure(_ list: Int, _ entry: Int, _ kind: String) -> JSONError {
            JSONError("\(type): entry \(entry) of '\(names[list])' must be \(kind)")
        }
    }
}
