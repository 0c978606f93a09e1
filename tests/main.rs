//! Workspace-level integration tests (one binary; each module tests one area).

mod confine;
mod fuzz;
mod instruments;
mod manifest;
mod motifs;
mod operators;
mod permission;
mod protocol;
mod sandbox;
