//! The SDK's API version, which a manifest's `engine` range must accept.

use semver::Version;

/// The Symphony extension API version this SDK implements, as a string.
///
/// A manifest's `engine` field is a semver range (for example `"^1.0"`) that must match it.
pub const API_VERSION_STR: &str = "1.0.0";

/// The Symphony extension API version this SDK implements.
///
/// ```
/// # use symphony_core::version::api_version;
/// assert_eq!(api_version().major, 1);
/// ```
pub fn api_version() -> Version {
    // The constant is a literal checked by the unit test below, so parsing cannot fail.
    Version::parse(API_VERSION_STR).unwrap_or_else(|_| Version::new(1, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_version_constant_parses() {
        assert_eq!(
            Version::parse(API_VERSION_STR).expect("valid semver"),
            api_version()
        );
    }
}
