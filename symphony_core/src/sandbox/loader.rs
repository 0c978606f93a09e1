//! What a program needs from the filesystem just to start, when the host confines it before
//! it executes: derived from the program itself, never from a fixed list of programs.
//!
//! - the program: read and execute;
//! - its ELF interpreter (`PT_INTERP`, the dynamic loader such as
//!   `/lib64/ld-linux-x86-64.so.2`): read and execute; a `#!` script's interpreter likewise
//!   (and that interpreter's own loader);
//! - the loader's cache `/etc/ld.so.cache`: read;
//! - the system library directories the loader searches by default (`/lib`, `/lib64`,
//!   `/usr/lib`, `/usr/lib64`, and the directory of the interpreter): read and execute.
//!
//! Every path is resolved to its real path first (`/lib` is a link to `/usr/lib` on merged-usr
//! systems, and the kernel restricts real paths). Paths that do not exist are left out.
//! Library directories named by `LD_LIBRARY_PATH` or an `RPATH` are not derived: grant them.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::plan::SandboxRule;
use super::rights::Rights;

/// The directories the dynamic loader searches without being told.
const SYSTEM_LIBRARY_DIRS: [&str; 4] = ["/lib", "/lib64", "/usr/lib", "/usr/lib64"];
/// The loader's cache of library locations.
const LOADER_CACHE: &str = "/etc/ld.so.cache";
/// `PT_INTERP`: the program header naming the ELF interpreter.
const PT_INTERP: u32 = 3;
/// Longest interpreter path read (`PATH_MAX`).
const MAX_INTERP: u64 = 4096;

/// The rules that let `program` (an absolute path) start; see the [module documentation](self).
///
/// # Errors
///
/// If `program` cannot be resolved or read.
pub(crate) fn rules_for(program: &Path) -> io::Result<Vec<SandboxRule>> {
    let mut rules = BTreeMap::new();
    let read_execute = Rights::READ | Rights::EXECUTE;
    let program = std::fs::canonicalize(program)?;
    let mut interpreters = interpreters_of(&program)?;
    rules.insert(program, read_execute);
    // A script's interpreter may itself be dynamically linked.
    if let Some(first) = interpreters.first().cloned() {
        interpreters.extend(interpreters_of(&first).unwrap_or_default());
    }
    for interpreter in interpreters {
        if let Some(dir) = interpreter.parent() {
            rules.insert(dir.to_path_buf(), read_execute);
        }
        rules.insert(interpreter, read_execute);
    }
    for dir in SYSTEM_LIBRARY_DIRS {
        if let Ok(dir) = std::fs::canonicalize(dir) {
            rules.insert(dir, read_execute);
        }
    }
    if let Ok(cache) = std::fs::canonicalize(LOADER_CACHE) {
        rules.entry(cache).or_insert(Rights::READ);
    }
    Ok(rules
        .into_iter()
        .map(|(path, rights)| SandboxRule::explicit(path, rights))
        .collect())
}

/// The interpreters `program` names, resolved: a `#!` line's program, or an ELF `PT_INTERP`.
fn interpreters_of(program: &Path) -> io::Result<Vec<PathBuf>> {
    let mut file = File::open(program)?;
    let mut head = [0u8; 64];
    let len = read_up_to(&mut file, &mut head)?;
    let head = &head[..len];
    let named = if head.starts_with(b"#!") {
        shebang(&mut file)?
    } else if head.starts_with(b"\x7fELF") {
        elf_interpreter(head, &mut file)?
    } else {
        None
    };
    Ok(named
        .and_then(|path| std::fs::canonicalize(path).ok())
        .into_iter()
        .collect())
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The program of a `#!` line (its first word).
fn shebang(file: &mut File) -> io::Result<Option<PathBuf>> {
    let mut line = [0u8; 256];
    file.seek(SeekFrom::Start(2))?;
    let len = read_up_to(file, &mut line)?;
    let line = &line[..len];
    let end = line.iter().position(|b| *b == b'\n').unwrap_or(line.len());
    let word = line[..end]
        .split(|b| *b == b' ' || *b == b'\t')
        .find(|word| !word.is_empty());
    Ok(word.map(|word| PathBuf::from(std::ffi::OsStr::from_bytes(word))))
}

/// The `PT_INTERP` path of an ELF file whose first bytes are `head`.
fn elf_interpreter(head: &[u8], file: &mut File) -> io::Result<Option<PathBuf>> {
    let invalid = || io::Error::new(io::ErrorKind::InvalidData, "malformed ELF header");
    let wide = match head.get(4) {
        Some(1) => false,
        Some(2) => true,
        _ => return Err(invalid()),
    };
    let little = match head.get(5) {
        Some(1) => true,
        Some(2) => false,
        _ => return Err(invalid()),
    };
    let int = |bytes: &[u8]| -> u64 {
        let mut value = 0u64;
        for (i, byte) in bytes.iter().enumerate() {
            let shift = if little { i } else { bytes.len() - 1 - i };
            value |= u64::from(*byte) << (8 * shift);
        }
        value
    };
    let field = |at: usize, len: usize| head.get(at..at + len).map(int).ok_or_else(invalid);
    let (phoff, phentsize, phnum) = if wide {
        (field(32, 8)?, field(54, 2)?, field(56, 2)?)
    } else {
        (field(28, 4)?, field(42, 2)?, field(44, 2)?)
    };
    let entry_len = usize::try_from(phentsize).map_err(|_| invalid())?;
    if entry_len < if wide { 56 } else { 32 } {
        return Err(invalid());
    }
    let mut entry = vec![0u8; entry_len];
    for index in 0..phnum {
        file.seek(SeekFrom::Start(phoff + index * phentsize))?;
        file.read_exact(&mut entry)?;
        let get = |at: usize, len: usize| entry.get(at..at + len).map(int).ok_or_else(invalid);
        if get(0, 4)? != u64::from(PT_INTERP) {
            continue;
        }
        let (offset, size) = if wide {
            (get(8, 8)?, get(32, 8)?)
        } else {
            (get(4, 4)?, get(16, 4)?)
        };
        let mut path = vec![0u8; usize::try_from(size.min(MAX_INTERP)).map_err(|_| invalid())?];
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(&mut path)?;
        let end = path.iter().position(|b| *b == 0).unwrap_or(path.len());
        path.truncate(end);
        return Ok(Some(PathBuf::from(std::ffi::OsStr::from_bytes(&path))));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_binary_needs_its_loader() {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
        let rules = rules_for(&exe).unwrap_or_else(|e| panic!("{e}"));
        let paths: Vec<&Path> = rules.iter().map(SandboxRule::path).collect();
        let exe = std::fs::canonicalize(exe).unwrap_or_else(|e| panic!("{e}"));
        assert!(paths.contains(&exe.as_path()), "{paths:?}");
        // Test binaries here are dynamically linked against glibc.
        let interpreter = interpreters_of(&exe).unwrap_or_default();
        assert_eq!(interpreter.len(), 1, "{paths:?}");
        assert!(paths.contains(&interpreter[0].as_path()), "{paths:?}");
        assert!(rules.iter().all(|r| r.follows_links()));
    }

    #[test]
    fn a_script_names_its_interpreter() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let script = dir.path().join("run");
        std::fs::write(&script, "#!/bin/sh -e\necho hi\n").unwrap_or_else(|e| panic!("{e}"));
        let named = interpreters_of(&script).unwrap_or_default();
        let sh = std::fs::canonicalize("/bin/sh").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(named, [sh]);
    }
}
