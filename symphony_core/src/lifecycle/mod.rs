//! TODO(lifecycle): filled by Foundation I.
