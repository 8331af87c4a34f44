import AscentCore
import Testing

@Suite struct AuthorityFenceTests {
    let tick = RoundEvent.ticked(round: 1, at: at(5), multiplier: x(120))

    @Test func onlyTheCurrentClaimantsEventsCount() {
        var fence = AuthorityFence()
        #expect(fence.admits(tick, epoch: nil, writer: nil), "before any claim, unstamped events count")
        #expect(fence.admits(.authorityClaimed(round: 1, epoch: 1, writer: "a", at: at(1)), epoch: 1, writer: "a"))
        #expect(fence.admits(tick, epoch: 1, writer: "a"))
        #expect(!fence.admits(tick, epoch: nil, writer: nil), "after a claim, unstamped events do not count")
        #expect(fence.admits(.authorityClaimed(round: 1, epoch: 2, writer: "b", at: at(2)), epoch: 2, writer: "b"))
        #expect(!fence.admits(tick, epoch: 1, writer: "a"), "the fenced writer's events do not count")
        #expect(fence.admits(tick, epoch: 2, writer: "b"))
        // A claim that is not higher lost a race: neither it nor its writer's events count.
        #expect(!fence.admits(.authorityClaimed(round: 1, epoch: 2, writer: "c", at: at(3)), epoch: 2, writer: "c"))
        #expect(!fence.admits(tick, epoch: 2, writer: "c"))
        #expect(fence.epoch == 2 && fence.writer == "b")
    }
}
