//! Fuzz target `view_html`: see [`symphony_motifs_fuzz::view_html`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| symphony_motifs_fuzz::view_html(data));
