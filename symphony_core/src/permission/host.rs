//! Host names and IP literals: parsing `network` rule patterns and the hosts being checked.
//!
//! IP addresses are compared as addresses, not as text, and every spelling a resolver accepts
//! is reduced to one address first: `127.1`, `0x7f.0.0.1`, `2130706433`, `::ffff:127.0.0.1`
//! and `[::1]` cannot slip past a rule for `127.0.0.1` or `::1`.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::error::RuleProblem;

/// Longest host name (RFC 1035), without the trailing dot.
const MAX_HOST_LEN: usize = 253;
/// Longest label of a host name (RFC 1035).
const MAX_LABEL_LEN: usize = 63;
/// Longest textual IP address (an IPv6 with an embedded IPv4), with room to spare.
pub(crate) const IP_TEXT_CAPACITY: usize = 64;

/// A compiled `network[i].host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostPattern {
    /// An IP literal, canonical (IPv4-mapped IPv6 addresses become IPv4).
    Ip(IpAddr),
    /// A case-insensitive glob over host names (`*` spans labels), without a trailing dot.
    Glob(String),
}

/// A host being checked, reduced to the form rules match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostSubject<'a> {
    Ip(IpAddr),
    /// A syntactically valid host name, trailing dot removed, case as given.
    Name(&'a str),
    /// Not a host name or IP literal: no rule may claim to cover it.
    Invalid,
}

/// Parses a rule's host pattern.
pub(crate) fn parse_pattern(text: &str) -> Result<HostPattern, RuleProblem> {
    let invalid = |reason| Err(RuleProblem::InvalidHost { reason });
    if text.is_empty() {
        return Err(RuleProblem::Empty);
    }
    if text.contains("://") {
        return invalid("it looks like a URL; write only the host, without scheme or path");
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) => Ok(HostPattern::Ip(IpAddr::V6(ip).to_canonical())),
            Err(_) => invalid("the text in brackets is not an IPv6 address"),
        };
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(HostPattern::Ip(ip.to_canonical()));
    }
    if text.contains(':') {
        return invalid("`:` only appears in IPv6 literals; put ports in `ports`");
    }
    if text.contains('/') {
        return invalid("`/` has no place in a host (paths and CIDR ranges are not supported)");
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    if let Some(ip) = parse_legacy_ipv4(name) {
        return Ok(HostPattern::Ip(IpAddr::V4(ip)));
    }
    if name.len() > MAX_HOST_LEN {
        return invalid("it is longer than the 253 characters a host name may have");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return invalid("it has an empty label (`..`, or a leading or doubled dot)");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_*?".contains(&b))
        {
            return invalid("only ASCII letters, digits, `-`, `_`, `.`, `*` and `?` may appear");
        }
        if label.len() > MAX_LABEL_LEN && !label.contains(['*', '?']) {
            return invalid("a label is longer than the 63 characters a label may have");
        }
    }
    Ok(HostPattern::Glob(name.to_owned()))
}

/// Parses a host being checked.
pub(crate) fn parse_subject(host: &str) -> HostSubject<'_> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) => HostSubject::Ip(IpAddr::V6(ip).to_canonical()),
            Err(_) => HostSubject::Invalid,
        };
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return HostSubject::Ip(ip.to_canonical());
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    if let Some(ip) = parse_legacy_ipv4(name) {
        return HostSubject::Ip(IpAddr::V4(ip));
    }
    let valid = !name.is_empty()
        && name.len() <= MAX_HOST_LEN
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL_LEN
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if valid {
        HostSubject::Name(name)
    } else {
        HostSubject::Invalid
    }
}

/// Writes the canonical text of `ip` into `buf` (no allocation), for matching host globs such
/// as `10.0.*` or `*` against addresses.
pub(crate) fn ip_text(ip: IpAddr, buf: &mut [u8; IP_TEXT_CAPACITY]) -> &[u8] {
    let written = match ip {
        // By hand: the formatting machinery costs more than the whole rest of a check.
        IpAddr::V4(ip) => write_ipv4(ip, buf),
        IpAddr::V6(ip) => {
            let mut cursor = &mut buf[..];
            let capacity = cursor.len();
            // 64 bytes hold any address's text, so the write cannot run out of room.
            match write!(cursor, "{ip}") {
                Ok(()) => capacity - cursor.len(),
                Err(_) => 0,
            }
        }
    };
    buf.get(..written).unwrap_or_default()
}

fn write_ipv4(ip: Ipv4Addr, buf: &mut [u8; IP_TEXT_CAPACITY]) -> usize {
    let mut len = 0;
    for (i, octet) in ip.octets().into_iter().enumerate() {
        let digits = [octet / 100, octet / 10 % 10, octet % 10];
        let skip = match octet {
            0..=9 => 2,
            10..=99 => 1,
            _ => 0,
        };
        let dot = (i > 0).then_some(b'.');
        for byte in dot
            .into_iter()
            .chain(digits.into_iter().skip(skip).map(|d| b'0' + d))
        {
            if let Some(slot) = buf.get_mut(len) {
                *slot = byte;
                len += 1;
            }
        }
    }
    len
}

