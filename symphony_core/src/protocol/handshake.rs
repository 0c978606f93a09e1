//! The `initialize` request and its result.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{PROTOCOL_VERSION, ProtocolVersion, Theme};
use crate::manifest::Manifest;
use crate::permission::Permissions;

/// Params of `initialize`, host → extension: who the host is and what the extension may do.
///
/// ```
/// # use symphony_core::protocol::{HostInfo, InitializeParams};
/// let params = InitializeParams::new(HostInfo::new("symphony", "0.9.0"));
/// let json = serde_json::to_value(&params).unwrap();
/// assert_eq!(json["protocolVersion"], "1.0");
/// assert_eq!(json["workspaceRoots"], serde_json::json!([]));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// The protocol version the host speaks.
    pub protocol_version: ProtocolVersion,
    /// The host application.
    pub host: HostInfo,
    /// The permissions granted to the extension: its manifest's request, possibly narrowed.
    #[serde(default)]
    pub grants: Permissions,
    /// Configuration values, by key, as declared by the manifest's `[config]` schema.
    #[serde(default)]
    pub config: Map<String, Value>,
    /// The workspace folders open in the host; relative filesystem grants resolve against them.
    #[serde(default)]
    pub workspace_roots: Vec<PathBuf>,
    /// Whether the extension must lock itself down to its grants (Landlock on Linux) before
    /// answering. An extension that cannot do so fails `initialize` with
    /// [`SandboxUnavailable`](super::ErrorCode::SandboxUnavailable).
    #[serde(default)]
    pub sandbox: bool,
    /// The largest message, in bytes, the host accepts; the extension must not send larger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_size: Option<u64>,
    /// The IDE's theme, for extensions that draw (motifs style their pages with it); checked
    /// in the handshake ([`Theme::validate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
}

impl InitializeParams {
    /// Params for `host`, with this SDK's protocol version and nothing granted.
    pub fn new(host: HostInfo) -> Self {
        InitializeParams {
            protocol_version: PROTOCOL_VERSION,
            host,
            grants: Permissions::default(),
            config: Map::new(),
            workspace_roots: Vec::new(),
            sandbox: false,
            max_message_size: None,
            theme: None,
        }
    }
}

/// The host application, as named in `initialize`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    /// The host's name, such as `symphony`.
    pub name: String,
    /// The host's version.
    pub version: String,
}

impl HostInfo {
    /// A host named `name` at `version`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        HostInfo {
            name: name.into(),
            version: version.into(),
        }
    }
}

/// Result of `initialize`, extension → host: what the extension is and can do.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResult {
    /// The protocol version the extension speaks.
    pub protocol_version: ProtocolVersion,
    /// The extension's manifest, as embedded at compile time. On the wire it is the manifest
    /// in its JSON form (the same keys as `symphony.toml`); deserialising validates it fully,
    /// so a host never holds an invalid one.
    pub manifest: Manifest,
    /// What the extension supports.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// The largest message, in bytes, the extension accepts; the host must not send larger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_size: Option<u64>,
    /// What the kernel enforces on the extension's process, when the host asked for a sandbox
    /// ([`InitializeParams::sandbox`]); absent means nothing is enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxEnforcement>,
}

impl InitializeResult {
    /// A result with this SDK's protocol version.
    pub fn new(manifest: Manifest, capabilities: Capabilities) -> Self {
        InitializeResult {
            protocol_version: PROTOCOL_VERSION,
            manifest,
            capabilities,
            max_message_size: None,
            sandbox: None,
        }
    }
}

/// What the kernel enforces on every thread of an extension's process, as reported in
/// [`InitializeResult::sandbox`].
///
/// An extension reports this only once the whole process is confined: a sandbox that would
/// leave a thread unconfined is refused with
/// [`SandboxUnavailable`](super::ErrorCode::SandboxUnavailable) instead. On the wire:
///
/// ```
/// # use symphony_core::protocol::SandboxEnforcement;
/// let text = r#"{"abi":7,"filesystem":true,"network":true,
///     "gaps":["connecting to Unix sockets by path is not restricted (needs Landlock ABI 9)"]}"#;
/// let enforced: SandboxEnforcement = serde_json::from_str(text).unwrap();
/// assert!(enforced.filesystem && enforced.network);
/// assert!(enforced.satisfies(&SandboxEnforcement::required(true, true)));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SandboxEnforcement {
    /// The Landlock ABI version in force (0 when nothing is enforced).
    pub abi: u32,
    /// Whether the kernel confines every thread to the granted filesystem hierarchies.
    pub filesystem: bool,
    /// Whether the kernel denies every thread all TCP connects and binds (the session has no
    /// network grant and the kernel's Landlock ABI is 4 or later).
    pub network: bool,
    /// What the kernel leaves unrestricted within what it enforces, in words (operations newer
    /// than its Landlock ABI).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

