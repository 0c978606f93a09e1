//! Driving a motif's page in a real window by CSS selector, over W3C WebDriver.
//!
//! [`WebDriver::tauri`] starts `tauri-driver` (which starts WebKitGTK's `WebKitWebDriver`),
//! and it launches your preview binary (`tauri_plugin::preview`) with automation on; then a
//! test clicks, types and reads elements by selector, as a user would, in the window the
//! author sees. [`WebDriver::connect`] opens a session on any other W3C WebDriver
//! (chromedriver, say). Needs, on Linux: `cargo install tauri-driver`, Debian's
//! `webkit2gtk-driver`, and a display (Xvfb).
//!
//! ```no_run
//! use std::path::Path;
//! use std::time::Duration;
//! use serde_json::json;
//! use symphony_motifs::testing::webdriver::WebDriver;
//!
//! // In a test of your crate: `Path::new(env!("CARGO_BIN_EXE_<your preview binary>"))`.
//! let preview = Path::new("target/debug/counter-panel-preview");
//! let window = WebDriver::tauri(preview, &[] as &[&str], &[("DISPLAY", ":99")])?;
//! window.click("#inc")?;
//! window.wait_for("return document.getElementById('count').textContent", &json!("1"),
//!     Duration::from_secs(10))?;
//! # Ok::<(), symphony_motifs::testing::webdriver::WebDriverError>(())
//! ```

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key of an element reference in W3C WebDriver replies.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a driver may take to answer `/status` with `ready`.
const START: Duration = Duration::from_secs(30);

/// How long one command may take (launching the application is one).
const COMMAND: Duration = Duration::from_secs(120);

/// Why a WebDriver step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebDriverError {
    /// The driver program could not be started.
    #[error(
        "cannot start `{program}`: {source} (tauri-driver: `cargo install tauri-driver`; it needs WebKitWebDriver, Debian's `webkit2gtk-driver`)"
    )]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The driver did not report itself ready in time.
    #[error("the WebDriver at {address} was not ready within {waited:?}")]
    NotReady {
        /// Where it listens.
        address: SocketAddr,
        /// How long it was given.
        waited: Duration,
    },
    /// Talking to the driver failed.
    #[error("WebDriver {method} {path}: {source}")]
    Io {
        /// The HTTP method.
        method: String,
        /// The command's path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The driver answered a command with an error.
    #[error("WebDriver {method} {path} failed ({status}): {error}: {message}")]
    Command {
        /// The HTTP method.
        method: String,
        /// The command's path.
        path: String,
        /// The HTTP status.
        status: u16,
        /// The WebDriver error code (`no such element`, …).
        error: String,
        /// The driver's message.
        message: String,
    },
    /// The driver's screenshot was not base64.
    #[error("the WebDriver's screenshot is not base64")]
    Screenshot,
    /// A script did not return the expected value in time.
    #[error("`{script}` returned {last}, not {expected}, for {waited:?}")]
    Timeout {
        /// The script.
        script: String,
        /// What it should return.
        expected: Value,
        /// What it returned last.
        last: Value,
        /// How long it was polled.
        waited: Duration,
    },
}

/// A WebDriver session: a window or browser driven by selector. The session (and a driver
/// this started) ends when it is dropped.
#[derive(Debug)]
pub struct WebDriver {
    address: SocketAddr,
    session: String,
    driver: Option<Child>,
}