/// Parses the IPv4 spellings `inet_aton(3)` (and so `getaddrinfo`) accepts beyond dotted
/// quads: one to four parts, each decimal, octal (`0` prefix) or hexadecimal (`0x` prefix), the
/// last part filling the remaining bytes (`127.1` is `127.0.0.1`, `2130706433` too).
fn parse_legacy_ipv4(text: &str) -> Option<Ipv4Addr> {
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut parts = [0u32; 4];
    let mut count = 0;
    for part in text.split('.') {
        let slot = parts.get_mut(count)?;
        *slot = parse_legacy_number(part)?;
        count += 1;
    }
    let [a, b, c, d] = parts;
    let value = match count {
        1 => a,
        2 if a <= 0xff && b <= 0xff_ffff => a << 24 | b,
        3 if a <= 0xff && b <= 0xff && c <= 0xffff => a << 24 | b << 16 | c,
        4 if [a, b, c, d].iter().all(|&p| p <= 0xff) => a << 24 | b << 16 | c << 8 | d,
        _ => return None,
    };
    Some(Ipv4Addr::from(value))
}

fn parse_legacy_number(part: &str) -> Option<u32> {
    if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return u32::from_str_radix(hex, 16).ok();
    }
    if !part.bytes().all(|b| b.is_ascii_digit()) || part.is_empty() {
        return None;
    }
    match part.strip_prefix('0') {
        Some(octal) if !octal.is_empty() => u32::from_str_radix(octal, 8).ok(),
        _ => part.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn every_resolver_spelling_of_localhost_is_one_address() {
        for spelling in [
            "127.0.0.1",
            "127.1",
            "127.0.1",
            "0x7f.0.0.1",
            "0177.0.0.1",
            "2130706433",
            "0x7f000001",
            "127.0.0.1.",
            "::ffff:127.0.0.1",
            "[::ffff:127.0.0.1]",
        ] {
            assert_eq!(
                parse_subject(spelling),
                HostSubject::Ip(LOCALHOST),
                "{spelling}"
            );
            assert_eq!(
                parse_pattern(spelling),
                Ok(HostPattern::Ip(LOCALHOST)),
                "{spelling}"
            );
        }
    }

    #[test]
    fn ipv6_literals_parse_with_or_without_brackets() {
        let ip = IpAddr::V6(Ipv6Addr::LOCALHOST);
        assert_eq!(parse_subject("::1"), HostSubject::Ip(ip));
        assert_eq!(parse_subject("[0:0:0:0:0:0:0:1]"), HostSubject::Ip(ip));
        assert_eq!(parse_pattern("[::1]"), Ok(HostPattern::Ip(ip)));
    }

    #[test]
    fn host_names_lose_one_trailing_dot_and_keep_their_case() {
        assert_eq!(
            parse_subject("API.Example.com."),
            HostSubject::Name("API.Example.com")
        );
        assert_eq!(parse_subject("example.com.."), HostSubject::Invalid);
    }

    #[test]
    fn malformed_hosts_are_invalid() {
        for host in [
            "",
            ".",
            "a..b",
            "a b",
            "evil.com/x",
            "a\0b",
            "ex\u{e4}mple.com",
            "[zz]",
        ] {
            assert_eq!(parse_subject(host), HostSubject::Invalid, "{host:?}");
        }
    }

    #[test]
    fn out_of_range_legacy_forms_are_not_addresses() {
        assert_eq!(parse_legacy_ipv4("256.1.1.1"), None);
        assert_eq!(parse_legacy_ipv4("1.2.3.4.5"), None);
        assert_eq!(parse_legacy_ipv4("0x"), None);
        assert_eq!(parse_legacy_ipv4("08.1.1.1"), None);
        assert_eq!(parse_legacy_ipv4("1.0x1000000"), None);
    }

    #[test]
    fn invalid_host_patterns_say_why() {
        for pattern in [
            "https://example.com",
            "example.com:443",
            "10.0.0.0/8",
            "a..b",
            "bad host",
            "[nope]",
        ] {
            assert!(
                matches!(parse_pattern(pattern), Err(RuleProblem::InvalidHost { .. })),
                "{pattern}"
            );
        }
        assert_eq!(parse_pattern(""), Err(RuleProblem::Empty));
        assert_eq!(
            parse_pattern("*.Example.com."),
            Ok(HostPattern::Glob("*.Example.com".into()))
        );
    }

    proptest::proptest! {
        #[test]
        fn every_ipv4_text_matches_std_formatting(bits in proptest::prelude::any::<u32>()) {
            let ip = Ipv4Addr::from(bits);
            let mut buf = [0; IP_TEXT_CAPACITY];
            let expected = ip.to_string();
            proptest::prop_assert_eq!(ip_text(IpAddr::V4(ip), &mut buf), expected.as_bytes());
        }
    }

    #[test]
    fn ipv4_text_matches_std_formatting() {
        let mut buf = [0; IP_TEXT_CAPACITY];
        for ip in ["0.0.0.0", "255.255.255.255", "10.0.100.9", "1.22.103.40"] {
            let parsed: Ipv4Addr = ip.parse().unwrap_or(Ipv4Addr::UNSPECIFIED);
            assert_eq!(ip_text(IpAddr::V4(parsed), &mut buf), ip.as_bytes());
        }
    }

    #[test]
    fn ip_text_is_canonical() {
        let mut buf = [0; IP_TEXT_CAPACITY];
        let ip: IpAddr = "0:0::ffff:1.2.3.4"
            .parse()
            .unwrap_or(LOCALHOST)
            .to_canonical();
        assert_eq!(ip_text(ip, &mut buf), b"1.2.3.4");
    }
}
