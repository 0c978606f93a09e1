//! Just enough HTTP/1.1 over std for the browser tests: a page server on 127.0.0.1 (a thread
//! per connection, so a socket the browser opens and never uses cannot stall the page).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use symphony_motifs::theme::{STYLESHEET_HREF, stylesheet};

/// What a route returns: status, content type, body.
pub(super) type Response = (u16, &'static str, Vec<u8>);

/// Answers `GET /` with a page, `GET /.symphony/motifs.css` with the default stylesheet and
/// `POST /event` through a handler, until dropped.
pub(super) struct PageServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    pub(super) fn start(
        page: String,
        on_event: impl Fn(&[u8]) -> Response + Send + Sync + 'static,
    ) -> PageServer {
        let page = Arc::new(page);
        let on_event = Arc::new(on_event);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let address = listener.local_addr().expect("a local address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (page, on_event) = (Arc::clone(&page), Arc::clone(&on_event));
                // A broken connection only fails that request; the browser test notices.
                std::thread::spawn(move || serve_one(stream, &page, &*on_event));
            }
        });
        PageServer {
            address,
            stop,
            thread: Some(thread),
        }
    }

    pub(super) fn url(&self) -> String {
        format!("http://{}/", self.address)
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_one(
    stream: TcpStream,
    page: &str,
    on_event: &impl Fn(&[u8]) -> Response,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let (request_line, body) = read_message(&mut reader)?;
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, content_type, body) = match (method, path) {
        ("GET", "/") => (200, "text/html; charset=utf-8", page.as_bytes().to_vec()),
        ("POST", "/event") => on_event(&body),
        // As a host does: the SDK's default stylesheet where pages link it by default.
        ("GET", STYLESHEET_HREF) => (
            200,
            "text/css; charset=utf-8",
            stylesheet().as_bytes().to_vec(),
        ),
        _ => (404, "text/plain", b"not found".to_vec()),
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// Reads a start line, headers and a `content-length` body.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<(String, Vec<u8>)> {
    let mut start = String::new();
    reader.read_line(&mut start)?;
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((start.trim_end().to_owned(), body))
}
