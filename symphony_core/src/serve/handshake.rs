//! The extension's answer to `initialize`, once the session's terms are established: the
//! handler accepts them (a panic refuses), and its manifest and capabilities are reported.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Context, Handler};
use crate::protocol::{ErrorCode, ErrorObject, InitializeResult, PROTOCOL_VERSION};

/// Lets the handler accept the session, and builds the answer to `initialize`.
pub(super) fn handshake_result<H: Handler>(
    handler: &H,
    context: &Context,
    workers: usize,
    max_message_size: Option<u64>,
) -> Result<InitializeResult, ErrorObject> {
    catch_unwind(AssertUnwindSafe(|| handler.initialize(context))).unwrap_or_else(|panic| {
        Err(ErrorObject::new(
            ErrorCode::ExtensionFailed,
            format!(
                "the extension panicked during `initialize`: {}",
                crate::panic::message(panic.as_ref())
            ),
        ))
    })?;
    let mut capabilities = handler.capabilities();
    capabilities.concurrency = workers;
    let mut result = InitializeResult::new(handler.manifest().clone(), capabilities);
    result.protocol_version = PROTOCOL_VERSION;
    result.max_message_size = max_message_size;
    result.sandbox = context.sandbox().cloned();
    Ok(result)
}
