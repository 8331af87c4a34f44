import AscentCore
import AscentLog
import AscentRuntime

/// The metrics every part reports, registered once in a process's registry (the embedded stack
/// shares one registry among all parts). Names follow docs/operations.md.
public struct ServiceMetrics: Sendable {
    /// The registry the metrics live in (served on /metrics).
    public let registry: MetricsRegistry
    /// The rounds counter, as registered below.
    public let rounds: Counter
    /// The betsPlaced counter, as registered below.
    public let betsPlaced: Counter
    /// The betsRejected counter, as registered below.
    public let betsRejected: Counter
    /// The cashOutsManual counter, as registered below.
    public let cashOutsManual: Counter
    /// The cashOutsAuto counter, as registered below.
    public let cashOutsAuto: Counter
    /// The cashOutsMaximumWin counter, as registered below.
    public let cashOutsMaximumWin: Counter
    /// The cashOutsRefused counter, as registered below.
    public let cashOutsRefused: Counter
    /// The stakeMinor counter, as registered below.
    public let stakeMinor: Counter
    /// The payoutMinor counter, as registered below.
    public let payoutMinor: Counter
    /// The walletCommands counter, as registered below.
    public let walletCommands: Counter
    /// The walletRejections counter, as registered below.
    public let walletRejections: Counter
    /// The settlementCommands counter, as registered below.
    public let settlementCommands: Counter
    /// The projectedRecords counter, as registered below.
    public let projectedRecords: Counter
    /// The errors counter, as registered below.
    public let errors: Counter
    /// The betAcceptance histogram, as registered below.
    public let betAcceptance: Histogram
    /// The cashOutDecision histogram, as registered below.
    public let cashOutDecision: Histogram
    /// The appendLatency histogram, as registered below.
    public let appendLatency: Histogram
    /// The projectionBatch histogram, as registered below.
    public let projectionBatch: Histogram

    /// Registers the metrics in `registry`.
    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        rounds = registry.counter("ascent_rounds_total", help: "Rounds settled or voided by the authority.")
        betsPlaced = registry.counter("ascent_bets_placed_total", help: "Funded bets the authority accepted.")
        betsRejected = registry.counter("ascent_bets_rejected_total", help: "Funded bets the authority refused (stake given back).")
        cashOutsManual = registry.counter("ascent_cashouts_total", help: "Cash-outs by reason.", labels: ["reason": "manual"])
        cashOutsAuto = registry.counter("ascent_cashouts_total", help: "Cash-outs by reason.", labels: ["reason": "auto"])
        cashOutsMaximumWin = registry.counter("ascent_cashouts_total", help: "Cash-outs by reason.", labels: ["reason": "maximumWin"])
        cashOutsRefused = registry.counter("ascent_cashout_requests_refused_total", help: "Cash-out requests refused (too late, unknown bet, ...).")
        stakeMinor = registry.counter("ascent_stake_minor_total", help: "Stakes accepted, in minor units.")
        payoutMinor = registry.counter("ascent_payout_minor_total", help: "Payouts decided, in minor units.")
        walletCommands = registry.counter("ascent_wallet_commands_total", help: "Wallet commands decided.")
        walletRejections = registry.counter("ascent_wallet_rejections_total", help: "Wallet commands rejected (rule broken or malformed).")
        settlementCommands = registry.counter("ascent_settlement_commands_total", help: "Wallet commands issued by settlement.")
        projectedRecords = registry.counter("ascent_projected_records_total", help: "Log records applied to the projections.")
        errors = registry.counter("ascent_errors_total", help: "Failures the parts handled or stopped on.")
        betAcceptance = registry.histogram("ascent_bet_acceptance_seconds",
                                           help: "From the stake reservation's append to the authority's decision on the bet.")
        cashOutDecision = registry.histogram("ascent_cashout_decision_seconds",
                                             help: "From the cash-out request's append to the authority's decision.")
        appendLatency = registry.histogram("ascent_log_append_seconds", help: "Time to append a batch of events to the log.")
        projectionBatch = registry.histogram("ascent_projection_batch_seconds", help: "Time to write one projection batch.")
    }

    /// A gauge of how far behind `part` is: the age of the last record it handled.
    public func lagGauge(_ part: String) -> Gauge {
        registry.gauge("ascent_consumer_lag_seconds", help: "Age of the newest record a part has handled (log clock to now).",
                       labels: ["part": part])
    }

    /// Sets `gauge` to the age of `record` (log clock) at `now`; nothing when there is no record.
    public static func setLag(_ gauge: Gauge, newest record: LogRecord?, now: Timestamp) {
        guard let record else { return }
        gauge.set(Double(max(0, now.milliseconds - record.timestampMilliseconds)) / 1_000)
    }

    /// Counts what a batch of round events means for players and money.
    func count(_ events: [RoundEvent]) {
        for event in events {
            switch event {
            case .betPlaced(_, _, _, let stake, _, _):
                betsPlaced.increment()
                stakeMinor.increment(by: Int(stake.minorUnits))
            case .betRejected: betsRejected.increment()
            case .cashedOut(_, _, _, _, _, let payout, let reason, _):
                switch reason {
                case .manual: cashOutsManual.increment()
                case .auto: cashOutsAuto.increment()
                case .maximumWin: cashOutsMaximumWin.increment()
                }
                payoutMinor.increment(by: Int(payout.minorUnits))
            case .roundSettled, .roundVoided: rounds.increment()
            default: break
            }
        }
    }

    /// Observes the time from a record's append (log clock, milliseconds) to `now`.
    static func observe(_ histogram: Histogram, from record: LogRecord, to now: Timestamp) {
        let milliseconds = max(0, now.milliseconds - record.timestampMilliseconds)
        histogram.observe(seconds: Double(milliseconds) / 1_000)
    }
}
