//! Syntax check of absolute URIs (RFC 3986), for `url` config fields.
//!
//! A full URL library (WHATWG parsing, IDNA) would be a heavy dependency for the foundation
//! crate, and a config field only needs to know that a value *is* a well-formed absolute URI with
//! an acceptable scheme; normalisation is the job of whatever later connects to it.

/// The parts of a well-formed absolute URI that config validation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Uri<'a> {
    /// The scheme as written (compare case-insensitively).
    pub(crate) scheme: &'a str,
    /// The host, when the URI has an authority (`//host`).
    pub(crate) host: Option<&'a str>,
}

/// Schemes whose URIs are meaningless without a host.
const HOST_REQUIRED: &[&str] = &["http", "https", "ws", "wss", "ftp"];

/// Checks that `text` is an absolute URI, returning its scheme and host or why it is not one.
pub(crate) fn parse_absolute(text: &str) -> Result<Uri<'_>, String> {
    let (scheme, rest) = text
        .split_once(':')
        .ok_or_else(|| "missing a scheme such as `https:`".to_owned())?;
    if !is_scheme(scheme) {
        return Err(format!("`{}` is not a valid scheme", shorten(scheme)));
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (hier, query) = rest.split_once('?').unwrap_or((rest, ""));
    check_chars(fragment, "fragment", |b| {
        is_pchar(b) || b == b'/' || b == b'?'
    })?;
    check_chars(query, "query", |b| is_pchar(b) || b == b'/' || b == b'?')?;

    let (host, path) = match hier.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            let (authority, path) = after.split_at(end);
            (Some(check_authority(authority)?), path)
        }
        None => (None, hier),
    };
    check_chars(path, "path", |b| is_pchar(b) || b == b'/')?;

    let needs_host = HOST_REQUIRED
        .iter()
        .any(|name| name.eq_ignore_ascii_case(scheme));
    if needs_host && host.is_none_or(str::is_empty) {
        return Err(format!(
            "a `{scheme}` URL needs a host, as in `{scheme}://example.com`"
        ));
    }
    Ok(Uri { scheme, host })
}

/// Whether `text` is a URI scheme: a letter, then letters, digits, `+`, `-` or `.`.
pub(crate) fn is_scheme(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Checks `[userinfo@]host[:port]` and returns the host.
fn check_authority(authority: &str) -> Result<&str, String> {
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => (userinfo, host_port),
        None => ("", authority),
    };
    check_chars(userinfo, "user information", |b| {
        is_unreserved(b) || is_sub_delim(b) || b == b':'
    })?;
    let (host, port) = if let Some(literal) = host_port.strip_prefix('[') {
        let (inside, after) = literal
            .split_once(']')
            .ok_or_else(|| "an IPv6 host is missing its closing `]`".to_owned())?;
        if inside.is_empty()
            || !inside
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
        {
            return Err(format!("`[{}]` is not a valid IPv6 host", shorten(inside)));
        }
        let port = match after.strip_prefix(':') {
            Some(port) => port,
            None if after.is_empty() => "",
            None => return Err("unexpected characters after the IPv6 host".to_owned()),
        };
        (&host_port[..inside.len() + 2], port)
    } else {
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
        check_chars(host, "host", |b| is_unreserved(b) || is_sub_delim(b))?;
        (host, port)
    };
    if !port.is_empty() && port.parse::<u16>().is_err() {
        return Err(format!(
            "`{}` is not a valid port (0 to 65535)",
            shorten(port)
        ));
    }
    Ok(host)
}

/// Checks that every byte of `part` is allowed, or is part of a `%XX` escape.
fn check_chars(part: &str, what: &str, allowed: impl Fn(u8) -> bool) -> Result<(), String> {
    let bytes = part.as_bytes();
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return Err(format!(
                    "the {what} has a `%` that is not followed by two hex digits"
                ));
            }
            index += 3;
        } else if allowed(byte) {
            index += 1;
        } else {
            let shown = part[index..].chars().next().unwrap_or('?');
            return Err(format!(
                "the {what} contains {shown:?}, which must be percent-encoded"
            ));
        }
    }
    Ok(())
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn is_sub_delim(byte: u8) -> bool {
    matches!(
        byte,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

fn is_pchar(byte: u8) -> bool {
    is_unreserved(byte) || is_sub_delim(byte) || matches!(byte, b':' | b'@')
}

/// At most 40 characters of `text`, for messages about odd input.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_absolute_uris() {
        for (text, scheme, host) in [
            (
                "https://api.example.com/v1?x=1#top",
                "https",
                Some("api.example.com"),
            ),
            ("http://user:pw@127.0.0.1:8080/", "http", Some("127.0.0.1")),
            ("http://[::1]:80/path", "http", Some("[::1]")),
            ("HTTPS://EXAMPLE.COM", "HTTPS", Some("EXAMPLE.COM")),
            ("file:///tmp/x%20y", "file", Some("")),
            ("mailto:team@example.com", "mailto", None),
            ("urn:isbn:0451450523", "urn", None),
        ] {
            assert_eq!(parse_absolute(text), Ok(Uri { scheme, host }), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_uris_with_reasons() {
        for (text, reason) in [
            ("example.com", "missing a scheme"),
            ("1http://x", "not a valid scheme"),
            ("https:///path", "needs a host"),
            ("https:example.com", "needs a host"),
            ("http://exa mple.com", "must be percent-encoded"),
            ("http://example.com/a b", "must be percent-encoded"),
            ("http://example.com/%zz", "two hex digits"),
            ("http://example.com:99999", "not a valid port"),
            ("http://[::1/x", "closing `]`"),
            ("http://[zz]/", "not a valid IPv6 host"),
            ("http://example.com/é", "must be percent-encoded"),
        ] {
            let error = parse_absolute(text).expect_err(text);
            assert!(error.contains(reason), "{text}: {error}");
        }
    }

    #[test]
    fn scheme_syntax() {
        assert!(is_scheme("svn+ssh"));
        assert!(!is_scheme(""));
        assert!(!is_scheme("-x"));
        assert!(!is_scheme("a b"));
    }
}
