//! Many requests sent in one go.

use std::sync::Arc;

use serde::Serialize;

use super::connection::Connection;
use super::direct::DirectExtension;
use super::{Backend, CallError, PendingCall, encode_params};
use crate::codec::Encoder;
use crate::protocol::Request;

/// Requests are written out whenever this many bytes have accumulated.
const CHUNK: usize = 64 * 1024;

/// Requests started together and written to the extension in as few writes as possible.
///
/// [`Extension::start`](super::Extension::start) writes each request at once; a batch encodes them into
/// one buffer and writes it when it fills up (64 KiB) and when the batch is
/// [sent](Self::send) or dropped. Use it to pipeline many calls from one thread. (For an
/// [direct](super::Extension::direct) extension there is nothing to write: each call runs as it
/// is started.)
///
/// ```
/// # use symphony_core::host::{Extension, ExtensionOptions};
/// # use symphony_core::protocol::{ErrorObject, RawValue};
/// # use symphony_core::serve::{Call, Handler};
/// # struct Echo;
/// # impl Handler for Echo {
/// #     fn manifest(&self) -> &symphony_core::manifest::Manifest {
/// #         symphony_core::embed_manifest!("src/testing/example.toml").get().expect("valid")
/// #     }
/// #     fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
/// #         Ok(call.raw_params().map(ToOwned::to_owned).unwrap_or_default())
/// #     }
/// # }
/// # let host = Extension::in_process(Echo, ExtensionOptions::default())?;
/// let mut batch = host.batch();
/// let calls = (0..100)
///     .map(|i| batch.start("echo", &[i]))
///     .collect::<Result<Vec<_>, _>>()?;
/// batch.send();
/// for (i, call) in calls.into_iter().enumerate() {
///     assert_eq!(call.wait::<[usize; 1]>()?, [i]);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Batch<'a> {
    target: Target,
    timeout: Option<std::time::Duration>,
    host: std::marker::PhantomData<&'a super::Extension>,
}

enum Target {
    Remote {
        connection: Arc<Connection>,
        encoder: Encoder,
        /// The requests in the encoder, to fail them if they cannot be queued.
        ids: Vec<i64>,
    },
    Direct(Arc<DirectExtension>),
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").finish_non_exhaustive()
    }
}

impl Batch<'_> {
    pub(super) fn new(backend: Backend, timeout: Option<std::time::Duration>) -> Self {
        let target = match backend {
            Backend::Remote(connection, _) => Target::Remote {
                encoder: Encoder::with_limit(connection.send_limit()),
                connection,
                ids: Vec::new(),
            },
            Backend::Direct(extension) => Target::Direct(extension),
        };
        Batch {
            target,
            timeout,
            host: std::marker::PhantomData,
        }
    }

    /// Adds a call of `method` with `params` to the batch.
    ///
    /// # Errors
    ///
    /// The params cannot be encoded (nothing is added), or the connection has ended.
    pub fn start<P: Serialize + ?Sized>(
        &mut self,
        method: &str,
        params: &P,
    ) -> Result<PendingCall, CallError> {
        let params = encode_params(method, params)?;
        let (connection, encoder, ids) = match &mut self.target {
            Target::Remote {
                connection,
                encoder,
                ids,
            } => (connection, encoder, ids),
            Target::Direct(extension) => {
                let id = extension.next_id();
                let result = extension.call(id, method, params.as_deref(), self.timeout);
                return Ok(PendingCall::ready(id, method, result));
            }
        };
        let (id, shared) = connection.register(method, self.timeout)?;
        if let Err(source) = encoder.encode(&Request::new(id, method, params)) {
            connection.forget(id);
            return Err(CallError::Encode {
                method: method.to_owned(),
                source,
            });
        }
        ids.push(id);
        let call = PendingCall::remote(Arc::clone(connection), id, shared, self.timeout);
        if encoder.bytes().len() >= CHUNK {
            self.write_out(true);
        }
        Ok(call)
    }

    /// Writes the requests not written yet. (Dropping the batch does the same.)
    pub fn send(mut self) {
        self.write_out(false);
    }

    /// `more`: the caller is still adding calls, so it will not wait for answers just yet.
    fn write_out(&mut self, more: bool) {
        if let Target::Remote {
            connection,
            encoder,
            ids,
        } = &mut self.target
            && !encoder.is_empty()
        {
            let deadline = self
                .timeout
                .map(|timeout| std::time::Instant::now() + timeout);
            connection.send_encoded(encoder.bytes(), ids, deadline, more);
            encoder.clear();
            ids.clear();
        }
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        self.write_out(false);
    }
}
