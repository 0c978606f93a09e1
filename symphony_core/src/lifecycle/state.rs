//! The states of an extension and the legal edges between them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an extension is in its life, as seen by the host.
///
/// The happy path runs top to bottom; [`State::Failed`] can be entered from anywhere (see
/// [`State::can_transition_to`] for every legal edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Found on disk; its manifest has been read but nothing is running.
    Discovered,
    /// The host is spawning the process (or loading the library) and handshaking.
    Loading,
    /// Handshake done; the extension waits for an activation event.
    Loaded,
    /// An activation event fired and the extension is setting itself up.
    Activating,
    /// Serving requests.
    Active,
    /// Releasing what activation acquired.
    Deactivating,
    /// Deactivated but still loaded; can be activated again.
    Inactive,
    /// The host is shutting the process down (`shutdown`, then `exit`).
    Unloading,
    /// Gone; nothing of the extension is running.
    Unloaded,
    /// Crashed or misbehaved; the reason is kept by [`Lifecycle`](super::Lifecycle).
    Failed,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 10] = [
        State::Discovered,
        State::Loading,
        State::Loaded,
        State::Activating,
        State::Active,
        State::Deactivating,
        State::Inactive,
        State::Unloading,
        State::Unloaded,
        State::Failed,
    ];

    /// Whether `self → to` is a legal edge.
    ///
    /// Besides the happy path (`Discovered → Loading → Loaded → Activating → Active →
    /// Deactivating → Inactive → Unloading → Unloaded`), these edges are legal:
    ///
    /// | edge | why |
    /// |---|---|
    /// | `Inactive → Activating` | a later activation event re-activates a loaded extension |
    /// | `Loaded → Unloading` | the host shuts down before the extension was ever activated |
    /// | `Failed → Loading` | the restart policy restarts a crashed extension |
    /// | `Failed → Unloading` | the host gives up and releases what is left (registrations, pipes) |
    /// | `Unloaded → Loading` | the extension is loaded again, e.g. re-enabled or updated |
    /// | any `→ Failed` | anything can crash, including cleanup after an earlier failure |
    ///
    /// Everything else is illegal, notably skipping a step (`Loaded → Active`), leaving
    /// `Active` other than through `Deactivating` or a failure, and moving backwards.
    ///
    /// ```
    /// use symphony_core::lifecycle::State;
    ///
    /// assert!(State::Inactive.can_transition_to(State::Activating));
    /// assert!(State::Active.can_transition_to(State::Failed));
    /// assert!(!State::Active.can_transition_to(State::Unloading));
    /// ```
    pub fn can_transition_to(self, to: State) -> bool {
        use State::*;
        matches!(
            (self, to),
            (_, Failed)
                | (Discovered, Loading)
                | (Loading, Loaded)
                | (Loaded, Activating | Unloading)
                | (Activating, Active)
                | (Active, Deactivating)
                | (Deactivating, Inactive)
                | (Inactive, Activating | Unloading)
                | (Unloading, Unloaded)
                | (Unloaded, Loading)
                | (Failed, Loading | Unloading)
        )
    }

    /// The states reachable from `self` in one legal step, in lifecycle order.
    ///
    /// ```
    /// use symphony_core::lifecycle::State;
    ///
    /// let next: Vec<State> = State::Loaded.successors().collect();
    /// assert_eq!(next, [State::Activating, State::Unloading, State::Failed]);
    /// ```
    pub fn successors(self) -> impl Iterator<Item = State> {
        State::ALL
            .into_iter()
            .filter(move |&to| self.can_transition_to(to))
    }

    /// The state's name as written in logs and serialised form (`"active"`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Discovered => "discovered",
            State::Loading => "loading",
            State::Loaded => "loaded",
            State::Activating => "activating",
            State::Active => "active",
            State::Deactivating => "deactivating",
            State::Inactive => "inactive",
            State::Unloading => "unloading",
            State::Unloaded => "unloaded",
            State::Failed => "failed",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::State::{self, *};

    /// The documented edges, written out independently of the `matches!` in the code.
    const LEGAL: &[(State, State)] = &[
        (Discovered, Loading),
        (Loading, Loaded),
        (Loaded, Activating),
        (Loaded, Unloading),
        (Activating, Active),
        (Active, Deactivating),
        (Deactivating, Inactive),
        (Inactive, Activating),
        (Inactive, Unloading),
        (Unloading, Unloaded),
        (Unloaded, Loading),
        (Failed, Loading),
        (Failed, Unloading),
    ];

    fn documented_legal(from: State, to: State) -> bool {
        to == Failed || LEGAL.contains(&(from, to))
    }

    #[test]
    fn every_pair_matches_the_documented_table() {
        for from in State::ALL {
            for to in State::ALL {
                assert_eq!(
                    from.can_transition_to(to),
                    documented_legal(from, to),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn every_state_can_fail() {
        for from in State::ALL {
            assert!(from.can_transition_to(Failed), "{from} -> failed");
        }
    }

    #[test]
    fn no_shortcuts_or_backward_steps() {
        for (from, to) in [
            (Discovered, Loaded),
            (Loaded, Active),
            (Active, Unloading),
            (Active, Inactive),
            (Active, Loaded),
            (Inactive, Active),
            (Unloaded, Discovered),
            (Failed, Active),
            (Discovered, Discovered),
        ] {
            assert!(
                !from.can_transition_to(to),
                "{from} -> {to} must be illegal"
            );
        }
    }

    #[test]
    fn every_state_is_reachable_from_discovered() {
        let mut seen = vec![Discovered];
        let mut frontier = vec![Discovered];
        while let Some(state) = frontier.pop() {
            for next in state.successors() {
                if !seen.contains(&next) {
                    seen.push(next);
                    frontier.push(next);
                }
            }
        }
        seen.sort();
        assert_eq!(seen, State::ALL);
    }

    #[test]
    fn names_round_trip_through_serde() {
        for state in State::ALL {
            let json = serde_json::to_string(&state).expect("serialise");
            assert_eq!(json, format!("\"{state}\""));
            let back: State = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, state);
        }
    }
}
