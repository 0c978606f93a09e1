//! A real HTTP/1.1 server on 127.0.0.1, on std threads, whose answers each test scripts:
//! redirects, endless chunked bodies, endless server-sent-event lines.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: String,
}

/// What the server answers.
pub enum Answer {
    /// A complete response with this status, headers and body.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A chunked body with this status that never ends (until the client goes away).
    EndlessChunked { status: u16 },
    /// An event stream whose one line never ends.
    EndlessSseLine,
    /// An event stream of short `data:` lines that never make an event (no blank line).
    EndlessSseEvent,
}

impl Answer {
    /// A 200 with a JSON body.
    pub fn json(body: &serde_json::Value) -> Self {
        Answer::Full {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Answer::Full {
            status,
            headers: vec![("location".into(), location.into())],
            body: String::new(),
        }
    }
}

/// A running server; it stops accepting when dropped with its listener thread left to die
/// with the test process.
pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Request>>>,
    /// Body bytes written by endless answers before the client went away.
    pub sent: Arc<AtomicU64>,
}

impl Server {
    pub fn start(answer: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let answer = Arc::new(answer);
        {
            let (seen, sent) = (Arc::clone(&seen), Arc::clone(&sent));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { return };
                    let (seen, sent, answer) = (seen.clone(), sent.clone(), answer.clone());
                    std::thread::spawn(move || serve(stream, &seen, &sent, &*answer));
                }
            });
        }
        Server { addr, seen, sent }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

/// A port on 127.0.0.1 where nothing listens: a server that has stopped.
pub fn stopped_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(
    stream: TcpStream,
    seen: &Mutex<Vec<Request>>,
    sent: &AtomicU64,
    answer: &dyn Fn(&Request) -> Answer,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    // Keep-alive: one request after another on the connection.
    while let Some(request) = read_request(&mut reader) {
        seen.lock().unwrap().push(request.clone());
        if !write_answer(&stream, answer(&request), sent) {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok().filter(|&n| n > 0)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Writes one answer; whether the connection may serve another request.
fn write_answer(mut stream: &TcpStream, answer: Answer, sent: &AtomicU64) -> bool {
    match answer {
        Answer::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).is_ok() && stream.write_all(body.as_bytes()).is_ok()
        }
        Answer::EndlessChunked { status } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            );
            let chunk = {
                let data = vec![b' '; 64 * 1024];
                let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
                chunk.extend_from_slice(&data);
                chunk.extend_from_slice(b"\r\n");
                chunk
            };
            endless(stream, head.as_bytes(), &chunk, 64 * 1024, sent)
        }
        Answer::EndlessSseLine => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: ";
            endless(stream, head.as_bytes(), &[b'x'; 64 * 1024], 64 * 1024, sent)
        }
        Answer::EndlessSseEvent => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n";
            let lines = "data: x\n".repeat(8 * 1024);
            endless(
                stream,
                head.as_bytes(),
                lines.as_bytes(),
                lines.len() as u64,
                sent,
            )
        }
    }
}

/// Writes `head`, then `piece` until the client goes away, counting `size` per piece.
fn endless(mut stream: &TcpStream, head: &[u8], piece: &[u8], size: u64, sent: &AtomicU64) -> bool {
    if stream.write_all(head).is_err() {
        return false;
    }
    while stream.write_all(piece).is_ok() {
        sent.fetch_add(size, Ordering::Relaxed);
    }
    false
}
