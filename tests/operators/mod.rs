//! Operator extensions as real child processes, spawned and driven by the core host.

mod csv_cleaner;
