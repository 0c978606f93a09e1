//! A headless Chromium driven through chromedriver, with the SDK's own WebDriver client
//! (`symphony_motifs::testing::webdriver`), the one authors drive preview windows with.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use symphony_motifs::testing::webdriver::WebDriver;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long [`Browser::wait_for`] polls.
const WAIT: Duration = Duration::from_secs(10);

/// A browser session; the browser and the driver end when it is dropped.
pub(super) struct Browser {
    session: Option<WebDriver>,
    driver: Child,
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
            session: None,
            driver,
            _profile: profile,
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let session = WebDriver::connect(address, capabilities)
            .unwrap_or_else(|error| panic!("a Chromium session: {error}"));
        browser.session = Some(session);
        browser
    }

    fn session(&self) -> &WebDriver {
        self.session.as_ref().expect("a session until dropped")
    }

    pub(super) fn open(&self, url: &str) {
        self.session()
            .navigate(url)
            .unwrap_or_else(|error| panic!("{error}"));
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub(super) fn eval(&self, script: &str) -> Value {
        self.session()
            .execute(script)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    /// Runs `script` (a function body whose last argument is a callback) in the page and
    /// returns what it passes to the callback.
    pub(super) fn eval_async(&self, script: &str) -> Value {
        self.session()
            .execute_async(script)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    /// The viewport as a PNG file at `path`.
    pub(super) fn screenshot(&self, path: &Path) {
        let png = self
            .session()
            .screenshot()
            .unwrap_or_else(|error| panic!("{error}"));
        std::fs::write(path, png).expect("the screenshot is written");
    }

    /// Sets the window's size (the viewport is a little smaller).
    pub(super) fn resize(&self, width: u32, height: u32) {
        self.session()
            .set_window_size(width, height)
            .unwrap_or_else(|error| panic!("{error}"));
    }

    pub(super) fn click(&self, css: &str) {
        self.session()
            .click(css)
            .unwrap_or_else(|error| panic!("{error}"));
    }

    /// Replaces the text of input `css` by typing `text`.
    pub(super) fn type_into(&self, css: &str, text: &str) {
        self.session()
            .type_text(css, text)
            .unwrap_or_else(|error| panic!("{error}"));
    }

    /// Polls `script` until it returns `expected`; panics with the last value and the
    /// bridge's error after 10 s.
    pub(super) fn wait_for(&self, script: &str, expected: &Value) {
        if let Err(error) = self.session().wait_for(script, expected, WAIT) {
            let bridge = self.eval(
                "return document.getElementById('motif-root')?.getAttribute('data-motif-error')",
            );
            panic!("{error} (bridge error: {bridge})");
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The session first (it is deleted through the driver), then the driver.
        drop(self.session.take());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
