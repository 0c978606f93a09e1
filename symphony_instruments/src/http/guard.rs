//! The network grant, held on every hop: the first request, each redirect, and every address a
//! host name resolves to.
//!
//! The policy matches host names as written and never resolves them, so a deny rule on
//! `127.0.0.1` says nothing about `localhost`. The guard closes that gap at the client: it is
//! the client's DNS resolver, and it refuses a name when one of its addresses is denied on a
//! port the name was approved for. Redirects are checked by [`Guard::redirect_policy`] before
//! they are followed, so a granted host cannot hand the request (and, on 307/308, the prompt)
//! to an ungranted one.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use symphony_core::permission::{PermissionError, Policy, Resource};

use crate::error::InstrumentError;
use crate::grant;

/// The most redirects followed for one request.
const MAX_REDIRECTS: usize = 10;
/// The most host names remembered with their approved ports; past it the memory starts over
/// (a name whose approval was forgotten is refused until its next check).
const MAX_NAMES: usize = 1024;

/// A refusal by the guard, carried through `reqwest`'s error chain to
/// [`Guard::refusal`], which turns it back into the [`InstrumentError`] it was.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(InstrumentError);

/// Checks each hop of the client's connections against the session's policy.
#[derive(Debug)]
pub(super) struct Guard {
    policy: Arc<Policy>,
    /// The ports each host name was approved for (lower case): the resolver sees only the
    /// name, and deny rules may name ports.
    approved: Mutex<HashMap<String, Vec<u16>>>,
}

impl Guard {
    pub(super) fn new(policy: Arc<Policy>) -> Arc<Self> {
        Arc::new(Guard {
            policy,
            approved: Mutex::new(HashMap::new()),
        })
    }

    /// Requires a connection to `url`'s host and port, and remembers the approval for the
    /// resolver.
    pub(super) fn require(&self, url: &Url) -> Result<(), InstrumentError> {
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(InstrumentError::PermissionDenied {
                permission: "network connect".into(),
                resource: url.to_string(),
                reason: format!("network connect permission denied for `{url}`: it has no host"),
            });
        };
        grant::require(&self.policy, &Resource::host(host, port))?;
        // IP literals never reach the resolver; names do.
        if !(host.starts_with('[') || host.parse::<IpAddr>().is_ok()) {
            self.remember(host, port);
        }
        Ok(())
    }

    fn remember(&self, host: &str, port: u16) {
        let name = normalize_name(host);
        let mut approved = self.approved.lock().unwrap_or_else(PoisonError::into_inner);
        if approved.len() >= MAX_NAMES && !approved.contains_key(&name) {
            approved.clear();
        }
        let ports = approved.entry(name).or_default();
        if !ports.contains(&port) {
            ports.push(port);
        }
    }

    /// The redirect policy of the client: every hop is required like the first request, and
    /// a refusal names the hop's URL.
    pub(super) fn redirect_policy(self: &Arc<Self>) -> reqwest::redirect::Policy {
        let guard = Arc::clone(self);
        reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                let message = format!(
                    "more than {MAX_REDIRECTS} redirects, the last to {}",
                    attempt.url()
                );
                return attempt.error(message);
            }
            match guard.require(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(error) => {
                    let from = attempt.previous().last().map(ToString::to_string);
                    let error = hop_refused(error, attempt.url(), from.as_deref());
                    attempt.error(Refused(error))
                }
            }
        })
    }

    /// The guard's own refusal inside `error`'s chain of causes, if it is one.
    pub(super) fn refusal(error: &(dyn std::error::Error + 'static)) -> Option<InstrumentError> {
        let mut source = Some(error);
        while let Some(cause) = source {
            if let Some(Refused(refusal)) = cause.downcast_ref::<Refused>() {
                return Some(refusal.clone());
            }
            source = cause.source();
        }
        None
    }

    /// Checks the addresses `name` resolved to: refused when the host denies one of them on a
    /// port `name` was approved for, or when `name` was never approved.
    fn check_addresses(&self, name: &str, addresses: &[SocketAddr]) -> Result<(), Refused> {
        let name = normalize_name(name);
        let ports = self
            .approved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&name)
            .cloned()
            .unwrap_or_default();
        if ports.is_empty() {
            return Err(Refused(InstrumentError::PermissionDenied {
                permission: "network connect".into(),
                resource: format!("`{name}`"),
                reason: format!(
                    "network connect permission denied for `{name}`: the name was not checked \
                     against the policy before it was resolved"
                ),
            }));
        }
        for address in addresses {
            let ip = address.ip().to_canonical();
            let text = ip.to_string();
            for &port in &ports {
                let resource = Resource::host(&text, port);
                // Only the host's deny rules speak about addresses here: the name itself was
                // requested and granted, which covers what it resolves to.
                if let Err(error @ PermissionError::DeniedByHost { .. }) =
                    self.policy.require(&resource)
                {
                    return Err(Refused(InstrumentError::PermissionDenied {
                        permission: resource.permission().to_string(),
                        resource: format!("`{name}:{port}`"),
                        reason: format!("`{name}` resolves to {ip}, and {error}"),
                    }));
                }
            }
        }
        Ok(())
    }
}

/// A resolver that checks every address against the guard before the client may use it.
#[derive(Debug, Clone)]
pub(super) struct GuardedResolver(pub(super) Arc<Guard>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = Arc::clone(&self.0);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let lookup = host.clone();
            // `getaddrinfo` blocks; the port is set by the connector afterwards.
            let addresses: Vec<SocketAddr> =
                tokio::task::spawn_blocking(move || (lookup.as_str(), 0).to_socket_addrs())
                    .await
                    .map_err(|error| format!("resolving `{host}` panicked: {error}"))??
                    .collect();
            guard.check_addresses(&host, &addresses)?;
            let addrs: Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

/// The error of a redirect hop the policy refuses, naming the hop's URL.
fn hop_refused(error: InstrumentError, hop: &Url, from: Option<&str>) -> InstrumentError {
    let InstrumentError::PermissionDenied {
        permission, reason, ..
    } = error
    else {
        return error;
    };
    let from = from.map(|from| format!(" from {from}")).unwrap_or_default();
    InstrumentError::PermissionDenied {
        permission,
        resource: hop.to_string(),
        reason: format!("refused the redirect{from} to {hop}: {reason}"),
    }
}

/// A host name as the approvals key it: lower case, without a trailing dot.
fn normalize_name(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}
