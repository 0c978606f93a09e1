//! The X display seen from outside the app, as a user would: find the window and take
//! screenshots (xdotool, ImageMagick's `import`).

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A top-level window on a display.
pub(super) struct Window {
    display: String,
    id: String,
}

/// Runs `program` with `args` on `display`; panics with its stderr if it fails.
fn run(display: &str, program: &str, args: &[&str]) -> Output {
    let output = Command::new(program)
        .env("DISPLAY", display)
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!("{program} runs ({error}): `cargo xtask ci` installs it (apt-get install imagemagick xdotool)")
        });
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

impl Window {
    /// Waits (at most `timeout`) until a window titled `title` is mapped on `display`.
    pub(super) fn wait_for(display: &str, title: &str, timeout: Duration) -> Window {
        let deadline = Instant::now() + timeout;
        loop {
            let found = Command::new("xdotool")
                .env("DISPLAY", display)
                .args(["search", "--onlyvisible", "--name", title])
                .output()
                .expect("xdotool runs: `cargo xtask ci` installs it (apt-get install xdotool)");
            // xdotool exits with 1 while nothing matches.
            let stdout = String::from_utf8_lossy(&found.stdout);
            if let Some(id) = stdout.lines().next() {
                return Window {
                    display: display.to_owned(),
                    id: id.trim().to_owned(),
                };
            }
            assert!(
                Instant::now() < deadline,
                "no window titled {title:?} was mapped within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Captures the window's pixels; also writes them to `<dir>/<name>.png` for people.
    pub(super) fn screenshot(&self, dir: &Path, name: &str) -> Screenshot {
        let ppm = dir.join(format!("{name}.ppm"));
        let png = dir.join(format!("{name}.png"));
        run(
            &self.display,
            "import",
            &["-window", &self.id, "-depth", "8", &path(&ppm)],
        );
        run(&self.display, "convert", &[&path(&ppm), &path(&png)]);
        let bytes = std::fs::read(&ppm).expect("import wrote the screenshot");
        std::fs::remove_file(&ppm).expect("the PPM copy can go");
        Screenshot::from_ppm(&bytes)
    }
}

fn path(path: &Path) -> String {
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

/// An RGB image of the window.
pub(super) struct Screenshot {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

/// A rectangle of the window, in pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Region {
    pub(super) x: usize,
    pub(super) y: usize,
    pub(super) width: usize,
    pub(super) height: usize,
}

impl Screenshot {
    /// Decodes a binary PPM (P6, 8 bits), as `import` writes it.
    fn from_ppm(bytes: &[u8]) -> Screenshot {
        // Header: "P6", width, height, maxval, separated by whitespace, then one whitespace
        // byte before the pixels.
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            let start = at;
            while bytes
                .get(at)
                .is_some_and(|byte| !byte.is_ascii_whitespace())
            {
                at += 1;
            }
            assert!(at > start, "truncated PPM header");
            fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
        }
        assert_eq!(fields[0], "P6", "not a binary PPM");
        assert_eq!(fields[3], "255", "not an 8-bit PPM");
        let width: usize = fields[1].parse().expect("PPM width");
        let height: usize = fields[2].parse().expect("PPM height");
        let rgb = bytes[at + 1..].to_vec();
        assert_eq!(
            rgb.len(),
            width * height * 3,
            "PPM size does not match its header"
        );
        Screenshot { width, height, rgb }
    }

    /// The pixels of `region` (clipped to the image) with their coordinates, row by row.
    fn points(&self, region: Region) -> impl Iterator<Item = (usize, usize, [u8; 3])> + '_ {
        let rows = region.y..(region.y + region.height).min(self.height);
        let columns = region.x..(region.x + region.width).min(self.width);
        rows.flat_map(move |y| columns.clone().map(move |x| (x, y)))
            .map(|(x, y)| {
                let at = (y * self.width + x) * 3;
                (x, y, [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]])
            })
    }

    /// The pixels of `region` (clipped to the image), row by row.
    pub(super) fn pixels(&self, region: Region) -> Vec<[u8; 3]> {
        self.points(region).map(|(_, _, pixel)| pixel).collect()
    }

    /// How many pixels of `region` are dark (text, on the page's white background).
    pub(super) fn dark_pixels(&self, region: Region) -> usize {
        self.points(region)
            .filter(|(_, _, [r, g, b])| u16::from(*r) + u16::from(*g) + u16::from(*b) < 3 * 96)
            .count()
    }
}
