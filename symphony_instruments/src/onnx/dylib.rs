//! Loading the ONNX Runtime shared library at run time and taking its C API table.
//!
//! The only unsafe code of the crate lives here: calling into a C library cannot be checked by
//! the compiler, so each block states what it relies on.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::path::Path;

use ort::sys::{ORT_API_VERSION, OrtApi, OrtApiBase};

/// A loaded `libonnxruntime`: its API table and its version.
pub(super) struct LoadedRuntime {
    pub(super) api: OrtApi,
    pub(super) version: String,
}

/// Loads `library` and returns its `OrtApi` for the API version `ort` was built against.
///
/// The library stays loaded for the rest of the process: `ort` keeps calling through the
/// table, so unloading it would leave dangling function pointers.
pub(super) fn load(library: &Path) -> Result<LoadedRuntime, String> {
    if !library.is_file() {
        return Err(format!(
            "the ONNX Runtime library `{}` does not exist",
            library.display()
        ));
    }
    // SAFETY: loading a library runs its initialisers. We only load what the configuration or
    // ORT_DYLIB_PATH names, which must be an ONNX Runtime build; its initialisers are sound.
    let lib = unsafe { libloading::Library::new(library) }
        .map_err(|error| format!("cannot load `{}`: {error}", library.display()))?;
    // SAFETY: `OrtGetApiBase` has this signature in every ONNX Runtime release (C API ABI).
    let get_base =
        unsafe { lib.get::<unsafe extern "C" fn() -> *const OrtApiBase>(b"OrtGetApiBase\0") }
            .map_err(|error| {
                format!(
                    "`{}` is not an ONNX Runtime library (no `OrtGetApiBase`): {error}",
                    library.display()
                )
            })?;
    // SAFETY: calling `OrtGetApiBase` has no preconditions; it returns a static table or null.
    let base = unsafe { get_base() };
    // SAFETY: a non-null result points to a static `OrtApiBase` that lives as long as the
    // library, which is never unloaded (leaked below).
    let Some(base) = (unsafe { base.as_ref() }) else {
        return Err(format!(
            "`{}`: OrtGetApiBase returned null",
            library.display()
        ));
    };
    // SAFETY: `GetVersionString` returns a static NUL-terminated string (or null on a broken
    // build, which we check).
    let version = unsafe {
        let text = (base.GetVersionString)();
        if text.is_null() {
            String::from("unknown")
        } else {
            CStr::from_ptr(text).to_string_lossy().into_owned()
        }
    };
    // SAFETY: `GetApi` accepts any version number and returns null when it does not support it.
    let api = unsafe { (base.GetApi)(ORT_API_VERSION) };
    // SAFETY: a non-null `GetApi` result points to a static table of the requested version,
    // whose layout is `OrtApi` as generated for ORT_API_VERSION; copying it is what `ort`'s
    // own loader does.
    let Some(api) = (unsafe { api.as_ref() }) else {
        return Err(format!(
            "`{}` is ONNX Runtime {version}, which does not provide C API version \
             {ORT_API_VERSION}; use ONNX Runtime 1.{ORT_API_VERSION} or newer",
            library.display()
        ));
    };
    let api = api.clone();
    std::mem::forget(lib);
    Ok(LoadedRuntime { api, version })
}
