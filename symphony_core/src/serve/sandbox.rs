//! Applying the kernel sandbox when the host asks for one, to the whole process or not at all.

use std::io::{self, Read};
use std::sync::Arc;

use super::{Context, SessionMachine};
use crate::codec::{Decoder, Frame};
use crate::manifest::Manifest;
use crate::protocol::{InitializeParams, Message, Request, SandboxEnforcement, method};
use crate::sandbox::{Sandbox, SandboxStatus};

/// Applies the sandbox during `initialize` when the host sets `sandbox`; see
/// [`ServeOptions::sandbox`](super::ServeOptions::sandbox). `Ok` says what the kernel now
/// enforces on every thread (reported to the host in the `initialize` result); an `Err` (the
/// reason) fails the handshake with
/// [`SandboxUnavailable`](crate::protocol::ErrorCode::SandboxUnavailable).
pub type SandboxHook = Arc<dyn Fn(&Context) -> Result<SandboxEnforcement, String> + Send + Sync>;

/// The hook [`serve`](super::serve) installs by default: restricts the process with Landlock
/// to the effective filesystem grant ([`Sandbox::from_policy`]; no TCP at all without a network
/// grant), plus reading its own executable (already mapped in memory; reading it is what lets
/// a panic print a symbolised backtrace), and nothing else.
///
/// Nothing else is needed after the handshake by the serve loop itself: the pipes to the host
/// were opened before, new serve threads and panics need no file, and logging writes to the
/// already-open stderr.
///
/// It must run while the calling thread is the process's only thread (the blocking serve loop
/// reads `initialize` on the thread that called it, before starting its pool): on a kernel
/// that cannot confine threads that already exist, it refuses instead
/// ([`SandboxError::ThreadsRunning`](crate::sandbox::SandboxError::ThreadsRunning)).
///
/// An extension that needs more after the handshake (data shipped beside its binary, say)
/// installs its own hook that adds it:
///
/// ```
/// use std::sync::Arc;
/// # use symphony_core::sandbox::Sandbox;
/// # use symphony_core::serve::{Context, SandboxHook, ServeOptions, enforce_sandbox};
///
/// let hook: SandboxHook = Arc::new(|context: &Context| {
///     enforce_sandbox(Sandbox::from_policy(context.policy()).allow_read("/usr/share/acme"))
/// });
/// let options = ServeOptions::default().with_sandbox(hook);
/// # let _ = options;
/// ```
pub fn landlock_sandbox() -> SandboxHook {
    Arc::new(|context: &Context| {
        let mut sandbox = Sandbox::from_policy(context.policy());
        if let Ok(exe) = std::env::current_exe() {
            sandbox = sandbox.allow_read(exe);
        }
        enforce_sandbox(sandbox)
    })
}

/// Enforces `sandbox` on the whole process (irreversibly) for a [`SandboxHook`]: `Ok` with
/// what is enforced only if the kernel confines every thread (rights newer than the kernel's
/// Landlock ABI are reported as gaps, and logged); otherwise the reason.
///
/// # Errors
///
/// Why the sandbox is not in force on every thread: the kernel lacks Landlock, refused the
/// restriction, or cannot confine threads that already run.
pub fn enforce_sandbox(sandbox: Sandbox) -> Result<SandboxEnforcement, String> {
    let report = sandbox.enforce().map_err(|error| error.to_string())?;
    for skipped in report.skipped() {
        tracing::warn!(
            path = %skipped.path().display(),
            error = %skipped.error(),
            "sandbox: a granted path cannot be opened and stays inaccessible"
        );
    }
    match report.status() {
        SandboxStatus::NotSupported(why) => Err(format!("the kernel cannot enforce it: {why}")),
        status => {
            tracing::debug!(%status, tcp_denied = report.tcp_denied(), "sandbox enforced");
            Ok(report.enforcement())
        }
    }
}

/// Applies the sandbox on the calling thread from the host's `initialize`, read from `input`
/// *before* the caller starts any other thread (an async runtime, a pool); see the
/// [module documentation](crate::sandbox) on threads.
///
/// It reads `input` until its first line is complete (or the end of input, or more than
/// `limit` bytes without one); if that line is `initialize` (alone, or in a batch) it runs the
/// handshake's checks and `hook` for it. It returns
/// every byte read, for the serve loop to read first, and the hook for the serve loop to use:
/// for that `initialize` it returns what was decided here (applied or refused, on one thread),
/// and for any other it calls `hook` (which then refuses if threads exist).
///
/// # Errors
///
/// Reading `input` failed.
pub fn sandbox_before_threads(
    input: &mut dyn Read,
    manifest: &Manifest,
    limit: usize,
    hook: SandboxHook,
) -> io::Result<(Vec<u8>, SandboxHook)> {
    let mut read = Vec::new();
    let mut decoder = Decoder::with_limit(limit);
    let mut chunk = vec![0; 64 * 1024];
    let early = 'read: loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break None,
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        read.extend_from_slice(&chunk[..n]);
        decoder.extend(&chunk[..n]);
        // Only the first line can hold the handshake (alone or in a batch); whatever else
        // comes first is answered by the serve loop at once, not held back here.
        if let Some(frame) = decoder.next_frame() {
            let entries = match frame {
                Frame::Single(message) => vec![message],
                Frame::Batch(entries) => entries,
            };
            let initialize = entries.iter().find_map(|entry| match entry {
                Ok(Message::Request(request)) if request.method == method::INITIALIZE => {
                    Some(request)
                }
                _ => None,
            });
            break 'read initialize.and_then(|request| decide(request, manifest, &hook));
        }
        if read.len() > limit.saturating_add(chunk.len()) {
            break None;
        }
    };
    let cached: SandboxHook = match early {
        Some((params, outcome)) => Arc::new(move |context: &Context| {
            if *context.params() == params {
                outcome.clone()
            } else {
                hook(context)
            }
        }),
        None => hook,
    };
    Ok((read, cached))
}

