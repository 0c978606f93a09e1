//! The entry functions of symphony_core's fuzz targets: bytes in, a panic for any bug.
//!
//! Each function is what one target under `fuzz_targets/` calls, and what the workspace's
//! stable test `tests/fuzz.rs` replays every committed input through (`fuzz/corpus/<target>`
//! and `fuzz/regressions/<target>`), so an input that once crashed stays a test.
//!
//! Besides "no panic", each entry checks properties that hold for every input: a manifest
//! that parses serialises back to the same manifest, a line stream decodes the same whether it
//! arrives at once or byte by byte, the session never dispatches outside a running session, a
//! normalised path is absolute and normalises to itself.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use symphony_core::codec::{DecodeError, Decoder, Encoder, Frame};
use symphony_core::config::ConfigSchema;
use symphony_core::manifest::Manifest;
use symphony_core::permission::{
    Decision, FsAccess, FsRule, NormalizedPath, Permissions, Policy, Resource,
};
use symphony_core::protocol::{Id, Message, Reply, Response};
use symphony_core::serve::{Action, SessionMachine};

/// Separates the two parts of a two-part input (schema and values; rule and path).
const SEPARATOR: &[u8] = b"\n%%\n";

/// The workspace root of the permission target: absent, so that relative paths and rules
/// resolve without any real directory getting in the way.
const FUZZ_ROOT: &str = "/nonexistent-symphony-fuzz-ws";

/// `data` as a manifest, in TOML and in JSON: errors are reported (never a panic) with a
/// location inside the text, and a manifest that parses writes back as TOML that parses to
/// the same manifest.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [Manifest::from_toml_str(text), Manifest::from_json_str(text)] {
        match parsed {
            Ok(manifest) => {
                let _ = manifest.config().to_json_schema();
                // Only a JSON-only value (a `null` in the model table) may fail to write.
                let Ok(toml) = manifest.to_toml_string() else {
                    continue;
                };
                let again = Manifest::from_toml_str(&toml).unwrap_or_else(|errors| {
                    panic!("a valid manifest wrote TOML that does not parse: {errors}\n{toml}")
                });
                assert_eq!(
                    again, manifest,
                    "TOML round trip changed the manifest:\n{toml}"
                );
            }
            Err(errors) => {
                assert!(!errors.is_empty(), "an error list without errors");
                let _ = errors.to_string();
                let lines = text.lines().count().max(1);
                for error in &errors {
                    if let Some(location) = error.location() {
                        assert!(
                            location.line >= 1 && location.line <= lines + 1,
                            "{error}: line {} of a {lines}-line text",
                            location.line
                        );
                        assert!(location.column >= 1, "{error}: column 0");
                    }
                }
            }
        }
    }
}

/// `data` as a config schema (JSON) and host values (JSON) separated by a `%%` line: the
/// values validate or are refused with errors that name a field, and validated values only
/// hold fields the schema declares.
pub fn config(data: &[u8]) {
    let (schema, values) = split(data);
    let Ok(schema) = serde_json::from_slice::<ConfigSchema>(schema) else {
        return;
    };
    let _ = schema.to_json_schema();
    let values = if values.is_empty() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        match serde_json::from_slice(values) {
            Ok(values) => values,
            Err(_) => return,
        }
    };
    match schema.validate(&values) {
        Ok(valid) => {
            for name in valid.names() {
                assert!(
                    schema.get(name).is_some(),
                    "validated values hold `{name}`, which the schema does not declare"
                );
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "an error list without errors");
            for error in &errors {
                let _ = (error.path(), error.reason(), error.to_string());
            }
        }
    }
}

