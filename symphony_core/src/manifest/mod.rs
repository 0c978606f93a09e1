//! TODO(manifest): filled by Foundation I.