impl SandboxEnforcement {
    /// A requirement (for a host to compare reports against): `filesystem` and `network`
    /// confinement, any ABI, gaps allowed.
    pub fn required(filesystem: bool, network: bool) -> Self {
        SandboxEnforcement {
            abi: 0,
            filesystem,
            network,
            gaps: Vec::new(),
        }
    }

    /// Whether this enforces at least what `required` asks for (its filesystem and network
    /// flags; a required ABI above 0 is a minimum).
    pub fn satisfies(&self, required: &SandboxEnforcement) -> bool {
        (self.filesystem || !required.filesystem)
            && (self.network || !required.network)
            && self.abi >= required.abi
    }
}

impl std::fmt::Display for SandboxEnforcement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let confined = match (self.filesystem, self.network) {
            (true, true) => "filesystem and network (no TCP)",
            (true, false) => "filesystem only",
            (false, true) => "network (no TCP) only",
            (false, false) => return f.write_str("nothing enforced"),
        };
        f.write_str(confined)?;
        if self.abi > 0 {
            write!(f, ", Landlock ABI {}", self.abi)?;
        }
        for gap in &self.gaps {
            write!(f, "; {gap}")?;
        }
        Ok(())
    }
}

/// What an extension supports, reported in [`InitializeResult`].
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Capabilities {
    /// The methods the extension implements (kind methods such as `operator/run`).
    pub methods: Vec<String>,
    /// How many requests the extension handles at once.
    pub concurrency: usize,
    /// Extension-specific capabilities, by name.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub experimental: Map<String, Value>,
}

impl Capabilities {
    /// Capabilities listing `methods`, handling one request at a time.
    pub fn new<I, S>(methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Capabilities {
            methods: methods.into_iter().map(Into::into).collect(),
            concurrency: 1,
            experimental: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initialize_params_use_camel_case_and_defaults() {
        let json = r#"{"protocolVersion":"1.0","host":{"name":"h","version":"1"},
            "workspaceRoots":["/w"],"maxMessageSize":1024}"#;
        let params: InitializeParams = serde_json::from_str(json).expect("parse");
        assert_eq!(params.workspace_roots, vec![PathBuf::from("/w")]);
        assert_eq!(params.max_message_size, Some(1024));
        assert!(!params.sandbox);
        assert_eq!(params.grants, Permissions::default());
    }

    #[test]
    fn initialize_result_round_trips() {
        let result = InitializeResult::new(
            crate::testing::manifest("acme.echo", ""),
            Capabilities::new(["echo"]),
        );
        let text = serde_json::to_string(&result).expect("ser");
        assert_eq!(
            text,
            concat!(
                r#"{"protocolVersion":"1.0","manifest":{"id":"acme.echo","name":"Test","#,
                r#""version":"1.0.0","kind":"operator","engine":"^1","#,
                r#""operator":{"category":"custom"}},"#,
                r#""capabilities":{"methods":["echo"],"concurrency":1}}"#
            )
        );
        let back: InitializeResult = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, result);
    }

    #[test]
    fn an_invalid_manifest_fails_to_decode_naming_every_problem() {
        let text = r#"{"protocolVersion":"1.0","capabilities":{},
            "manifest":{"id":"Acme","name":"X","version":"one","kind":"operator","engine":"^1",
                        "operator":{"category":"custom"}}}"#;
        let error = serde_json::from_str::<InitializeResult>(text)
            .expect_err("invalid manifest")
            .to_string();
        assert!(
            error.contains("invalid manifest")
                && error.contains("id: `Acme` is not a valid extension id")
                && error.contains("version"),
            "{error}"
        );
    }
}
