//! [`ExtensionKind`]: instrument, operator or motif.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of an extension, which decides its manifest section and its SDK crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionKind {
    /// Wraps an AI/ML model (`symphony_instruments`); section `[instrument]`.
    Instrument,
    /// A synchronous data utility (`symphony_operators`); section `[operator]`.
    Operator,
    /// A UI component or custom editor (`symphony_motifs`); section `[motif]`.
    Motif,
}

impl ExtensionKind {
    /// Every kind.
    pub const ALL: [ExtensionKind; 3] = [Self::Instrument, Self::Operator, Self::Motif];

    /// The kind as written in a manifest (`"instrument"`, …), which is also its section name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instrument => "instrument",
            Self::Operator => "operator",
            Self::Motif => "motif",
        }
    }

    pub(crate) const CHOICES: [(&'static str, ExtensionKind); 3] = [
        ("instrument", Self::Instrument),
        ("operator", Self::Operator),
        ("motif", Self::Motif),
    ];
}

impl fmt::Display for ExtensionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
