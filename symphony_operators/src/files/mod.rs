//! Filesystem access scoped to granted roots, and atomic writes.
//!
//! Every operator that touches a file goes through [`Files`]: it resolves the path with the
//! kernel (`realpath`: `..`, symbolic links and repeated separators are resolved before the
//! check, so none of them can lead outside a root) and checks it against the roots granted
//! for that access. Writes go to a temporary file beside the target and replace it only
//! when complete ([`AtomicFile`]), so a failing operator never leaves partial output.

mod atomic;
mod error;
mod scope;

pub use atomic::AtomicFile;
pub use error::FilesError;
pub use scope::Files;
