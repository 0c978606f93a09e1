//! Fuzz target `config`: see [`symphony_core_fuzz::config`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| symphony_core_fuzz::config(data));
