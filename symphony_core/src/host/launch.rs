//! Starting an extension (a child process or an in-process serve loop) and the handshake.

use std::path::Path;
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use super::Backend;
#[cfg(unix)]
use super::child_io::{ChildStdinSink, ChildStdoutSource, Wake};
use super::confine;
use super::connection::{Connection, Streams, deliver};
use super::direct::{DirectExtension, NAME as DIRECT};
use super::error::{CallError, Ended, HostError};
use super::extension_end::{ExtensionEnd, ThreadExit};
use super::monitor;
use super::options::ExtensionOptions;
use super::outbox::BlockingSink;
use super::stderr::StderrTail;
use crate::manifest::MAX_MANIFEST_BYTES;
use crate::protocol::{
    InitializeParams, InitializeResult, PROTOCOL_VERSION, RawValue, method, to_raw,
};
use crate::serve::direct::Direct;
use crate::serve::{Exit, NotificationSink};
use crate::transport::{Transport, memory};

/// Runs a serve loop over the given transport (in-process extensions).
pub(crate) type ServeFn = Arc<dyn Fn(Transport) -> Exit + Send + Sync>;

/// Makes a fresh direct extension whose notifications go to the given sink.
pub(crate) type EmbedFn = Arc<dyn Fn(Option<NotificationSink>) -> Arc<dyn Direct> + Send + Sync>;

/// How to start (and restart) an extension.
pub(crate) enum Launcher {
    /// A program; the command is a template, rebuilt for every start.
    Process(Command),
    /// A serve loop on a thread of this process.
    InProcess(ServeFn),
    /// A handler called on the host's own threads.
    Direct(EmbedFn),
}

impl Launcher {
    /// Starts the extension and completes the handshake.
    pub(crate) fn launch(&self, options: &ExtensionOptions) -> Result<Backend, HostError> {
        let connection = match self {
            Launcher::Process(template) => start_process(template, options)?,
            Launcher::InProcess(serve) => start_thread(serve, options)?,
            Launcher::Direct(embed) => return start_direct(embed, options),
        };
        let monitor_connection = Arc::clone(&connection);
        let spawned = thread::Builder::new()
            .name("symphony-host-monitor".into())
            .spawn(move || monitor::run(monitor_connection));
        if let Err(source) = spawned {
            connection.teardown("was stopped: the host could not start its monitor thread");
            return Err(HostError::Spawn {
                program: connection.name.clone(),
                source,
            });
        }
        match handshake(&connection, options) {
            Ok(info) => Ok(Backend::Remote(connection, Arc::new(info))),
            Err(error) => {
                connection.teardown("was stopped after a failed handshake");
                Err(error)
            }
        }
    }
}

fn start_direct(embed: &EmbedFn, options: &ExtensionOptions) -> Result<Backend, HostError> {
    let handler = options.on_notification.clone();
    let sink: NotificationSink =
        Arc::new(move |notification| deliver(DIRECT, handler.as_ref(), notification));
    let extension = embed(Some(sink));
    let info = extension
        .initialize(&initialize_params(options))
        .map_err(|error| HostError::Handshake {
            extension: DIRECT.into(),
            source: CallError::Remote {
                method: method::INITIALIZE.into(),
                error,
            },
        })?;
    check_sandbox(DIRECT, options, &info)?;
    Ok(Backend::Direct(Arc::new(DirectExtension::new(
        extension, info,
    ))))
}

/// Refuses an extension whose `initialize` result reports less kernel confinement than
/// [`ExtensionOptions::required_sandbox`].
fn check_sandbox(
    extension: &str,
    options: &ExtensionOptions,
    result: &InitializeResult,
) -> Result<(), HostError> {
    let Some(required) = &options.required_sandbox else {
        return Ok(());
    };
    if result
        .sandbox
        .as_ref()
        .is_some_and(|reported| reported.satisfies(required))
    {
        return Ok(());
    }
    Err(HostError::SandboxInsufficient {
        extension: extension.to_owned(),
        required: required.clone(),
        reported: result.sandbox.clone(),
    })
}

/// What the host says in `initialize`.
fn initialize_params(options: &ExtensionOptions) -> InitializeParams {
    let mut params = InitializeParams::new(options.host.clone());
    params.grants = options.grants.clone();
    params.config = options.config.clone();
    params.workspace_roots = options.workspace_roots.clone();
    params.theme = options.theme.clone();
    params.sandbox = options.sandbox;
    params.max_message_size = u64::try_from(options.max_message_size).ok();
    params
}

