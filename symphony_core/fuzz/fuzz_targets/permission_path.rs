//! Fuzz target `permission_path`: see [`symphony_core_fuzz::permission_path`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| symphony_core_fuzz::permission_path(data));
