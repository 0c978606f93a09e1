//! A private X server (Xvfb) for a window test, so a preview window opens on a machine
//! without a screen (CI) and beside other tests' windows.
//!
//! ```no_run
//! use symphony_motifs::testing::display::VirtualDisplay;
//!
//! let display = VirtualDisplay::start()?;
//! // Hand `display.name()` to the window as `DISPLAY` (WebDriver::tauri's `env`).
//! assert!(display.name().starts_with(':'));
//! # Ok::<(), symphony_motifs::testing::display::DisplayError>(())
//! ```

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long Xvfb may take to accept clients.
const START: Duration = Duration::from_secs(30);

/// Why no virtual display started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DisplayError {
    /// `Xvfb` could not be run.
    #[error("cannot run Xvfb: {0} (Debian: apt-get install xvfb)")]
    Spawn(std::io::Error),
    /// It did not report a display in time.
    #[error("Xvfb did not report a display within {START:?}: {stderr}")]
    NoDisplay {
        /// What it printed on stderr.
        stderr: String,
    },
}

/// An Xvfb server on a free display; it ends when this is dropped.
#[derive(Debug)]
pub struct VirtualDisplay {
    server: Child,
    name: String,
}

impl VirtualDisplay {
    /// Starts `Xvfb` (from `PATH`) on a display it picks itself, 1024×768, no TCP, and waits
    /// until it accepts clients.
    ///
    /// # Errors
    ///
    /// A [`DisplayError`] if Xvfb is missing or reports no display.
    pub fn start() -> Result<VirtualDisplay, DisplayError> {
        // `-displayfd 1`: Xvfb picks a free display itself (other tests run X servers too)
        // and writes its number to stdout once it accepts connections.
        let mut server = Command::new("Xvfb")
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
            .map_err(DisplayError::Spawn)?;
        let stdout = server.stdout.take();
        let (sender, number) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            if let Some(stdout) = stdout {
                let _ = BufReader::new(stdout).read_line(&mut line);
            }
            let _ = sender.send(line);
        });
        let number = number.recv_timeout(START).unwrap_or_default();
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            let _ = server.kill();
            let mut stderr = String::new();
            if let Some(mut pipe) = server.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            let _ = server.wait();
            return Err(DisplayError::NoDisplay { stderr });
        }
        // Xvfb's later log lines are not needed, and nobody must block on a full pipe.
        drop(server.stderr.take());
        Ok(VirtualDisplay {
            name: format!(":{number}"),
            server,
        })
    }

    /// The `DISPLAY` value, `:<n>`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
