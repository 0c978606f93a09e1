//! Workspace-level integration tests (one binary; each module tests one area).
mod permission;
mod sandbox;