/// The handshake's sandbox step for `request`, run now: the params it was decided for and
/// `hook`'s answer. `None` when the handshake would fail before that step (the serve loop
/// finds the same error by itself) or the host asks for no sandbox.
fn decide(
    request: &Request,
    manifest: &Manifest,
    hook: &SandboxHook,
) -> Option<(InitializeParams, Result<SandboxEnforcement, String>)> {
    let params = SessionMachine::check_initialize(request).ok()?;
    let context = Context::establish(params, manifest).ok()?;
    if !context.params().sandbox {
        return None;
    }
    let outcome = hook(&context);
    Some((context.params().clone(), outcome))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::protocol::{HostInfo, InitializeParams};

    const BEFORE: &str = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}\n";

    fn initialize(roots: &str) -> String {
        format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{{\
             \"protocolVersion\":\"1.0\",\"host\":{{\"name\":\"t\",\"version\":\"1\"}},\
             \"sandbox\":true,\"workspaceRoots\":[\"{roots}\"]}}}}\n"
        )
    }

    /// A hook that records each call and enforces "ABI <number of calls>".
    fn counting() -> (SandboxHook, Arc<Mutex<usize>>) {
        let calls = Arc::new(Mutex::new(0));
        let seen = Arc::clone(&calls);
        let hook: SandboxHook = Arc::new(move |_: &Context| {
            let mut calls = seen.lock().expect("lock");
            *calls += 1;
            let mut enforced = SandboxEnforcement::required(true, false);
            enforced.abi = u32::try_from(*calls).expect("few");
            Ok(enforced)
        });
        (hook, calls)
    }

    #[test]
    fn the_sandbox_is_decided_on_the_first_initialize_and_every_byte_is_kept() {
        let manifest = crate::testing::manifest("test.early", "");
        let input = format!("{}{BEFORE}", initialize("/w"));
        let (hook, calls) = counting();
        let (read, cached) =
            sandbox_before_threads(&mut input.as_bytes(), &manifest, 1 << 20, hook).expect("read");
        assert_eq!(read, input.as_bytes(), "the serve loop reads it all again");
        assert_eq!(
            *calls.lock().expect("lock"),
            1,
            "applied once, before any thread"
        );

        // The serve loop's handshake for the same `initialize` gets that answer, not a second
        // application; another `initialize` goes to the hook itself.
        let mut params = InitializeParams::new(HostInfo::new("t", "1"));
        params.sandbox = true;
        params.workspace_roots = vec!["/w".into()];
        let same = Context::establish(params.clone(), &manifest).expect("context");
        assert_eq!(cached(&same).map(|e| e.abi), Ok(1));
        params.workspace_roots = vec!["/other".into()];
        let other = Context::establish(params, &manifest).expect("context");
        assert_eq!(cached(&other).map(|e| e.abi), Ok(2));
        assert_eq!(*calls.lock().expect("lock"), 2);
    }

    #[test]
    fn an_initialize_in_a_batch_is_decided_too() {
        let manifest = crate::testing::manifest("test.early", "");
        let input = format!("[{}, {}]\n", initialize("/w").trim_end(), BEFORE.trim_end());
        let (hook, calls) = counting();
        let (read, _) =
            sandbox_before_threads(&mut input.as_bytes(), &manifest, 1 << 20, hook).expect("read");
        assert_eq!(read, input.as_bytes());
        assert_eq!(*calls.lock().expect("lock"), 1);
    }

    #[test]
    fn a_first_line_that_is_not_initialize_is_not_held_back() {
        // The serve loop answers it at once; a later `initialize` goes to the hook itself
        // (which refuses when threads run by then).
        let manifest = crate::testing::manifest("test.early", "");
        let input = format!("{BEFORE}{}", initialize("/w"));
        let (hook, calls) = counting();
        let (read, _) =
            sandbox_before_threads(&mut input.as_bytes(), &manifest, 1 << 20, hook).expect("read");
        assert!(input.as_bytes().starts_with(&read));
        assert_eq!(*calls.lock().expect("lock"), 0);
    }

    #[test]
    fn nothing_is_applied_without_an_initialize() {
        let manifest = crate::testing::manifest("test.early", "");
        let exit = "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\n";
        for input in [BEFORE.to_owned(), format!("{exit}{}", initialize("/w"))] {
            let (hook, calls) = counting();
            let (read, _) = sandbox_before_threads(&mut input.as_bytes(), &manifest, 1 << 20, hook)
                .expect("read");
            assert!(input.as_bytes().starts_with(&read), "{input}");
            assert_eq!(*calls.lock().expect("lock"), 0, "{input}");
        }
    }
}
