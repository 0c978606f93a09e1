//! A private X server (Xvfb) for one test.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const XVFB: &str = "/usr/bin/Xvfb";

/// An Xvfb server; it ends when this is dropped.
pub(super) struct Xvfb {
    server: Child,
    display: String,
}

impl Xvfb {
    /// Starts a server on a free display and waits until it accepts clients.
    pub(super) fn start() -> Xvfb {
        assert!(
            std::path::Path::new(XVFB).exists(),
            "{XVFB} is missing: `cargo xtask ci` installs it (apt-get install xvfb)"
        );
        // `-displayfd 1`: Xvfb picks a free display itself (other tests and agents run X
        // servers too) and writes its number to stdout once it accepts connections.
        let mut server = Command::new(XVFB)
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Xvfb starts");
        let stdout = server.stdout.take().expect("Xvfb's stdout is piped");
        let (sender, number) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let number = number
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_default();
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            let _ = server.kill();
            let mut stderr = String::new();
            if let Some(mut pipe) = server.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            let _ = server.wait();
            panic!("Xvfb did not report a display within 30 s: {stderr}");
        }
        // Xvfb's later log lines are not needed, and nobody must block on a full pipe.
        drop(server.stderr.take());
        Xvfb {
            display: format!(":{number}"),
            server,
        }
    }

    /// The `DISPLAY` value, `:<n>`.
    pub(super) fn display(&self) -> &str {
        &self.display
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
