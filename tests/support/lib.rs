//! Helpers shared by the workspace integration tests.
pub mod extension;
pub mod raw;
pub mod temp_workspace;
