//! The WebView bridge: the script that turns DOM events into messages and patches into DOM
//! changes, and the validation of what that script sends.
//!
//! Messages from the page are untrusted: they are size-limited before parsing, must have
//! exactly the expected shape, and name only an element and an event. Which handler runs
//! is decided on the Rust side from the current view's bindings
//! ([`MotifInstance::handle_message`](crate::runtime::MotifInstance::handle_message)).

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::view::BRIDGED_EVENTS;

/// The name of the Tauri plugin: the bridge invokes its command `plugin:motifs|event`.
pub const PLUGIN_NAME: &str = "motifs";

/// The Tauri plugin's command the bridge invokes with each event (`plugin:motifs|event`).
pub const EVENT_COMMAND: &str = "event";

/// The Tauri event the plugin emits with `{motif, patches}` for updates the host started;
/// the bridge applies them.
pub const PATCHES_EVENT: &str = "motifs://patches";

/// The Tauri event the plugin emits with a [`ThemeStyle`](crate::theme::ThemeStyle) when the
/// host's theme changes; every motif page's bridge applies it.
pub const THEME_EVENT: &str = "motifs://theme";

/// The names the bridge script uses that Rust defines: it receives them from here, so the
/// two sides cannot disagree.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BridgeNames {
    events: &'static [&'static str],
    event_command: String,
    patches_event: &'static str,
    theme_event: &'static str,
    theme_property_prefix: &'static str,
    theme_refused_text: Vec<&'static str>,
}

/// The bridge script, to be served with the page inline, right after the `#motif-config`
/// element (it finds the page's elements from its own position).
///
/// It carries the view allow-list (the same `policy.json` the Rust side reads) and checks
/// every patch against it, so a page is safe without its Content-Security-Policy; it puts
/// nothing on `window`. The events it listens for ([`BRIDGED_EVENTS`]), the Tauri command
/// it invokes and the patch event it listens to are handed to it from the Rust definitions.
///
/// ```
/// let script = symphony_motifs::bridge::bridge_js();
/// assert!(script.contains(r#""eventCommand":"plugin:motifs|event""#));
/// ```
pub fn bridge_js() -> &'static str {
    static SCRIPT: LazyLock<String> = LazyLock::new(|| {
        let names = BridgeNames {
            events: BRIDGED_EVENTS,
            event_command: format!("plugin:{PLUGIN_NAME}|{EVENT_COMMAND}"),
            patches_event: PATCHES_EVENT,
            theme_event: THEME_EVENT,
            theme_property_prefix: crate::theme::PROPERTY_PREFIX,
            theme_refused_text: symphony_core::protocol::REFUSED_TOKEN_TEXT
                .iter()
                .map(|(text, _)| *text)
                .collect(),
        };
        // Names are ASCII; `<` and `>` (refused token text) are escaped so they cannot end
        // the script element.
        let names = serde_json::to_string(&names)
            .unwrap_or_else(|_| "{}".to_owned())
            .replace('<', "\\u003c")
            .replace('>', "\\u003e");
        format!(
            "({})({},{names});\n",
            include_str!("bridge.js"),
            include_str!("../view/policy.json")
        )
    });
    &SCRIPT
}

/// Limits on messages from the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgeLimits {
    /// Largest message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Deepest element path accepted.
    pub max_path_depth: usize,
}

impl Default for BridgeLimits {
    fn default() -> Self {
        BridgeLimits {
            max_message_bytes: 64 * 1024,
            max_path_depth: 256,
        }
    }
}

impl BridgeLimits {
    /// With a different message size limit.
    #[must_use]
    pub fn with_max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes;
        self
    }
}

/// An event reported by the page: which DOM event fired on which element.
///
/// It reaches Rust as a [`BridgeMessage`]; make one for a test with [`BridgeEvent::new`]:
///
/// ```
/// use symphony_motifs::bridge::BridgeEvent;
///
/// let typed = BridgeEvent::new("change", [4]).value("Clicks");
/// assert_eq!(
///     typed.to_message(),
///     r#"{"type":"event","event":"change","path":[4],"value":"Clicks"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BridgeEvent {
    /// The DOM event.
    pub event: String,
    /// The element's path from the view root.
    pub path: Vec<usize>,
    /// The element's value, for form controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The key, for `keydown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl BridgeEvent {
    /// `event` fired on the element at `path` (child indices from the view root).
    pub fn new(event: impl Into<String>, path: impl Into<Vec<usize>>) -> Self {
        BridgeEvent {
            event: event.into(),
            path: path.into(),
            value: None,
            key: None,
        }
    }

    /// A click on the element at `path`.
    pub fn click(path: impl Into<Vec<usize>>) -> Self {
        BridgeEvent::new("click", path)
    }

    /// With the element's value (form controls).
    #[must_use]
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// With the key pressed (`keydown`).
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The JSON text the bridge script sends for this event.
    pub fn to_message(&self) -> String {
        // Strings and integers only: serialising cannot fail.
        serde_json::to_string(&BridgeMessage::Event(self.clone())).unwrap_or_default()
    }
}

