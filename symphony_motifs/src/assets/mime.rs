//! Content types by file extension.

/// The MIME type for `path`, by extension; `application/octet-stream` when unknown (which,
/// with `nosniff`, a browser will neither render nor run).
///
/// ```
/// assert_eq!(symphony_motifs::assets::mime_type("app.JS"), "text/javascript; charset=utf-8");
/// assert_eq!(symphony_motifs::assets::mime_type("blob"), "application/octet-stream");
/// ```
pub fn mime_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}
