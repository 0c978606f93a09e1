//! Each kind's tokens: what a page uses for the tokens the host leaves out.
//!
//! Text colours keep at least 4.5:1 contrast (WCAG AA) with the background and surface they
//! sit on, in every kind; the gallery test checks this with axe-core in a real browser.

use super::ThemeKind;

/// Token names every kind defines, in the stylesheet's order.
pub const TOKEN_NAMES: [&str; 27] = [
    "color-background",
    "color-surface",
    "color-text",
    "color-text-muted",
    "color-border",
    "color-accent",
    "color-accent-text",
    "color-focus",
    "color-danger",
    "color-success",
    "color-warning",
    "color-selection",
    "color-link",
    "chart-1",
    "chart-2",
    "chart-3",
    "chart-4",
    "chart-5",
    "chart-6",
    "font-family",
    "font-family-mono",
    "font-size",
    "space-1",
    "space-2",
    "space-3",
    "radius",
    "focus-width",
];

const FONTS: [&str; 2] = [
    "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Noto Sans\", sans-serif",
    "ui-monospace, \"Cascadia Code\", \"DejaVu Sans Mono\", monospace",
];

const SIZES: [&str; 5] = ["14px", "4px", "8px", "16px", "4px"];

/// The values of [`TOKEN_NAMES`] for `kind`, in the same order.
pub(super) fn values(kind: ThemeKind) -> [&'static str; 27] {
    let colors: [&str; 19] = match kind {
        ThemeKind::Dark => [
            "#1e1e1e", "#2a2a2b", "#e6e6e6", "#a8b0b9", "#6e7681", "#2563eb", "#ffffff", "#79b8ff",
            "#ff8a80", "#56d364", "#e3b341", "#264f78", "#8ab4f8", "#4d9bff", "#ff8f5a", "#56d364",
            "#c297ff", "#e3b341", "#39c5cf",
        ],
        ThemeKind::HighContrast => [
            "#000000", "#000000", "#ffffff", "#ffffff", "#ffffff", "#ffd400", "#000000", "#00e5ff",
            "#ff8080", "#7cfc00", "#ffd400", "#1a3a8a", "#00e5ff", "#ffd400", "#00e5ff", "#ff6bff",
            "#7cfc00", "#ff9f40", "#ffffff",
        ],
        // Light is also what a kind this version does not know falls back to.
        _ => [
            "#ffffff", "#f3f5f7", "#1b1f24", "#555f6b", "#8c959f", "#0a58ca", "#ffffff", "#0a58ca",
            "#b42318", "#1a7f37", "#8a5a00", "#cfe2ff", "#0000ee", "#0a58ca", "#c4320a", "#1a7f37",
            "#8250df", "#8a5a00", "#0f7b8a",
        ],
    };
    let focus_width = if kind == ThemeKind::HighContrast {
        "3px"
    } else {
        "2px"
    };
    let mut all = [""; 27];
    all[..19].copy_from_slice(&colors);
    all[19..21].copy_from_slice(&FONTS);
    all[21..26].copy_from_slice(&SIZES);
    all[26] = focus_width;
    all
}
