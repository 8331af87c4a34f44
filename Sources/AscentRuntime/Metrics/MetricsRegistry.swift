import Synchronization

/// The set of metrics one process exposes on /metrics: creates counters, gauges and histograms by
/// name and labels, and renders them all in the Prometheus text exposition format 0.0.4.
///
/// Registration takes a lock and is meant for start-up; keep the returned handle and update it on
/// the hot path, which is lock-free. Asking again for the same name and labels returns the same
/// handle. Reusing a name with another type, or with other histogram buckets, is a programmer
/// error and stops the process.
public final class MetricsRegistry: Sendable {
    /// What kind of series a family holds, as written on its `# TYPE` line.
    enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// One series: a handle, or a closure evaluated at scrape time.
    enum Series: Sendable {
        case counter(Counter)
        case counterFunction(@Sendable () -> Double)
        case gauge(Gauge)
        case gaugeFunction(@Sendable () -> Double)
        case histogram(Histogram)
    }

    struct Family: Sendable {
        let name: String
        let help: String
        let kind: Kind
        /// Keyed by the rendered label set (`a="x",b="y"`, sorted by name), which is also the order
        /// series are written in.
        var series: [String: Series] = [:]
    }

    private let families = Mutex<[String: Family]>([:])

    /// An empty registry.
    public init() {}

    /// The counter called `name` with exactly `labels`, created on first use.
    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        let key = PrometheusText.labelKey(labels, metric: name)
        return register(name, help: help, kind: .counter, labelKey: key) { existing in
            if let existing {
                guard case .counter(let counter) = existing else {
                    preconditionFailure("\(name){\(key)} is already a counter computed by a closure")
                }
                return (counter, nil)
            }
            let counter = Counter()
            return (counter, .counter(counter))
        }
    }

    /// A counter whose value `value` reads at every scrape from a total kept elsewhere (CPU time,
    /// a C library's statistics); the closure must never report a smaller value than before.
    ///
    /// Like closure gauges, it runs without the registry's lock held, and registering the same
    /// name and labels again replaces the closure.
    public func counter(_ name: String, help: String, labels: [String: String] = [:],
                        value: @escaping @Sendable () -> Double) {
        let key = PrometheusText.labelKey(labels, metric: name)
        let _: Void = register(name, help: help, kind: .counter, labelKey: key) { existing in
            if let existing {
                guard case .counterFunction = existing else {
                    preconditionFailure("\(name){\(key)} is already a counter updated through a handle")
                }
            }
            return ((), .counterFunction(value))
        }
    }

    /// The gauge called `name` with exactly `labels`, created on first use.
    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        let key = PrometheusText.labelKey(labels, metric: name)
        return register(name, help: help, kind: .gauge, labelKey: key) { existing in
            if let existing {
                guard case .gauge(let gauge) = existing else {
                    preconditionFailure("\(name){\(key)} is already a gauge computed by a closure")
                }
                return (gauge, nil)
            }
            let gauge = Gauge()
            return (gauge, .gauge(gauge))
        }
    }

    /// A gauge whose value `value` computes at every scrape (consumer lag, queue depth).
    ///
    /// The closure runs on the scraping thread without the registry's lock held, so it may take
    /// its own locks; keep it quick. Registering the same name and labels again replaces the
    /// closure (a restarted consumer re-registers its lag).
    public func gauge(_ name: String, help: String, labels: [String: String] = [:],
                      value: @escaping @Sendable () -> Double) {
        let key = PrometheusText.labelKey(labels, metric: name)
        let _: Void = register(name, help: help, kind: .gauge, labelKey: key) { existing in
            if let existing {
                guard case .gaugeFunction = existing else {
                    preconditionFailure("\(name){\(key)} is already a gauge set by a handle")
                }
            }
            return ((), .gaugeFunction(value))
        }
    }

    /// The histogram called `name` with exactly `labels` and bucket bounds `buckets` (seconds),
    /// created on first use.
    public func histogram(_ name: String, help: String, labels: [String: String] = [:],
                          buckets: [Double] = Histogram.defaultLatencyBuckets) -> Histogram {
        precondition(labels["le"] == nil, "'le' is reserved for histogram buckets")
        let key = PrometheusText.labelKey(labels, metric: name)
        return register(name, help: help, kind: .histogram, labelKey: key) { existing in
            if let existing {
                guard case .histogram(let histogram) = existing else { preconditionFailure("\(name) is not a histogram") }
                precondition(histogram.upperBounds == buckets, "\(name){\(key)} was registered with other buckets")
                return (histogram, nil)
            }
            let histogram = Histogram(upperBounds: buckets)
            return (histogram, .histogram(histogram))
        }
    }

    /// Finds or creates a series under the lock; `make` sees the existing series (if any) and
    /// returns the handle plus the series to store (nil to keep the existing one).
    private func register<Handle>(_ name: String, help: String, kind: Kind, labelKey: String,
                                  _ make: (Series?) -> (Handle, Series?)) -> Handle {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name '\(name)'")
        return families.withLock { families in
            var family = families[name] ?? Family(name: name, help: help, kind: kind)
            precondition(family.kind == kind,
                         "metric \(name) is registered as a \(family.kind.rawValue), not a \(kind.rawValue)")
            let (handle, stored) = make(family.series[labelKey])
            if let stored {
                family.series[labelKey] = stored
                families[name] = family
            }
            return handle
        }
    }

    /// Every metric in the text exposition format 0.0.4: families sorted by name, series by labels,
    /// each family with its HELP and TYPE lines.
    public func render() -> String {
        // Copy the families out so closures and atomics are read without the lock held.
        let snapshot = families.withLock { families in
            families.values.sorted { $0.name < $1.name }
        }
        var out = ""
        out.reserveCapacity(snapshot.count * 128)
        for family in snapshot {
            out += "# HELP \(family.name) \(PrometheusText.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for labelKey in family.series.keys.sorted() {
                switch family.series[labelKey]! {
                case .counter(let counter):
                    PrometheusText.appendSample(&out, name: family.name, labels: labelKey, value: String(counter.value))
                case .counterFunction(let compute):
                    PrometheusText.appendSample(&out, name: family.name, labels: labelKey,
                                                value: PrometheusText.format(compute()))
                case .gauge(let gauge):
                    PrometheusText.appendSample(&out, name: family.name, labels: labelKey,
                                                value: PrometheusText.format(gauge.value))
                case .gaugeFunction(let compute):
                    PrometheusText.appendSample(&out, name: family.name, labels: labelKey,
                                                value: PrometheusText.format(compute()))
                case .histogram(let histogram):
                    PrometheusText.appendHistogram(&out, name: family.name, labels: labelKey, histogram: histogram)
                }
            }
        }
        return out
    }
}
