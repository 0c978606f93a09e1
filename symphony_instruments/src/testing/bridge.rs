//! The tokio serve loop over the blocking in-memory transport of core's host: a runtime of
//! its own on the serve thread, with the transport's blocking ends pumped by two threads.

use std::future::Future;
use std::io::{Read, Write};

use symphony_core::manifest::Manifest;
use symphony_core::serve::{Context, EXIT_DRAIN, Exit, ServeOptions};
use symphony_core::transport::Transport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::InstrumentError;
use crate::pipeline::Pipeline;
use crate::serve::serve_io;

/// Bytes moved per read.
const CHUNK: usize = 64 * 1024;

/// Serves the instrument `setup` builds over `transport` until the session ends. No sandbox:
/// the transport is inside the host's process, so a host asking for one is refused.
pub(super) fn serve<S, Fut, P>(manifest: Manifest, setup: S, transport: Transport) -> Exit
where
    S: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<P, InstrumentError>>,
    P: Into<Pipeline>,
{
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return Exit::ReadFailed {
                error: format!("cannot start the tokio runtime: {error}"),
            };
        }
    };
    let Transport { reader, writer } = transport;
    let exit = runtime.block_on(async move {
        let (extension_reader, inbound) = tokio::io::duplex(CHUNK);
        let (outbound, extension_writer) = tokio::io::duplex(CHUNK);
        pump_in(reader, inbound);
        let flushed = pump_out(outbound, writer);
        let exit = serve_io(
            manifest,
            move |context| async move { setup(context).await.map(Into::into) },
            extension_reader,
            extension_writer,
            ServeOptions::default(),
        )
        .await;
        // Everything the loop wrote reaches the host before the transport closes (the pump
        // always reads, so this is quick; the bound is for a host that stopped reading).
        let _ = tokio::time::timeout(EXIT_DRAIN, flushed).await;
        exit
    });
    // A handler that ignores cancellation is not waited for.
    runtime.shutdown_background();
    exit
}

/// Host → extension: a thread blocks on the transport and hands chunks to a task.
fn pump_in(mut reader: Box<dyn Read + Send>, mut inbound: tokio::io::DuplexStream) {
    let (chunks, mut received) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    std::thread::spawn(move || {
        let mut buffer = vec![0; CHUNK];
        loop {
            match reader.read(&mut buffer) {
                Ok(0) | Err(_) => return,
                Ok(read) => {
                    if chunks.blocking_send(buffer[..read].to_vec()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    tokio::spawn(async move {
        while let Some(chunk) = received.recv().await {
            if inbound.write_all(&chunk).await.is_err() {
                return;
            }
        }
        // The host hung up: the serve loop reads the end of its input.
        let _ = inbound.shutdown().await;
    });
}

/// Extension → host: a task reads what the loop writes and a thread writes it out; ends when
/// the loop has closed its output and everything is written.
fn pump_out(
    mut outbound: tokio::io::DuplexStream,
    mut writer: Box<dyn Write + Send>,
) -> tokio::task::JoinHandle<()> {
    let (chunks, received) = std::sync::mpsc::channel::<Vec<u8>>();
    let written = std::thread::spawn(move || {
        for chunk in received {
            if writer
                .write_all(&chunk)
                .and_then(|()| writer.flush())
                .is_err()
            {
                return;
            }
        }
    });
    tokio::spawn(async move {
        let mut buffer = vec![0; CHUNK];
        loop {
            match outbound.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => {
                    if chunks.send(buffer[..read].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
        drop(chunks);
        // The writer thread ends once the last chunk is written (or the host hung up).
        let _ = tokio::task::spawn_blocking(move || written.join()).await;
    })
}
