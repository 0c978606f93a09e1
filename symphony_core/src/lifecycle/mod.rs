//! The extension lifecycle: a state machine with history, and the restart policy a host
//! applies to crashed extension processes.
//!
//! ```text
//! Discovered ─► Loading ─► Loaded ─► Activating ─► Active ─► Deactivating ─► Inactive
//!                 ▲          │           ▲                                     │  │
//!                 │          │           └────────── re-activation ────────────┘  │
//!                 │          └─────────────────► Unloading ◄──────────────────────┘
//!                 │                                 │  ▲
//!                 ├────────── reload ─── Unloaded ◄─┘  │
//!                 └────────── restart ── Failed ───────┘      (any state ─► Failed)
//! ```
//!
//! [`State::can_transition_to`] documents every legal edge; [`Lifecycle`] enforces them and
//! keeps a timestamped history; [`RestartPolicy`] and [`RestartTracker`] decide whether and
//! when a crashed extension is restarted.

mod machine;
mod restart;
mod state;

pub use machine::{Lifecycle, LifecycleError, Transition};
pub use restart::{
    Backoff, RestartDecision, RestartLimit, RestartPolicy, RestartPolicyError, RestartTracker,
};
pub use state::State;
