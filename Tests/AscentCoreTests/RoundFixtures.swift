import AscentCore
import Testing

let eur = Currency(code: "EUR")!
let commitment = String(repeating: "ab", count: 32)
let seed = String(repeating: "cd", count: 32)
let config = TableConfig(table: "main", currency: eur, minimumStakeMinorUnits: 10, maximumStakeMinorUnits: 100_000,
                         maximumWinMinorUnits: 1_000_000, bettingWindowMilliseconds: 5_000)
let round = Round(config: config)
/// Crash at 2.50x unless a test says otherwise.
let secret = RoundSecret(seed: seed, crashPoint: Multiplier(hundredths: 250))

func at(_ milliseconds: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds) }
func euros(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: eur) }
func x(_ hundredths: Int64) -> Multiplier { Multiplier(hundredths: hundredths) }

/// The instant the standard curve first reaches `multiplier` after a take-off at 10_000 ms.
func instant(_ multiplier: Multiplier) -> Timestamp {
    at(10_000 + GrowthCurve.standard.firstElapsedMilliseconds(reaching: multiplier))
}

let opened: [RoundEvent] = [.roundOpened(round: 1, commitment: commitment, at: at(0), bettingClosesAt: at(5_000))]
func placed(_ id: BetID, _ player: PlayerID = "alice", stake: Int64 = 100, auto: Multiplier? = nil, at time: Int64 = 1_000) -> RoundEvent {
    .betPlaced(round: 1, betID: id, player: player, stake: euros(stake), autoCashOut: auto, at: at(time))
}
let tookOff: [RoundEvent] = [.bettingClosed(round: 1, at: at(10_000)), .tookOff(round: 1, at: at(10_000))]

func place(_ id: BetID, _ player: PlayerID = "alice", stake: Int64 = 100, auto: Multiplier? = nil, at time: Int64 = 1_000) -> RoundCommand {
    .placeBet(PlaceBet(betID: id, player: player, stake: euros(stake), autoCashOut: auto, at: at(time)))
}

/// Given `history`, when `command` is decided, then the result is `expected`; and the decision is
/// idempotent: deciding the same command again after applying its events yields no events.
func given(_ history: [RoundEvent], when command: RoundCommand, then expected: Result<[RoundEvent], RoundRejection>,
           secret: RoundSecret = secret, sourceLocation: SourceLocation = #_sourceLocation) {
    let state = round.fold(history)
    let result = round.decide(command, state: state, secret: secret)
    #expect(result == expected, sourceLocation: sourceLocation)
    if case .success(let events) = result, !events.isEmpty {
        let after = round.fold(events, from: state)
        let again = round.decide(command, state: after, secret: secret)
        #expect(again == .success([]), "repeating \(command) must change nothing", sourceLocation: sourceLocation)
    }
}