fn start_process(
    template: &Command,
    options: &ExtensionOptions,
) -> Result<Arc<Connection>, HostError> {
    let program = template.get_program().to_string_lossy().into_owned();
    let mut command = if options.confinement.applies(options) {
        confine::confined(template, options).map_err(|error| HostError::Spawn {
            program: program.clone(),
            source: std::io::Error::other(error),
        })?
    } else {
        rebuild(template)
    };
    let name = Path::new(template.get_program()).file_name().map_or_else(
        || program.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
    // Its own process group, so that the host can end the extension and whatever it started
    // together, and a terminal's signals to the host do not reach it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|source| HostError::Spawn {
        program: program.clone(),
        source,
    })?;
    let pipes = (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let (Some(stdin), Some(stdout), Some(stderr)) = pipes else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(HostError::Spawn {
            program,
            source: std::io::Error::other("the child's pipes were not created"),
        });
    };
    let stderr = match StderrTail::drain(stderr, options.stderr_lines, name.clone()) {
        Ok(stderr) => stderr,
        Err(source) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(HostError::Spawn { program, source });
        }
    };
    let streams = match child_streams(stdin, stdout) {
        Ok(streams) => streams,
        Err(source) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(HostError::Spawn { program, source });
        }
    };
    let pid = child.id();
    let connection = Connection::new(
        name,
        streams,
        ExtensionEnd::Process {
            child: Mutex::new(child),
            stderr,
            own_group: cfg!(unix),
        },
        options,
    );
    watch_exit(&connection, pid).map_err(|source| {
        connection.teardown("was stopped: the host could not start its exit watcher");
        HostError::Spawn { program, source }
    })?;
    Ok(connection)
}

/// The host's ends of the child's pipes: stdin never blocks a writer, stdout can be given up
/// on (see the `child_io` module).
#[cfg(unix)]
fn child_streams(stdin: ChildStdin, stdout: ChildStdout) -> std::io::Result<Streams> {
    let wake = Wake::new()?;
    Ok(Streams {
        reader: Box::new(ChildStdoutSource::new(stdout, Arc::clone(&wake))),
        sink: Arc::new(ChildStdinSink::new(stdin, Arc::clone(&wake))?),
        wake: Some(wake),
    })
}

/// Without `poll`, the pipes are used as they are.
#[cfg(not(unix))]
fn child_streams(stdin: ChildStdin, stdout: ChildStdout) -> std::io::Result<Streams> {
    Ok(Streams {
        reader: Box::new(stdout),
        sink: Arc::new(BlockingSink::new(Box::new(stdin))),
    })
}

/// Notices the child's exit from the process itself, not from its output (which a process it
/// started may hold open).
#[cfg(unix)]
fn watch_exit(connection: &Arc<Connection>, pid: u32) -> std::io::Result<()> {
    let connection = Arc::clone(connection);
    thread::Builder::new()
        .name("symphony-host-exit".into())
        .spawn(move || {
            if let Err(error) = super::os::wait_for_exit(pid) {
                tracing::debug!(%error, "cannot wait for the extension's exit");
                return;
            }
            connection.child_exited();
        })
        .map(drop)
}

#[cfg(not(unix))]
fn watch_exit(_connection: &Arc<Connection>, _pid: u32) -> std::io::Result<()> {
    Ok(())
}

/// A fresh command with the template's program, arguments, environment changes and working
/// directory (a `Command` cannot be cloned or run twice with its pipes).
fn rebuild(template: &Command) -> Command {
    let mut command = Command::new(template.get_program());
    copy_settings(template, &mut command);
    command
}

/// Gives `command` the template's arguments, environment changes and working directory.
pub(super) fn copy_settings(template: &Command, command: &mut Command) {
    command.args(template.get_args());
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    if let Some(dir) = template.get_current_dir() {
        command.current_dir(dir);
    }
}

fn start_thread(serve: &ServeFn, options: &ExtensionOptions) -> Result<Arc<Connection>, HostError> {
    let (host_writer, extension_reader) = memory::pipe(memory::DEFAULT_CAPACITY);
    let (extension_writer, host_reader) = memory::pipe(memory::DEFAULT_CAPACITY);
    let hang_up = [
        extension_reader.hang_up_handle(),
        host_reader.hang_up_handle(),
    ];
    let finished = Arc::new(ThreadExit::default());
    let serve = Arc::clone(serve);
    let done = Arc::clone(&finished);
    thread::Builder::new()
        .name("symphony-in-process".into())
        .spawn(move || done.set(serve(Transport::new(extension_reader, extension_writer))))
        .map_err(|source| HostError::Spawn {
            program: "in-process".into(),
            source,
        })?;
    let streams = Streams {
        reader: Box::new(host_reader),
        sink: Arc::new(BlockingSink::new(Box::new(host_writer))),
        #[cfg(unix)]
        wake: None,
    };
    Ok(Connection::new(
        "in-process".into(),
        streams,
        ExtensionEnd::Thread { hang_up, finished },
        options,
    ))
}

