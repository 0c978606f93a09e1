//! Integration tests of `symphony_operators`, against real files in temporary directories.

mod operators;
