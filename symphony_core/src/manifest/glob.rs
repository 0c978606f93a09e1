//! The light syntax check of globs in manifests (permission paths, `onFile:`, file patterns).
//!
//! Matching is the permission module's job; here a glob only has to be one that module can
//! compile, so a typo is reported while the manifest is written rather than when it is used.

use globset::GlobBuilder;

/// Checks that `glob` is non-empty, has no NUL byte and compiles (`*` stays within one path
/// segment, as the permission checker matches it).
pub(crate) fn check_glob(glob: &str) -> Result<(), String> {
    if glob.trim().is_empty() {
        return Err("the glob is empty".to_owned());
    }
    if glob.contains('\0') {
        return Err("the glob contains a NUL byte".to_owned());
    }
    GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map(drop)
        .map_err(|error| format!("invalid glob `{glob}`: {}", error.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_usual_globs_and_rejects_broken_ones() {
        for glob in [
            "data/**/*.csv",
            "*.example.com",
            "OPENAI_*",
            "{a,b}/?.txt",
            "/tmp/x",
        ] {
            assert_eq!(check_glob(glob), Ok(()), "{glob}");
        }
        for (glob, reason) in [
            ("", "empty"),
            ("  ", "empty"),
            ("a\0b", "NUL"),
            ("data/[a-", "invalid glob"),
            ("{a,b", "invalid glob"),
        ] {
            let error = check_glob(glob).expect_err(glob);
            assert!(error.contains(reason), "{glob}: {error}");
        }
    }
}
