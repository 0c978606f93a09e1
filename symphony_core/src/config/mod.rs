//! TODO(config): filled by Foundation I.
