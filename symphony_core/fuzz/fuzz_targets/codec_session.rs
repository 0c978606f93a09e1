//! Fuzz target `codec_session`: see [`symphony_core_fuzz::codec_session`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| symphony_core_fuzz::codec_session(data));
