/// The connections of one worker subscribed to one broadcast group. Broadcasts walk the members
/// in slot order (roughly accept order), not hash order: consecutive sends then tend to reach
/// sockets allocated together and the same receiving processes, which measurably lowers the
/// kernel's cost per send compared with a random walk. The sorted list is rebuilt lazily after
/// membership changes, at most once per broadcast.
struct EdgeGroup {
    private var members: Set<Int> = []
    private var ordered: [Int] = []
    private var orderIsCurrent = true

    var isEmpty: Bool { members.isEmpty }

    mutating func insert(_ slot: Int) {
        if members.insert(slot).inserted { orderIsCurrent = false }
    }

    mutating func remove(_ slot: Int) {
        if members.remove(slot) != nil { orderIsCurrent = false }
    }

    /// The member slots in ascending order.
    mutating func slots() -> [Int] {
        if !orderIsCurrent {
            ordered = members.sorted()
            orderIsCurrent = true
        }
        return ordered
    }
}