/// `data` as bytes on an extension's stdin, through the line decoder and the serve session.
///
/// The first byte picks the decoder's size limit and the size of the chunks the bytes arrive
/// in; the stream decodes to the same messages whether it arrives in those chunks or at once;
/// every decoded message encodes; and the session's actions keep the protocol's rules.
pub fn codec_session(data: &[u8]) {
    let Some((&knobs, stream)) = data.split_first() else {
        return;
    };
    // Small limits exercise the oversized-line path; chunks of 1 to 16 bytes split lines
    // (and `\r\n`) everywhere.
    let limit = match knobs & 0x0f {
        0 => usize::MAX,
        n => usize::from(n) * 16,
    };
    let chunk = usize::from(knobs >> 4) + 1;

    let whole = decode(stream, limit, stream.len().max(1));
    let chunked = decode(stream, limit, chunk);
    let summary = |items: &[Result<Message, DecodeError>]| -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Ok(message) => encode_line(message),
                Err(_) => "<error>".to_owned(),
            })
            .collect()
    };
    assert_eq!(
        summary(&whole),
        summary(&chunked),
        "decoding in chunks of {chunk} (limit {limit}) differs from decoding at once"
    );
    for message in whole.iter().flatten() {
        // Encoding what was decoded and decoding it again is stable.
        let line = encode_line(message);
        let again = decode(line.as_bytes(), usize::MAX, line.len());
        assert_eq!(again.len(), 1, "re-encoded message is not one line: {line}");
        match &again[0] {
            Ok(reread) => assert_eq!(encode_line(reread), line, "re-encoding is not stable"),
            Err(error) => panic!("a decoded message re-encodes to a line that fails: {error}"),
        }
    }
    drive_session(frames(stream, limit));
}

/// The lines of `stream` as a serve loop reads them: a message, a failed line or a batch each.
fn frames(stream: &[u8], limit: usize) -> Vec<Frame> {
    let mut decoder = Decoder::with_limit(limit);
    decoder.extend(stream);
    std::iter::from_fn(|| decoder.next_frame()).collect()
}

/// Feeds decoded lines to a [`SessionMachine`] as a serve loop would, checking its decisions: every
/// other request is answered at once, the rest when `shutdown` comes.
fn drive_session(frames: Vec<Frame>) {
    let mut session = SessionMachine::new();
    let mut running = false;
    let mut shut_down = false;
    let mut in_flight: HashSet<Id> = HashSet::new();
    let null = || serde_json::value::RawValue::from_string("null".to_owned()).expect("null");
    for frame in frames {
        session.receive(frame);
        while let Some(action) = session.poll_action() {
            match action {
                Action::Initialize(request) => {
                    assert!(!running && !shut_down, "a second `initialize` was run");
                    let response = match SessionMachine::check_initialize(&request) {
                        Ok(_) => {
                            session.initialized();
                            running = true;
                            Response::ok(request.id.clone(), null())
                        }
                        Err(error) => Response::error(Some(request.id.clone()), error),
                    };
                    write(session.complete(response));
                }
                Action::Dispatch(request, token) => {
                    assert!(
                        running && !shut_down,
                        "dispatched outside a running session"
                    );
                    assert!(
                        !token.is_cancelled(),
                        "a fresh request is already cancelled"
                    );
                    assert!(
                        in_flight.insert(request.id.clone()),
                        "id {} dispatched twice while in flight",
                        request.id
                    );
                    if in_flight.len().is_multiple_of(2) {
                        in_flight.remove(&request.id);
                        write(session.complete(Response::ok(request.id, null())));
                    }
                }
                Action::Reply(reply) => write(Some(reply)),
                Action::Shutdown(id) => {
                    assert!(
                        running && !shut_down,
                        "`shutdown` outside a running session"
                    );
                    shut_down = true;
                    for id in in_flight.drain() {
                        write(session.complete(Response::ok(id, null())));
                    }
                    write(session.complete(Response::ok(id, null())));
                }
                Action::Exit(code) => {
                    assert_eq!(
                        code == 0,
                        shut_down,
                        "exit code {code} after shutdown={shut_down}"
                    );
                    return;
                }
                Action::Notify(_) => assert!(running && !shut_down, "notified outside a session"),
                _ => {}
            }
        }
    }
    session.end();
}

/// Encodes what the session says to write, as the serve loops do.
fn write(reply: Option<Reply>) {
    if let Some(reply) = reply {
        let mut encoder = Encoder::new();
        encoder
            .encode_reply(&reply, "fuzz")
            .unwrap_or_else(|error| panic!("a reply does not encode: {error}"));
        assert_eq!(
            encoder.bytes().last(),
            Some(&b'\n'),
            "a reply must end its line"
        );
    }
}

