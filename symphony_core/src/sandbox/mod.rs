//! TODO(sandbox): filled by Foundation I.
