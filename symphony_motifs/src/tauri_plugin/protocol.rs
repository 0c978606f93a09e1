//! The `motif://` scheme handler, as a plain function of the request.

use ::tauri::http::{Request, Response};

use super::PluginState;
use crate::csp::{ContentSecurityPolicy, Nonce};
use crate::page::{BridgeTransport, Page};

/// Pages of hosted motifs are under this path: `motif://<extension>/.page/<name>`. Bundles
/// never serve hidden paths, so it cannot shadow an asset.
pub const PAGE_PREFIX: &str = ".page/";

/// Answers a `motif://` request: a motif's page, or an asset from the bundles.
///
/// Pages carry a fresh nonce and a CSP that allows Tauri's IPC; every response has
/// `access-control-allow-origin` so pages can `fetch` assets.
pub fn respond(motifs: &PluginState, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let uri = request.uri().to_string();
    let path = request.uri().path().trim_start_matches('/');
    if let Some(name) = path.strip_prefix(PAGE_PREFIX) {
        return page(motifs, name);
    }
    let asset = motifs.assets.respond(&uri);
    let mut response = Response::builder().status(asset.status);
    for (name, value) in asset.headers {
        response = response.header(name, value);
    }
    response
        .body(asset.body)
        .unwrap_or_else(|_| plain(500, "cannot build the asset response"))
}

fn page(motifs: &PluginState, name: &str) -> Response<Vec<u8>> {
    let components = crate::serve::lock(&motifs.components);
    let Some(component) = components.get(name) else {
        return plain(
            404,
            &format!("no motif `{name}` is hosted by the motifs plugin"),
        );
    };
    let Ok(nonce) = Nonce::generate() else {
        return plain(500, "no randomness for the page's CSP nonce");
    };
    // Tauri's IPC goes through these origins depending on the platform.
    let policy = ContentSecurityPolicy::new(&nonce)
        .allow_connect("ipc:")
        .and_then(|policy| policy.allow_connect("http://ipc.localhost"));
    let Ok(policy) = policy else {
        return plain(500, "cannot build the page's CSP");
    };
    let title = motifs.titles.get(name).map_or(name, String::as_str);
    let mut page = Page::new(
        title,
        component.view(),
        BridgeTransport::Tauri {
            motif: name.to_owned(),
        },
    );
    if let Some(theme) = crate::serve::lock(&motifs.theme).clone() {
        page = page.theme(theme);
    }
    let html = page.render(&nonce, &policy);
    Response::builder()
        .status(200)
        .header("content-type", "text/html; charset=utf-8")
        .header("content-security-policy", policy.to_string())
        .header("access-control-allow-origin", "*")
        .body(html.into_bytes())
        .unwrap_or_else(|_| plain(500, "cannot build the page response"))
}

fn plain(status: u16, message: &str) -> Response<Vec<u8>> {
    let mut response = Response::new(message.as_bytes().to_vec());
    if let Ok(status) = ::tauri::http::StatusCode::from_u16(status) {
        *response.status_mut() = status;
    }
    response
}
