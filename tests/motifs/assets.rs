//! Asset bundles on a real directory: files, MIME types, traversal and symlink escapes.

use std::fs;

use symphony_motifs::assets::{AssetBundle, AssetServer};

#[test]
fn serves_bundle_files_and_nothing_outside() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    let root = tempfile::tempdir().unwrap();
    let bundle_dir = root.path().join("bundle");
    fs::create_dir_all(bundle_dir.join("css")).unwrap();
    fs::write(bundle_dir.join("index.html"), "<p>hi</p>").unwrap();
    fs::write(bundle_dir.join("css/app.css"), "p{}").unwrap();
    fs::write(root.path().join("sibling.txt"), "sibling").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        bundle_dir.join("leak.txt"),
    )
    .unwrap();

    let server = AssetServer::new()
        .with_allowed_origin("tauri://localhost")
        .with_bundle("acme.panel", AssetBundle::from_dir(&bundle_dir).unwrap());

    let css = server.respond("motif://acme.panel/css/app.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        css.header("access-control-allow-origin"),
        Some("tauri://localhost")
    );
    assert_eq!(css.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(css.body, b"p{}");
    let index = server.respond("motif://acme.panel/");
    assert_eq!(
        (index.status, index.body.as_slice()),
        (200, &b"<p>hi</p>"[..])
    );

    for uri in [
        "motif://acme.panel/../sibling.txt",
        "motif://acme.panel/css/../../sibling.txt",
        "motif://acme.panel/%2e%2e/sibling.txt",
        "motif://acme.panel/css%2f..%2f..%2fsibling.txt",
        "motif://acme.panel/..%5csibling.txt",
        "motif://acme.panel//etc/passwd",
    ] {
        let response = server.respond(uri);
        assert_eq!(response.status, 400, "{uri}");
        assert!(
            String::from_utf8_lossy(&response.body).contains("is refused"),
            "{uri}"
        );
    }
    #[cfg(unix)]
    {
        let response = server.respond("motif://acme.panel/leak.txt");
        assert_eq!(response.status, 400);
        assert!(String::from_utf8_lossy(&response.body).contains("outside the bundle"));
    }
    assert_eq!(server.respond("motif://acme.panel/missing.js").status, 404);
    assert_eq!(server.respond("motif://acme.other/index.html").status, 404);
    assert_eq!(server.respond("https://acme.panel/index.html").status, 400);
}
