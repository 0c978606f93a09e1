//! The changelog check: `CHANGELOG.md` (keep-a-changelog style) must have a non-empty
//! `## [X.Y.Z]` section for the version being released.

use std::path::Path;

use semver::Version;

use super::error::ReleaseError;

/// Fails unless the changelog `text` (read from `path`) has a section for `version` with at
/// least one non-blank line before the next `## ` heading.
pub(crate) fn check(text: &str, path: &Path, version: &Version) -> Result<(), ReleaseError> {
    let heading = format!("## [{version}]");
    let mut lines = text.lines();
    // The heading may carry a date (`## [0.2.0] - 2026-11-25`), but `## [0.2.0-rc.1]` is not
    // the section of 0.2.0: the bracket closes right after the version.
    if !lines.any(|line| line.trim_end().starts_with(&heading)) {
        return Err(ReleaseError::ChangelogSection {
            path: path.to_owned(),
            version: version.clone(),
        });
    }
    let has_content = lines
        .take_while(|line| !line.starts_with("## "))
        .any(|line| !line.trim().is_empty());
    if has_content {
        Ok(())
    } else {
        Err(ReleaseError::ChangelogEmpty {
            path: path.to_owned(),
            version: version.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n\n## [0.2.0-rc.1] - 2026-11-20\n\n### Added\n- x\n\n## [0.1.0] - 2026-11-01\n\n### Added\n- The first release.\n";

    fn path() -> &'static Path {
        Path::new("CHANGELOG.md")
    }

    #[test]
    fn a_section_with_content_passes() {
        check(CHANGELOG, path(), &Version::new(0, 1, 0)).expect("0.1.0 has a section");
        check(CHANGELOG, path(), &"0.2.0-rc.1".parse().expect("semver")).expect("rc has one");
    }

    #[test]
    fn a_missing_section_is_named_with_the_heading_to_add() {
        let error =
            check(CHANGELOG, path(), &Version::new(0, 2, 0)).expect_err("0.2.0 has no section");
        assert_eq!(
            error.to_string(),
            "CHANGELOG.md has no `## [0.2.0]` section; add one describing the release \
             (keep-a-changelog style) and commit it"
        );
    }

    #[test]
    fn an_empty_section_is_refused() {
        let text = "## [0.3.0]\n\n   \n## [0.2.0]\n- y\n";
        assert!(matches!(
            check(text, path(), &Version::new(0, 3, 0)),
            Err(ReleaseError::ChangelogEmpty { .. })
        ));
        check(text, path(), &Version::new(0, 2, 0)).expect("last section runs to the end");
    }
}
