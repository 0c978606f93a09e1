//! Logging for extensions: `tracing` records go to stderr (stdout belongs to the protocol),
//! and can be forwarded to the host as `$/log` notifications.
//!
//! A small built-in subscriber keeps extensions free of extra dependencies; an extension that
//! prefers `tracing-subscriber` can install that instead, writing to stderr.
//!
//! ```
//! # use symphony_core::serve::log::{self, LogOptions};
//! // In `main`, before `serve`: log at `info` (or `$SYMPHONY_LOG`) and forward to the host.
//! let installed = log::init(LogOptions::from_env().forward_to_host(true));
//! # let _ = installed;
//! tracing::info!(rows = 3, "loaded");
//! ```

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

use super::Notifier;
use crate::protocol::LogLevel;

/// The environment variable [`LogOptions::from_env`] reads the level from.
pub const LEVEL_ENV: &str = "SYMPHONY_LOG";

/// Settings of the extension's log subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogOptions {
    level: LevelFilter,
    forward: bool,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            level: LevelFilter::INFO,
            forward: false,
        }
    }
}

impl LogOptions {
    /// `info`, or the level named by `$SYMPHONY_LOG` (`off`, `error`, `warn`, `info`,
    /// `debug`, `trace`); not forwarded to the host.
    pub fn from_env() -> Self {
        let level = std::env::var(LEVEL_ENV)
            .ok()
            .and_then(|text| text.trim().parse::<LevelFilter>().ok())
            .unwrap_or(LevelFilter::INFO);
        LogOptions::default().level(level)
    }

    /// This with records less severe than `level` dropped.
    #[must_use]
    pub fn level(mut self, level: LevelFilter) -> Self {
        self.level = level;
        self
    }

    /// This with records also sent to the host as `$/log` while a serve loop runs (to the
    /// most recently started one, if a process runs several).
    #[must_use]
    pub fn forward_to_host(mut self, forward: bool) -> Self {
        self.forward = forward;
        self
    }
}

/// Installs the stderr subscriber as the global default.
///
/// Returns `false` (and changes nothing) if a global subscriber was already installed.
pub fn init(options: LogOptions) -> bool {
    tracing::subscriber::set_global_default(StderrSubscriber { options }).is_ok()
}

/// The connection records are forwarded to, with a number telling attachments apart.
static HOST: Mutex<Option<(u64, Notifier)>> = Mutex::new(None);
static NEXT_ATTACHMENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

thread_local! {
    /// Set while forwarding, so that logging done by the forwarding itself is not forwarded.
    static FORWARDING: Cell<bool> = const { Cell::new(false) };
}

/// Makes `peer` the destination of forwarded records until the returned guard is dropped.
///
/// A serve loop calls this for its connection ([`serve`](super::serve) does); records are
/// forwarded only if the subscriber was installed with
/// [`forward_to_host`](LogOptions::forward_to_host). The most recent call wins, so a process
/// running several loops forwards to the newest.
pub fn forward_to(peer: Notifier) -> Forwarding {
    let attachment = NEXT_ATTACHMENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    *HOST.lock().unwrap_or_else(|p| p.into_inner()) = Some((attachment, peer));
    Forwarding { attachment }
}

/// Forwarding to a connection, from [`forward_to`]; dropping it stops forwarding there (unless
/// a newer connection has replaced it already).
#[derive(Debug)]
#[must_use = "forwarding stops when this is dropped"]
pub struct Forwarding {
    attachment: u64,
}

impl Drop for Forwarding {
    fn drop(&mut self) {
        let mut host = HOST.lock().unwrap_or_else(|p| p.into_inner());
        if host
            .as_ref()
            .is_some_and(|(current, _)| *current == self.attachment)
        {
            *host = None;
        }
    }
}

struct StderrSubscriber {
    options: LogOptions,
}

impl Subscriber for StderrSubscriber {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.options.level >= *metadata.level()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.options.level)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Spans are not recorded; every span shares one id.
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut text = Fields::default();
        event.record(&mut text);
        let line = format!(
            "{:>5} {}: {}{}\n",
            metadata.level(),
            metadata.target(),
            text.message,
            text.rest
        );
        // Nothing sensible can be done if stderr itself fails.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        if self.options.forward {
            forward(metadata, text);
        }
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

fn forward(metadata: &Metadata<'_>, text: Fields) {
    if FORWARDING.with(Cell::get) {
        return;
    }
    let Some(peer) = HOST
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(|(_, peer)| peer.clone())
    else {
        return;
    };
    FORWARDING.with(|flag| flag.set(true));
    let level = match *metadata.level() {
        Level::ERROR => LogLevel::Error,
        Level::WARN => LogLevel::Warn,
        Level::INFO => LogLevel::Info,
        Level::DEBUG => LogLevel::Debug,
        Level::TRACE => LogLevel::Trace,
    };
    let params = crate::protocol::LogParams {
        level,
        message: format!("{}{}", text.message, text.rest),
        target: Some(metadata.target().to_owned()),
    };
    // A host that went away cannot be told; the record is on stderr already.
    let _ = peer.notify(crate::protocol::method::LOG, &params);
    FORWARDING.with(|flag| flag.set(false));
}

/// An event's message and its other fields as ` key=value`.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.rest, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={:?}", field.name(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_separate_the_message_from_the_rest() {
        struct Capture(Mutex<Vec<String>>);
        impl Subscriber for Capture {
            fn enabled(&self, _: &Metadata<'_>) -> bool {
                true
            }
            fn new_span(&self, _: &Attributes<'_>) -> Id {
                Id::from_u64(1)
            }
            fn record(&self, _: &Id, _: &Record<'_>) {}
            fn record_follows_from(&self, _: &Id, _: &Id) {}
            fn event(&self, event: &Event<'_>) {
                let mut fields = Fields::default();
                event.record(&mut fields);
                self.0
                    .lock()
                    .expect("lock")
                    .push(format!("{}|{}", fields.message, fields.rest));
            }
            fn enter(&self, _: &Id) {}
            fn exit(&self, _: &Id) {}
        }
        let capture = std::sync::Arc::new(Capture(Mutex::new(Vec::new())));
        tracing::subscriber::with_default(std::sync::Arc::clone(&capture), || {
            tracing::info!(rows = 3, name = "x", "loaded {}", "file");
        });
        let lines = capture.0.lock().expect("lock").clone();
        assert_eq!(lines, vec!["loaded file| rows=3 name=x".to_owned()]);
    }

    #[test]
    fn level_comes_from_the_environment_text() {
        assert_eq!(
            "debug".parse::<LevelFilter>().ok(),
            Some(LevelFilter::DEBUG)
        );
        assert_eq!(LogOptions::default().level, LevelFilter::INFO);
    }
}
