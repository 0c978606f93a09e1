//! Fuzz target `manifest`: see [`symphony_core_fuzz::manifest`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| symphony_core_fuzz::manifest(data));