/// The handshake, all of it (the answer, decoding and validating the manifest, the
/// `initialized` notification) within [`ExtensionOptions::handshake_timeout`].
fn handshake(
    connection: &Connection,
    options: &ExtensionOptions,
) -> Result<InitializeResult, HostError> {
    let timeout = options.handshake_timeout;
    let deadline = Instant::now() + timeout;
    let failed = |source: CallError| HostError::Handshake {
        extension: connection.name.clone(),
        source,
    };
    let params = to_raw(&initialize_params(options)).map_err(|error| {
        failed(CallError::Encode {
            method: method::INITIALIZE.into(),
            source: crate::codec::EncodeError::Serialize(error),
        })
    })?;
    let (id, _) = connection
        .send_request(method::INITIALIZE, Some(params), Some(timeout), false)
        .map_err(failed)?;
    let raw = connection
        .wait(id, method::INITIALIZE, Some(timeout))
        .map_err(failed)?;
    let result = decode_by(raw, deadline, timeout).map_err(failed)?;
    PROTOCOL_VERSION.negotiate(result.protocol_version)?;
    check_sandbox(&connection.name, options, &result)?;
    if let Some(limit) = result.max_message_size {
        connection.set_send_limit(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    connection
        .notify_by(method::INITIALIZED, None, Some(deadline))
        .map_err(failed)?;
    Ok(result)
}

/// Room in the `initialize` result for what is not the manifest (version, capabilities,
/// sandbox report).
const RESULT_BESIDES_MANIFEST: usize = 64 * 1024;

/// The largest `initialize` result checked on the calling thread: its check takes well under a
/// millisecond (a typical manifest's answer is 1–4 KiB).
const DECODE_IN_PLACE: usize = 16 * 1024;

/// Decodes (and so validates) the `initialize` result, waiting for it until `deadline` only:
/// a manifest that takes too long to check fails the handshake in time. A small answer is
/// checked on the calling thread, a larger one on a thread of its own, which finishes on its
/// own; it holds nothing but the answer.
fn decode_by(
    raw: Box<RawValue>,
    deadline: Instant,
    timeout: Duration,
) -> Result<InitializeResult, CallError> {
    // The manifest is most of the answer, and is at most `MAX_MANIFEST_BYTES`: a larger
    // answer is refused unread rather than parsed for seconds.
    let limit = MAX_MANIFEST_BYTES + RESULT_BESIDES_MANIFEST;
    if raw.get().len() > limit {
        return Err(CallError::Decode {
            method: method::INITIALIZE.into(),
            source: <serde_json::Error as serde::de::Error>::custom(format_args!(
                "the answer is {} bytes; with a manifest of at most {MAX_MANIFEST_BYTES} bytes \
                 it cannot be more than {limit}",
                raw.get().len()
            )),
        });
    }
    // `None`: not checked by the deadline.
    let decoded = if raw.get().len() <= DECODE_IN_PLACE {
        // Checked at once: a thread and two hand-offs cost more than the check, and under
        // load each hand-off can wait a scheduler slice. The time limit still holds, over-run
        // at most by the check of this small an answer.
        let decoded = serde_json::from_str::<InitializeResult>(raw.get());
        (Instant::now() <= deadline).then_some(decoded)
    } else {
        let (send, receive) = mpsc::sync_channel(1);
        thread::Builder::new()
            .name("symphony-host-handshake".into())
            .spawn(move || {
                let _ = send.send(serde_json::from_str::<InitializeResult>(raw.get()));
            })
            .map_err(|error| CallError::Ended {
                method: method::INITIALIZE.into(),
                ended: Ended {
                    extension: String::new(),
                    what: format!("could not be checked: no thread for it ({error})"),
                    stderr: Vec::new(),
                },
            })?;
        receive
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    };
    match decoded {
        Some(decoded) => decoded.map_err(|source| CallError::Decode {
            method: method::INITIALIZE.into(),
            source,
        }),
        None => Err(CallError::TimedOut {
            method: method::INITIALIZE.into(),
            timeout,
            killed: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_answer_checked_in_place_still_keeps_the_deadline() {
        let raw = RawValue::from_string("{}".to_owned()).expect("json");
        let timeout = Duration::from_millis(1);
        let passed = Instant::now()
            .checked_sub(Duration::from_millis(5))
            .expect("a past instant");
        let error = decode_by(raw, passed, timeout).expect_err("too late");
        assert!(matches!(error, CallError::TimedOut { .. }), "{error}");
        let raw = RawValue::from_string("{}".to_owned()).expect("json");
        let error = decode_by(raw, Instant::now() + Duration::from_secs(10), timeout)
            .expect_err("not an initialize result");
        assert!(matches!(error, CallError::Decode { .. }), "{error}");
    }

    #[test]
    fn an_answer_larger_than_any_manifest_is_refused_unread() {
        let filler = "x".repeat(MAX_MANIFEST_BYTES + RESULT_BESIDES_MANIFEST);
        let raw = RawValue::from_string(format!("{{\"manifest\":\"{filler}\"}}")).expect("json");
        let timeout = Duration::from_secs(10);
        let error = decode_by(raw, Instant::now() + timeout, timeout).expect_err("refused");
        let text = error.to_string();
        assert!(matches!(error, CallError::Decode { .. }), "{text}");
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert!(
            source.is_some_and(|source| source.contains("cannot be more than")),
            "{text}"
        );
    }
}