/// What the bridge script sends, as JSON tagged by `type`; today only events:
/// `{"type":"event","event":"click","path":[0,2]}`, with `value` for form controls and `key`
/// for `keydown`. Unknown fields and types are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
#[non_exhaustive]
pub enum BridgeMessage {
    /// A DOM event on an element that binds it.
    Event(BridgeEvent),
}

/// Why a message from the page was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// Larger than [`BridgeLimits::max_message_bytes`].
    #[error("bridge message of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The message size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not JSON, or not the shape the bridge sends.
    #[error(
        "malformed bridge message: {detail} (expected {{\"type\":\"event\",\"event\":…,\"path\":[…]}})"
    )]
    Malformed {
        /// What was wrong.
        detail: String,
    },
    /// An event the bridge does not forward.
    #[error("bridge message names event `{event}`, which is not bridged (one of: {})", BRIDGED_EVENTS.join(", "))]
    UnknownEvent {
        /// The event.
        event: String,
    },
    /// A path deeper than [`BridgeLimits::max_path_depth`].
    #[error("bridge message path has {depth} levels, more than the limit of {limit}")]
    PathTooDeep {
        /// The path's depth.
        depth: usize,
        /// The limit.
        limit: usize,
    },
}

/// Parses and validates one message from the page.
///
/// # Errors
///
/// A [`BridgeError`] saying what is wrong; nothing is parsed from an oversized message.
///
/// ```
/// use symphony_motifs::bridge::{BridgeError, BridgeLimits, parse_message};
///
/// let limits = BridgeLimits::default();
/// let event = parse_message(br#"{"type":"event","event":"click","path":[0,2]}"#, &limits).unwrap();
/// assert_eq!(event.path, [0, 2]);
/// assert!(matches!(parse_message(b"{", &limits), Err(BridgeError::Malformed { .. })));
/// ```
pub fn parse_message(bytes: &[u8], limits: &BridgeLimits) -> Result<BridgeEvent, BridgeError> {
    if bytes.len() > limits.max_message_bytes {
        return Err(BridgeError::TooLarge {
            size: bytes.len(),
            limit: limits.max_message_bytes,
        });
    }
    let BridgeMessage::Event(event) =
        serde_json::from_slice(bytes).map_err(|error| BridgeError::Malformed {
            detail: error.to_string(),
        })?;
    if !BRIDGED_EVENTS.contains(&event.event.as_str()) {
        return Err(BridgeError::UnknownEvent { event: event.event });
    }
    if event.path.len() > limits.max_path_depth {
        return Err(BridgeError::PathTooDeep {
            depth: event.path.len(),
            limit: limits.max_path_depth,
        });
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_can_be_inlined() {
        let lower = bridge_js().to_ascii_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains("</script") && !lower.contains("<!--")
        );
    }

    #[test]
    fn the_script_takes_its_names_from_rust_and_spells_none_itself() {
        let source = include_str!("bridge.js");
        for name in [PATCHES_EVENT, "plugin:motifs", "'dblclick'", "'focusout'"] {
            assert!(!source.contains(name), "bridge.js spells `{name}` itself");
        }
        let events = serde_json::to_string(BRIDGED_EVENTS).unwrap();
        let script = bridge_js();
        assert!(
            script.contains(&format!(r#"{{"events":{events},"#)),
            "{script}"
        );
        assert!(script.contains(&format!(r#""patchesEvent":"{PATCHES_EVENT}""#)));
    }

    #[test]
    fn malformed_messages_are_refused_with_the_reason() {
        let limits = BridgeLimits::default();
        for (message, needle) in [
            (&b"not json"[..], "expected"),
            (
                br#"{"type":"event","event":"click"}"#,
                "missing field `path`",
            ),
            (
                br#"{"type":"event","event":"click","path":[-1]}"#,
                "invalid value",
            ),
            (
                br#"{"type":"call","handler":"x"}"#,
                "unknown variant `call`",
            ),
            (
                br#"{"type":"event","event":"click","path":[],"handler":"x"}"#,
                "unknown field `handler`",
            ),
        ] {
            let error = parse_message(message, &limits).unwrap_err();
            assert!(matches!(error, BridgeError::Malformed { .. }));
            assert!(error.to_string().contains(needle), "{error}");
        }
        let error = parse_message(
            br#"{"type":"event","event":"mouseover","path":[]}"#,
            &limits,
        )
        .unwrap_err();
        assert_eq!(
            error,
            BridgeError::UnknownEvent {
                event: "mouseover".into()
            }
        );
    }

    #[test]
    fn oversized_and_deep_messages_are_refused() {
        let limits = BridgeLimits::default().with_max_message_bytes(100);
        let big = format!(
            r#"{{"type":"event","event":"input","path":[],"value":"{}"}}"#,
            "x".repeat(200)
        );
        assert_eq!(
            parse_message(big.as_bytes(), &limits),
            Err(BridgeError::TooLarge {
                size: big.len(),
                limit: 100
            })
        );
        let deep = format!(
            r#"{{"type":"event","event":"click","path":[{}0]}}"#,
            "0,".repeat(300)
        );
        let error = parse_message(deep.as_bytes(), &BridgeLimits::default()).unwrap_err();
        assert_eq!(
            error,
            BridgeError::PathTooDeep {
                depth: 301,
                limit: 256
            }
        );
    }
}