impl WebDriver {
    /// Starts `tauri-driver` on free local ports, with `env` added to its environment (and
    /// so the application's: `DISPLAY` for Xvfb), and opens a session running the Tauri
    /// application `application` with `args`. It finds `tauri-driver` on `PATH`, or at
    /// `SYMPHONY_TAURI_DRIVER`.
    ///
    /// # Errors
    ///
    /// A [`WebDriverError`]: no driver, a driver that never became ready, or a session the
    /// driver refused (the application did not start).
    pub fn tauri<S: AsRef<OsStr>>(
        application: &Path,
        args: &[S],
        env: &[(&str, &str)],
    ) -> Result<WebDriver, WebDriverError> {
        let program =
            std::env::var_os("SYMPHONY_TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let port = free_port()?;
        let native = free_port()?;
        let mut command = Command::new(&program);
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let driver = command.spawn().map_err(|source| WebDriverError::Spawn {
            program: program.to_string_lossy().into_owned(),
            source,
        })?;
        let args: Vec<String> = args
            .iter()
            .map(|arg| arg.as_ref().to_string_lossy().into_owned())
            .collect();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "tauri:options": { "application": application, "args": args },
        }}});
        WebDriver::open(
            SocketAddr::from(([127, 0, 0, 1], port)),
            capabilities,
            Some(driver),
        )
    }

    /// Opens a session with `capabilities` (the whole `POST /session` body) on the
    /// WebDriver listening at `address`, once it reports itself ready.
    ///
    /// # Errors
    ///
    /// As for [`tauri`](Self::tauri).
    pub fn connect(address: SocketAddr, capabilities: Value) -> Result<WebDriver, WebDriverError> {
        WebDriver::open(address, capabilities, None)
    }

    fn open(
        address: SocketAddr,
        capabilities: Value,
        driver: Option<Child>,
    ) -> Result<WebDriver, WebDriverError> {
        // From here on, dropping it ends the driver, on every path.
        let mut webdriver = WebDriver {
            address,
            session: String::new(),
            driver,
        };
        let deadline = Instant::now() + START;
        loop {
            let ready = request(address, "GET", "/status", None)
                .ok()
                .and_then(|(_, body)| serde_json::from_str::<Value>(&body).ok())
                .is_some_and(|status| status["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            if Instant::now() > deadline {
                return Err(WebDriverError::NotReady {
                    address,
                    waited: START,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let created = webdriver.command("POST", "/session", &capabilities)?;
        webdriver.session = created["sessionId"].as_str().unwrap_or_default().to_owned();
        Ok(webdriver)
    }

    /// Runs `script` (a function body) in the page and returns its result.
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] if the script throws.
    pub fn execute(&self, script: &str) -> Result<Value, WebDriverError> {
        self.session_command(
            "POST",
            "/execute/sync",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// Runs `script` (a function body whose last argument is a callback) in the page and
    /// returns what it passes to the callback (a promise's result, say).
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] if the script throws or times out (30 s by default).
    pub fn execute_async(&self, script: &str) -> Result<Value, WebDriverError> {
        self.session_command(
            "POST",
            "/execute/async",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// Loads `url` in the window.
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] if it cannot be loaded.
    pub fn navigate(&self, url: &str) -> Result<(), WebDriverError> {
        self.session_command("POST", "/url", &json!({ "url": url }))?;
        Ok(())
    }

    /// Resizes the window (the viewport is a little smaller).
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] if the driver cannot resize it.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<(), WebDriverError> {
        self.session_command(
            "POST",
            "/window/rect",
            &json!({ "width": width, "height": height }),
        )?;
        Ok(())
    }

    /// The viewport as PNG bytes.
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] if the driver cannot take it, or
    /// [`WebDriverError::Screenshot`] if its reply is not base64.
    pub fn screenshot(&self) -> Result<Vec<u8>, WebDriverError> {
        let encoded = self.session_command("GET", "/screenshot", &Value::Null)?;
        base64_decode(encoded.as_str().unwrap_or_default()).ok_or(WebDriverError::Screenshot)
    }

    /// Clicks the first element matching `css`, as a user would (it must be visible).
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] (`no such element`, …).
    pub fn click(&self, css: &str) -> Result<(), WebDriverError> {
        let element = self.element(css)?;
        self.session_command("POST", &format!("/element/{element}/click"), &json!({}))?;
        Ok(())
    }

    /// Replaces the text of the input matching `css` by typing `text` into it.
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] (`no such element`, not editable, …).
    pub fn type_text(&self, css: &str, text: &str) -> Result<(), WebDriverError> {
        let element = self.element(css)?;
        self.session_command("POST", &format!("/element/{element}/clear"), &json!({}))?;
        self.session_command(
            "POST",
            &format!("/element/{element}/value"),
            &json!({ "text": text }),
        )?;
        Ok(())
    }

    /// The rendered text of the first element matching `css`.
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] (`no such element`).
    pub fn text(&self, css: &str) -> Result<String, WebDriverError> {
        let element = self.element(css)?;
        let text =
            self.session_command("GET", &format!("/element/{element}/text"), &Value::Null)?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// The page's URL.
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Command`] if the window is gone.
    pub fn url(&self) -> Result<String, WebDriverError> {
        let url = self.session_command("GET", "/url", &Value::Null)?;
        Ok(url.as_str().unwrap_or_default().to_owned())
    }

    /// Runs `script` every 50 ms until it returns `expected`, for at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`WebDriverError::Timeout`] with the last value, or a failed command.
    pub fn wait_for(
        &self,
        script: &str,
        expected: &Value,
        timeout: Duration,
    ) -> Result<(), WebDriverError> {
        let deadline = Instant::now() + timeout;
        loop {
            let last = self.execute(script)?;
            if &last == expected {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(WebDriverError::Timeout {
                    script: script.to_owned(),
                    expected: expected.clone(),
                    last,
                    waited: timeout,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn element(&self, css: &str) -> Result<String, WebDriverError> {
        let found = self.session_command(
            "POST",
            "/element",
            &json!({ "using": "css selector", "value": css }),
        )?;
        Ok(found[ELEMENT_KEY].as_str().unwrap_or_default().to_owned())
    }

    fn session_command(
        &self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<Value, WebDriverError> {
        self.command(method, &format!("/session/{}{path}", self.session), body)
    }

    fn command(&self, method: &str, path: &str, body: &Value) -> Result<Value, WebDriverError> {
        let text = (!body.is_null()).then(|| body.to_string());
        let (status, reply) =
            request(self.address, method, path, text.as_deref()).map_err(|source| {
                WebDriverError::Io {
                    method: method.to_owned(),
                    path: path.to_owned(),
                    source,
                }
            })?;
        let reply: Value = serde_json::from_str(&reply).unwrap_or(Value::String(reply));
        let value = reply["value"].clone();
        if status == 200 {
            return Ok(value);
        }
        Err(WebDriverError::Command {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            error: value["error"]
                .as_str()
                .unwrap_or("unknown error")
                .to_owned(),
            message: value["message"]
                .as_str()
                .map_or_else(|| reply.to_string(), str::to_owned),
        })
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = request(self.address, "DELETE", &path, None);
        }
        if let Some(mut driver) = self.driver.take() {
            let _ = driver.kill();
            let _ = driver.wait();
        }
    }
}

/// Standard base64 (with `=` padding, whitespace ignored), or `None` if it is not.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let sextet = |byte: u8| -> Option<u32> {
        Some(u32::from(match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (index, chunk) in bytes.chunks(4).enumerate() {
        let last = index + 1 == bytes.len() / 4;
        let padding = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut bits = 0u32;
        for &byte in &chunk[..4 - padding] {
            bits = (bits << 6) | sextet(byte)?;
        }
        bits <<= 6 * padding as u32;
        let decoded = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}

fn free_port() -> Result<u16, WebDriverError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|probe| probe.local_addr())
        .map(|address| address.port())
        .map_err(|source| WebDriverError::Io {
            method: "bind".to_owned(),
            path: "127.0.0.1:0".to_owned(),
            source,
        })
}

/// One HTTP/1.1 request on its own connection; the status and the body (read to its
/// `content-length`). No `connection: close`: tauri-driver forwards it to WebKitWebDriver,
/// whose closing then breaks tauri-driver's pooled connection for the next command.
fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(COMMAND))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            std::io::Error::other(format!("not an HTTP status line: {status_line:?}"))
        })?;
    let mut length = None;
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
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut reply = Vec::new();
    match length {
        Some(length) => {
            reply.resize(length, 0);
            reader.read_exact(&mut reply)?;
        }
        None => {
            reader.read_to_end(&mut reply)?;
        }
    }
    Ok((status, String::from_utf8_lossy(&reply).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding_and_refuses_the_rest() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64_decode("aGV5").as_deref(), Some(&b"hey"[..]));
        assert_eq!(
            base64_decode("iVBO\nRw0K").as_deref(),
            Some(&b"\x89PNG\r\n"[..])
        );
        assert_eq!(base64_decode("").as_deref(), Some(&b""[..]));
        for bad in ["aGk", "a===", "aG=k", "aGk=aGk=", "aG!k"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }
}
