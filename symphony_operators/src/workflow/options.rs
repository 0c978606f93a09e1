//! How a workflow runs: checkpoint, cancellation, file access, progress, channel depth.

use std::path::PathBuf;
use std::sync::Arc;

use symphony_core::serve::CancelToken;

use crate::files::Files;
use crate::io::ProgressFn;

/// How a workflow runs.
#[derive(Clone)]
#[non_exhaustive]
pub struct RunOptions {
    /// Where completed nodes are recorded, to resume an interrupted run.
    pub checkpoint: Option<PathBuf>,
    /// Cancels the run: every node stops at its next chunk.
    pub cancel: CancelToken,
    /// The files the operators may touch.
    pub files: Files,
    /// Called with each chunk a node sends.
    pub progress: Option<Arc<ProgressFn>>,
    /// Chunks a connection holds before its sender waits; bounds memory.
    pub channel_depth: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            checkpoint: None,
            cancel: CancelToken::new(),
            files: Files::unrestricted(),
            progress: None,
            channel_depth: 4,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("checkpoint", &self.checkpoint)
            .field("files", &self.files)
            .field("channel_depth", &self.channel_depth)
            .finish_non_exhaustive()
    }
}

impl RunOptions {
    /// These options with checkpoints in `dir` (created if missing).
    #[must_use]
    pub fn with_checkpoint(mut self, dir: impl Into<PathBuf>) -> Self {
        self.checkpoint = Some(dir.into());
        self
    }

    /// These options with `cancel` as the run's token.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// These options with file access limited to `files`.
    #[must_use]
    pub fn with_files(mut self, files: Files) -> Self {
        self.files = files;
        self
    }

    /// These options with a progress callback.
    #[must_use]
    pub fn with_progress(mut self, progress: Arc<ProgressFn>) -> Self {
        self.progress = Some(progress);
        self
    }
}
