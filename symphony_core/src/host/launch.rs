//! Starting an extension (a child process or an in-process serve loop) and the handshake.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

use super::Backend;
use super::connection::{Connection, deliver};
use super::embedded::{EmbeddedExtension, NAME as EMBEDDED};
use super::error::{CallError, HostError};
use super::monitor;
use super::options::HostOptions;
use super::peer::{PeerEnd, ThreadExit};
use super::stderr::StderrTail;
use crate::protocol::{InitializeParams, InitializeResult, PROTOCOL_VERSION, method, to_raw};
use crate::serve::embedded::Embedded;
use crate::serve::{Exit, NotificationSink};
use crate::transport::{Transport, memory};

/// Runs a serve loop over the given transport (in-process extensions).
pub(crate) type ServeFn = Arc<dyn Fn(Transport) -> Exit + Send + Sync>;

/// Makes a fresh embedded extension whose notifications go to the given sink.
pub(crate) type EmbedFn = Arc<dyn Fn(Option<NotificationSink>) -> Arc<dyn Embedded> + Send + Sync>;

/// How to start (and restart) an extension.
pub(crate) enum Launcher {
    /// A program; the command is a template, rebuilt for every start.
    Process(Command),
    /// A serve loop on a thread of this process.
    InProcess(ServeFn),
    /// A handler called on the host's own threads.
    Embedded(EmbedFn),
}

impl Launcher {
    /// Starts the extension and completes the handshake.
    pub(crate) fn launch(&self, options: &HostOptions) -> Result<Backend, HostError> {
        let connection = match self {
            Launcher::Process(template) => start_process(template, options)?,
            Launcher::InProcess(serve) => start_thread(serve, options)?,
            Launcher::Embedded(embed) => return start_embedded(embed, options),
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

fn start_embedded(embed: &EmbedFn, options: &HostOptions) -> Result<Backend, HostError> {
    let handler = options.on_notification.clone();
    let sink: NotificationSink =
        Arc::new(move |notification| deliver(EMBEDDED, handler.as_ref(), notification));
    let extension = embed(Some(sink));
    let info = extension
        .initialize(&initialize_params(options))
        .map_err(|error| HostError::Handshake {
            extension: EMBEDDED.into(),
            source: CallError::Remote {
                method: method::INITIALIZE.into(),
                error,
            },
        })?;
    check_sandbox(EMBEDDED, options, &info)?;
    Ok(Backend::Embedded(Arc::new(EmbeddedExtension::new(
        extension, info,
    ))))
}

/// Refuses an extension whose `initialize` result reports less kernel confinement than
/// [`HostOptions::required_sandbox`].
fn check_sandbox(
    extension: &str,
    options: &HostOptions,
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
fn initialize_params(options: &HostOptions) -> InitializeParams {
    let mut params = InitializeParams::new(options.host.clone());
    params.grants = options.grants.clone();
    params.config = options.config.clone();
    params.workspace_roots = options.workspace_roots.clone();
    params.sandbox = options.sandbox;
    params.max_message_size = u64::try_from(options.max_message_size).ok();
    params
}

fn start_process(template: &Command, options: &HostOptions) -> Result<Arc<Connection>, HostError> {
    let mut command = rebuild(template);
    let program = template.get_program().to_string_lossy().into_owned();
    let name = Path::new(template.get_program()).file_name().map_or_else(
        || program.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
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
    Ok(Connection::new(
        name,
        Transport::new(stdout, stdin),
        PeerEnd::Process {
            child: Mutex::new(child),
            stderr,
        },
        options,
    ))
}

/// A fresh command with the template's program, arguments, environment changes and working
/// directory (a `Command` cannot be cloned or run twice with its pipes).
fn rebuild(template: &Command) -> Command {
    let mut command = Command::new(template.get_program());
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
    command
}

fn start_thread(serve: &ServeFn, options: &HostOptions) -> Result<Arc<Connection>, HostError> {
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
    Ok(Connection::new(
        "in-process".into(),
        Transport::new(host_reader, host_writer),
        PeerEnd::Thread { hang_up, finished },
        options,
    ))
}

fn handshake(
    connection: &Connection,
    options: &HostOptions,
) -> Result<InitializeResult, HostError> {
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
    let id = connection
        .send_request(
            method::INITIALIZE,
            Some(params),
            Some(options.handshake_timeout),
            false,
        )
        .map_err(failed)?;
    let raw = connection
        .wait(id, method::INITIALIZE, Some(options.handshake_timeout))
        .map_err(failed)?;
    let result: InitializeResult = serde_json::from_str(raw.get()).map_err(|source| {
        failed(CallError::Decode {
            method: method::INITIALIZE.into(),
            source,
        })
    })?;
    PROTOCOL_VERSION.negotiate(result.protocol_version)?;
    check_sandbox(&connection.name, options, &result)?;
    if let Some(limit) = result.max_message_size {
        connection.set_send_limit(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    connection
        .notify(method::INITIALIZED, None)
        .map_err(failed)?;
    Ok(result)
}