fn decode(stream: &[u8], limit: usize, chunk: usize) -> Vec<Result<Message, DecodeError>> {
    let mut decoder = Decoder::with_limit(limit);
    let mut out = Vec::new();
    for piece in stream.chunks(chunk) {
        // Through `spare`/`commit`, as a transport reads, so buffer compaction is exercised.
        let mut piece = piece;
        while !piece.is_empty() {
            let spare = decoder.spare();
            assert!(!spare.is_empty(), "`spare` returned no room");
            let n = spare.len().min(piece.len());
            spare[..n].copy_from_slice(&piece[..n]);
            decoder.commit(n);
            piece = &piece[n..];
            while let Some(item) = decoder.next() {
                out.push(item);
            }
        }
    }
    out.extend(decoder.finish());
    assert_eq!(decoder.buffered(), 0, "bytes left after `finish`");
    out
}

fn encode_line(message: &Message) -> String {
    let mut encoder = Encoder::new();
    encoder
        .encode(message)
        .unwrap_or_else(|error| panic!("a decoded message does not encode: {error}"));
    let bytes = encoder.bytes();
    assert_eq!(
        bytes.last(),
        Some(&b'\n'),
        "an encoded message must end its line"
    );
    assert!(
        !bytes[..bytes.len() - 1].contains(&b'\n'),
        "an encoded message spans lines"
    );
    String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| panic!("encoded message is not UTF-8"))
}

/// `data` as a path glob rule and a path (raw bytes) separated by a `%%` line: the rule
/// compiles or is refused, the path normalises to an absolute path without `.` or `..` that
/// normalises to itself, the same rules as request and grant never ask for a prompt, and a
/// rule without glob characters covers the path it names.
pub fn permission_path(data: &[u8]) {
    let (rule, path) = split(data);
    let Ok(rule) = std::str::from_utf8(rule) else {
        return;
    };
    let root = Path::new(FUZZ_ROOT);
    let path = OsStr::from_bytes(path);
    let normalized = match NormalizedPath::with_base(path, root) {
        Ok(normalized) => normalized,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    let resolved = normalized.as_path();
    assert!(resolved.is_absolute(), "{resolved:?} is not absolute");
    for component in resolved.components() {
        assert!(
            !matches!(component, Component::CurDir | Component::ParentDir),
            "{resolved:?} keeps a `.` or `..`"
        );
    }
    let again = NormalizedPath::new(resolved)
        .unwrap_or_else(|error| panic!("{resolved:?} normalised once, not twice: {error}"));
    assert_eq!(again, normalized, "normalising is not idempotent");

    let permissions = Permissions {
        filesystem: vec![FsRule {
            path: rule.to_owned(),
            access: vec![FsAccess::Read, FsAccess::Write, FsAccess::Delete],
        }],
        ..Permissions::default()
    };
    let Ok(policy) = Policy::builder(&permissions, &permissions)
        .workspace_root(root)
        .build()
    else {
        return;
    };
    for access in [FsAccess::Read, FsAccess::Write, FsAccess::Delete] {
        let decision = policy.check(&Resource::path(&normalized, access));
        assert!(
            !matches!(decision, Decision::NeedsPrompt { .. }),
            "rule {rule:?} matches {resolved:?} as a request but not as the same grant"
        );
        let _ = policy.require(&Resource::path(&normalized, access));
    }
    // A rule without glob characters names one path: when no symbolic link is on the way
    // (rules are normalised lexically, links in them deliberately not followed), the path it
    // names is covered.
    let literal = rule.starts_with('/') && !rule.contains(['*', '?', '[', ']', '{', '}', '\\']);
    if literal
        && NormalizedPath::new(rule).is_ok_and(|named| named == normalized)
        && lexically_normal(Path::new(rule)) == resolved
    {
        let decision = policy.check(&Resource::path(&normalized, FsAccess::Read));
        assert!(
            matches!(decision, Decision::Allowed { .. }),
            "literal rule {rule:?} does not cover {resolved:?}, the path it names: {decision:?}"
        );
    }
}

/// `path` with `.` dropped and `..` removing the previous component, without asking the
/// filesystem: an oracle independent of the crate's own normalisation.
fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(name) => out.push(name),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// The two parts of `data` around the first [`SEPARATOR`]; all of it and nothing without one.
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data
        .windows(SEPARATOR.len())
        .position(|window| window == SEPARATOR)
    {
        Some(at) => (&data[..at], &data[at + SEPARATOR.len()..]),
        None => (data, &[]),
    }
}
