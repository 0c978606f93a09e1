//! [`ActivationEvent`]: when the host starts an extension.

use std::fmt;

use serde::{Serialize, Serializer};

use super::glob::check_glob;
use crate::document::closest;

/// An event that makes the host activate the extension, from `[activation] events`.
///
/// | written as | meaning |
/// |---|---|
/// | `onStartup` | when the IDE starts |
/// | `onCommand:acme.clean` | when the command is invoked |
/// | `onLanguage:csv` | when a document of that language is opened |
/// | `onFile:**/*.csv` | when a workspace file matching the glob exists or is opened |
/// | `onView:acme.panel` | when the view is shown |
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActivationEvent {
    /// `onStartup`.
    Startup,
    /// `onCommand:<command id>`.
    Command(String),
    /// `onLanguage:<language id>`.
    Language(String),
    /// `onFile:<path glob>`.
    File(String),
    /// `onView:<view id>`.
    View(String),
}

const PREFIXES: [&str; 5] = ["onStartup", "onCommand", "onLanguage", "onFile", "onView"];

impl ActivationEvent {
    /// Parses the written form, explaining what is wrong when it is not an event.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let (prefix, argument) = match text.split_once(':') {
            Some((prefix, argument)) => (prefix, Some(argument)),
            None => (text, None),
        };
        let event = match (prefix, argument) {
            ("onStartup", None) => return Ok(Self::Startup),
            ("onStartup", Some(_)) => return Err("`onStartup` takes no argument".to_owned()),
            ("onCommand" | "onLanguage" | "onFile" | "onView", None | Some("")) => {
                return Err(format!("`{prefix}` needs an argument, as in `{prefix}:…`"));
            }
            ("onCommand", Some(id)) => Self::Command(identifier(id, "command id", "")?),
            ("onLanguage", Some(id)) => Self::Language(identifier(id, "language id", "+#")?),
            ("onView", Some(id)) => Self::View(identifier(id, "view id", "")?),
            ("onFile", Some(glob)) => {
                check_glob(glob)?;
                Self::File(glob.to_owned())
            }
            _ => {
                let hint = closest(prefix, PREFIXES)
                    .map(|name| format!(" (did you mean `{name}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown activation event `{text}`{hint}; expected `onStartup`, \
                     `onCommand:<id>`, `onLanguage:<id>`, `onFile:<glob>` or `onView:<id>`"
                ));
            }
        };
        Ok(event)
    }
}

/// Checks an id made of ASCII letters, digits, `.`, `_`, `-` and the given extra characters.
fn identifier(id: &str, what: &str, extra: &str) -> Result<String, String> {
    match id.chars().find(|c| {
        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') || extra.contains(*c))
    }) {
        Some(bad) => Err(format!("the {what} `{id}` contains {bad:?}")),
        None => Ok(id.to_owned()),
    }
}

impl fmt::Display for ActivationEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Startup => f.write_str("onStartup"),
            Self::Command(id) => write!(f, "onCommand:{id}"),
            Self::Language(id) => write!(f, "onLanguage:{id}"),
            Self::File(glob) => write!(f, "onFile:{glob}"),
            Self::View(id) => write!(f, "onView:{id}"),
        }
    }
}

impl Serialize for ActivationEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_every_event() {
        for (text, event) in [
            ("onStartup", ActivationEvent::Startup),
            (
                "onCommand:acme.clean",
                ActivationEvent::Command("acme.clean".into()),
            ),
            ("onLanguage:c++", ActivationEvent::Language("c++".into())),
            ("onFile:**/*.csv", ActivationEvent::File("**/*.csv".into())),
            (
                "onView:acme.panel",
                ActivationEvent::View("acme.panel".into()),
            ),
        ] {
            assert_eq!(ActivationEvent::parse(text).as_ref(), Ok(&event), "{text}");
            assert_eq!(event.to_string(), text);
        }
    }

    #[test]
    fn explains_bad_events() {
        for (text, reason) in [
            ("onComand:x", "did you mean `onCommand`?"),
            ("startup", "unknown activation event"),
            ("onStartup:now", "takes no argument"),
            ("onCommand", "needs an argument"),
            ("onView:", "needs an argument"),
            ("onCommand:acme clean", "contains ' '"),
            ("onFile:data/[a-", "invalid glob"),
        ] {
            let error = ActivationEvent::parse(text).expect_err(text);
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
