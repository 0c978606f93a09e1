//! A headless Chromium driven through chromedriver's WebDriver endpoint.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::request;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session; the browser and the driver end when it is dropped.
pub(super) struct Browser {
    driver: Child,
    address: SocketAddr,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(super) fn start() -> Browser {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: `cargo xtask ci` installs it (apt-get install chromium chromium-driver)"
            );
        }
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().expect("its address").port()
        };
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !request(address, "GET", "/status", None)
            .is_ok_and(|(status, body)| status == 200 && body.contains("\"ready\":true"))
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("a profile directory");
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let mut browser = Browser {
            driver,
            address,
            session: String::new(),
            _profile: profile,
        };
        let created = browser.command("POST", "/session", &capabilities);
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        browser
    }

    /// Sends a WebDriver command; returns its `value`, panicking on a WebDriver error.
    fn command(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = body.to_string();
        let (status, reply) = request(self.address, method, path, Some(&body))
            .unwrap_or_else(|error| panic!("WebDriver {method} {path}: {error}"));
        let reply: Value = serde_json::from_str(&reply).unwrap_or(Value::String(reply));
        assert_eq!(status, 200, "WebDriver {method} {path}: {reply}");
        reply["value"].clone()
    }

    fn session_command(&self, method: &str, path: &str, body: &Value) -> Value {
        self.command(method, &format!("/session/{}{path}", self.session), body)
    }

    pub(super) fn open(&self, url: &str) {
        self.session_command("POST", "/url", &json!({ "url": url }));
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub(super) fn eval(&self, script: &str) -> Value {
        self.session_command(
            "POST",
            "/execute/sync",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// Runs `script` (a function body whose last argument is a callback) in the page and
    /// returns what it passes to the callback.
    pub(super) fn eval_async(&self, script: &str) -> Value {
        self.session_command(
            "POST",
            "/execute/async",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// The viewport as a PNG file at `path`.
    pub(super) fn screenshot(&self, path: &Path) {
        let encoded = self.session_command("GET", "/screenshot", &json!({}));
        let encoded = encoded.as_str().expect("a base64 screenshot");
        let text = path.with_extension("b64");
        std::fs::write(&text, encoded).expect("the encoded screenshot is written");
        let decoded = std::process::Command::new("base64")
            .arg("--decode")
            .arg(&text)
            .output()
            .expect("coreutils base64 runs");
        assert!(decoded.status.success(), "base64 --decode failed");
        std::fs::write(path, decoded.stdout).expect("the screenshot is written");
    }

    /// Sets the window's size (the viewport is a little smaller).
    pub(super) fn resize(&self, width: u32, height: u32) {
        self.session_command(
            "POST",
            "/window/rect",
            &json!({ "width": width, "height": height }),
        );
    }

    fn element(&self, css: &str) -> String {
        let found = self.session_command(
            "POST",
            "/element",
            &json!({ "using": "css selector", "value": css }),
        );
        found[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    pub(super) fn click(&self, css: &str) {
        let element = self.element(css);
        self.session_command("POST", &format!("/element/{element}/click"), &json!({}));
    }

    /// Replaces the text of input `css` by typing `text`.
    pub(super) fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css);
        self.session_command("POST", &format!("/element/{element}/clear"), &json!({}));
        self.session_command(
            "POST",
            &format!("/element/{element}/value"),
            &json!({ "text": text }),
        );
    }

    /// Polls `script` until it returns `expected`; panics with the last value after 10 s.
    pub(super) fn wait_for(&self, script: &str, expected: &Value) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let value = self.eval(script);
            if &value == expected {
                return;
            }
            let error = self.eval(
                "return document.getElementById('motif-root')?.getAttribute('data-motif-error')",
            );
            assert!(
                Instant::now() < deadline,
                "`{script}` returned {value}, expected {expected} (bridge error: {error})"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = request(self.address, "DELETE", &path, None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
