//! The network grant check made before every request.
//!
//! Core's permission `Policy` (with its sub-microsecond checker) is not on `main` yet; until
//! it is, this checks the granted [`NetworkRule`]s directly: host glob (case-insensitive)
//! and, when the rule lists ports, the port.

use symphony_core::permission::{NetworkRule, Permissions};

use crate::error::InstrumentError;

/// The granted network rules, compiled once.
#[derive(Debug, Clone)]
pub(super) struct NetworkGrant {
    rules: Vec<(globset::GlobMatcher, Vec<u16>)>,
}

impl NetworkGrant {
    pub(super) fn new(grants: &Permissions) -> Self {
        let rules = grants
            .network
            .iter()
            .filter_map(|NetworkRule { host, ports }| {
                match globset::GlobBuilder::new(host).case_insensitive(true).build() {
                    Ok(glob) => Some((glob.compile_matcher(), ports.clone())),
                    Err(error) => {
                        tracing::warn!(%host, %error, "ignoring a network grant that is not a glob");
                        None
                    }
                }
            })
            .collect();
        NetworkGrant { rules }
    }

    /// Fails with a permission error naming `host:port` unless a rule allows it.
    pub(super) fn check(&self, host: &str, port: u16) -> Result<(), InstrumentError> {
        let allowed = self.rules.iter().any(|(glob, ports)| {
            glob.is_match(host) && (ports.is_empty() || ports.contains(&port))
        });
        if allowed {
            Ok(())
        } else {
            Err(InstrumentError::PermissionDenied {
                permission: "network".into(),
                resource: format!("{host}:{port}"),
            })
        }
    }
}
