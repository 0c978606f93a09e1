//! The performance targets of `DESIGN.md`, each with where its figures come from.

/// Which way a figure must go.
#[derive(Debug, Clone, Copy)]
pub(super) enum Limit {
    /// At most this.
    AtMost(f64),
    /// At least this.
    AtLeast(f64),
}

impl Limit {
    pub(super) fn met(self, value: f64) -> bool {
        match self {
            Limit::AtMost(limit) => value <= limit,
            Limit::AtLeast(limit) => value >= limit,
        }
    }

    /// How close `value` is to the limit: 1.0 at the limit, below 1.0 inside it.
    pub(super) fn load(self, value: f64) -> f64 {
        match self {
            Limit::AtMost(limit) => value / limit,
            Limit::AtLeast(limit) if value > 0.0 => limit / value,
            Limit::AtLeast(_) => f64::INFINITY,
        }
    }
}

/// How a target's figure is computed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Figure {
    /// Median time of `measured` ÷ median time of `baseline` (criterion ids).
    TimeRatio {
        baseline: &'static str,
        measured: &'static str,
    },
    /// Median time of `baseline` ÷ median time of `measured`: a throughput ratio.
    ThroughputRatio {
        baseline: &'static str,
        measured: &'static str,
    },
    /// (`measured` − `baseline` − `direct`) ÷ `per`, in µs: a cost per item beyond a
    /// direct call.
    PerItemMicros {
        baseline: &'static str,
        measured: &'static str,
        direct: &'static str,
        per: f64,
    },
    /// The slowest median of the criterion ids starting with `prefix`, in µs.
    SlowestMicros { prefix: &'static str },
    /// A number a bench printed: on the first line of its output holding `line_with`, the
    /// first number after the last `after`.
    Printed {
        bench: &'static str,
        line_with: &'static str,
        after: &'static str,
    },
}

/// One row of the contract.
#[derive(Debug, Clone, Copy)]
pub(super) struct Target {
    pub(super) what: &'static str,
    pub(super) baseline: &'static str,
    pub(super) figure: Figure,
    pub(super) limit: Limit,
    /// How the figure is shown: `×`, `µs`, or `` for a plain ratio.
    pub(super) unit: &'static str,
}

/// Every target the benches measure, in `DESIGN.md`'s order. (Build-time targets are
/// measured by `cargo xtask build-times`, minutes of clean builds, not here.)
pub(super) const TARGETS: &[Target] = &[
    Target {
        what: "extension spawn + handshake",
        baseline: "bare child spawn + first exchange",
        figure: Figure::TimeRatio {
            baseline: "spawn/bare_spawn_first_exchange",
            measured: "spawn/sdk_spawn_handshake",
        },
        limit: Limit::AtMost(2.0),
        unit: "×",
    },
    Target {
        what: "protocol round trip, small request",
        baseline: "bare line-echo child",
        figure: Figure::TimeRatio {
            baseline: "round_trip/bare_line_echo",
            measured: "round_trip/sdk_call",
        },
        limit: Limit::AtMost(1.25),
        unit: "×",
    },
    Target {
        what: "pipelined requests (msgs/s)",
        baseline: "bare JSON-echo child",
        figure: Figure::ThroughputRatio {
            baseline: "pipelined/bare_json_echo",
            measured: "pipelined/sdk_start_wait",
        },
        limit: Limit::AtLeast(0.5),
        unit: "×",
    },
    Target {
        what: "in-process call through the SDK",
        baseline: "direct trait call",
        figure: Figure::TimeRatio {
            baseline: "in_process/plain_stats",
            measured: "in_process/sdk_direct_stats",
        },
        limit: Limit::AtMost(1.05),
        unit: "×",
    },
    Target {
        what: "CSV operator workflow (throughput)",
        baseline: "raw csv + regex loop",
        // The bench's interleaved rounds (each a ratio) hold better under load than two
        // criterion runs minutes apart.
        figure: Figure::Printed {
            bench: "workflow",
            line_with: "SDK throughput / raw loop throughput",
            after: "median",
        },
        limit: Limit::AtLeast(0.9),
        unit: "×",
    },
    Target {
        what: "CSV workflow peak memory, largest/smallest input",
        baseline: "same workflow, smallest input",
        figure: Figure::Printed {
            bench: "memory",
            line_with: "peak ratio largest/smallest:",
            after: ":",
        },
        limit: Limit::AtMost(1.1),
        unit: "×",
    },
    Target {
        what: "DAG node overhead (threaded node)",
        baseline: "direct call",
        figure: Figure::PerItemMicros {
            baseline: "dag_overhead/read_only",
            measured: "dag_overhead/read_plus_16_threaded_nodes",
            direct: "dag_overhead/direct_16_calls",
            per: 16.0,
        },
        limit: Limit::AtMost(20.0),
        unit: "µs",
    },
    Target {
        what: "inference pipeline batching at 16",
        baseline: "same pipeline, batch 1",
        figure: Figure::Printed {
            bench: "inference",
            line_with: "batching (iris",
            after: "req/s",
        },
        limit: Limit::AtLeast(3.0),
        unit: "×",
    },
    Target {
        what: "permission check (slowest case)",
        baseline: "-",
        figure: Figure::SlowestMicros { prefix: "check/" },
        limit: Limit::AtMost(1.0),
        unit: "µs",
    },
    Target {
        what: "manifest parse + validate",
        baseline: "-",
        figure: Figure::SlowestMicros {
            prefix: "manifest/parse_and_validate_",
        },
        limit: Limit::AtMost(100.0),
        unit: "µs",
    },
];
