import AscentCore
import Testing

private func admit(_ fence: inout AuthorityFence, _ event: RoundEvent, epoch: Int64?, writer: String?) -> Bool {
    fence.admits(event, epoch: epoch, writer: writer)
}

@Suite struct AuthorityFenceTests {
    let tick = RoundEvent.ticked(round: 1, at: at(5), multiplier: x(120))

    @Test func onlyTheCurrentClaimantsEventsCount() {
        var fence = AuthorityFence()
        #expect(admit(&fence, tick, epoch: nil, writer: nil), "before any claim, unstamped events count")
        #expect(admit(&fence, .authorityClaimed(round: 1, epoch: 1, writer: "a", at: at(1)), epoch: 1, writer: "a"))
        #expect(admit(&fence, tick, epoch: 1, writer: "a"))
        #expect(!admit(&fence, tick, epoch: nil, writer: nil), "after a claim, unstamped events do not count")
        #expect(admit(&fence, .authorityClaimed(round: 1, epoch: 2, writer: "b", at: at(2)), epoch: 2, writer: "b"))
        #expect(!admit(&fence, tick, epoch: 1, writer: "a"), "the fenced writer's events do not count")
        #expect(admit(&fence, tick, epoch: 2, writer: "b"))
        // A claim that is not higher lost a race: neither it nor its writer's events count.
        #expect(!admit(&fence, .authorityClaimed(round: 1, epoch: 2, writer: "c", at: at(3)), epoch: 2, writer: "c"))
        #expect(!admit(&fence, tick, epoch: 2, writer: "c"))
        #expect(fence.epoch == 2 && fence.writer == "b")
    }
}
