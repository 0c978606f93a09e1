//! Host-initiated updates: run a motif's update from Rust and push the patches to its page;
//! switch every page's theme.

use ::tauri::{Emitter, Manager, Runtime};
use serde_json::json;

use super::PluginState;
use crate::motif::Event;
use crate::runtime::{MotifError, Update};
use crate::serve::lock;

pub use crate::bridge::{PATCHES_EVENT, THEME_EVENT};
use crate::theme::{Theme, ThemeError, ThemeStyle};

/// Why a pushed update failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The app does not have the motifs plugin.
    #[error(
        "the motifs plugin is not installed in this app (add MotifsPlugin::build() with .plugin(…))"
    )]
    NoPlugin,
    /// No motif by that name.
    #[error("no motif `{0}` is hosted by the motifs plugin")]
    UnknownMotif(String),
    /// The motif's update failed.
    #[error(transparent)]
    Motif(#[from] MotifError),
    /// Emitting the event failed.
    #[error("cannot emit the motifs plugin's event: {0}")]
    Emit(String),
    /// The theme has a refused token.
    #[error(transparent)]
    Theme(#[from] ThemeError),
}

/// Runs motif updates from Rust (a timer, a file watcher, another extension) and pushes
/// the resulting patches to the page as [`PATCHES_EVENT`].
pub trait MotifsExt<R: Runtime>: Manager<R> + Emitter<R> {
    /// Dispatches `event` to motif `motif` and emits its patches.
    ///
    /// # Errors
    ///
    /// A [`PushError`] naming what is missing or failed.
    fn dispatch_motif(&self, motif: &str, event: &Event) -> Result<Update, PushError> {
        let motifs = self.try_state::<PluginState>().ok_or(PushError::NoPlugin)?;
        let update = {
            let mut components = lock(&motifs.components);
            let component = components
                .get_mut(motif)
                .ok_or_else(|| PushError::UnknownMotif(motif.to_owned()))?;
            component.dispatch(event)?
        };
        if !update.patches.is_empty() {
            self.emit(
                PATCHES_EVENT,
                json!({ "motif": motif, "patches": update.patches }),
            )
            .map_err(|error| PushError::Emit(error.to_string()))?;
        }
        Ok(update)
    }

    /// Switches every motif page to `theme`: pages made from now on start with it, and open
    /// ones get it as [`THEME_EVENT`], which their bridge applies without reloading.
    ///
    /// # Errors
    ///
    /// [`PushError::Theme`] naming a refused token (nothing changes then), or a missing
    /// plugin or failed emit.
    fn set_motif_theme(&self, theme: &Theme) -> Result<ThemeStyle, PushError> {
        let motifs = self.try_state::<PluginState>().ok_or(PushError::NoPlugin)?;
        let style = ThemeStyle::new(theme)?;
        *lock(&motifs.theme) = Some(style.clone());
        self.emit(THEME_EVENT, &style)
            .map_err(|error| PushError::Emit(error.to_string()))?;
        Ok(style)
    }
}

impl<R: Runtime, T: Manager<R> + Emitter<R>> MotifsExt<R> for T {}
