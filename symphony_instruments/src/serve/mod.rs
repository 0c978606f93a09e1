//! The async serve loop (work in progress).
