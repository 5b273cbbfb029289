//! Live reload for `playbill serve` and `playbill docs serve`: the server counts finished
//! rebuilds and adds one script tag to every HTML page it serves; the script polls the count
//! and reloads the page when it changes. Only the server's responses carry it: built files
//! stay as they are, and the page's CSP (script and connect from 'self') already allows it.

use std::sync::atomic::{AtomicU64, Ordering};

/// Where the script is served from; nothing in a built portal uses this prefix.
pub const SCRIPT_PATH: &str = "/__playbill/live-reload.js";
/// Where the script reads the rebuild count.
pub const GENERATION_PATH: &str = "/__playbill/generation";

const SCRIPT: &str = include_str!("serve_assets/live-reload.js");

/// The number of rebuilds finished since the server started.
#[derive(Debug, Default)]
pub struct Generation(AtomicU64);

impl Generation {
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The body and Content-Type for the live-reload paths; None for any other path.
pub fn answer(path: &str, generation: &Generation) -> Option<(Vec<u8>, &'static str)> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    match path {
        SCRIPT_PATH => Some((SCRIPT.as_bytes().to_vec(), "text/javascript; charset=utf-8")),
        GENERATION_PATH => Some((
            generation.get().to_string().into_bytes(),
            "text/plain; charset=utf-8",
        )),
        _ => None,
    }
}

/// `html` with the live-reload script tag before `</body>` (or at the end).
pub fn inject(html: Vec<u8>) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let text = String::from_utf8_lossy(&html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + tag.len());
    out.push_str(&text[..at]);
    out.push_str(&tag);
    out.push_str(&text[at..]);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_goes_before_the_body_ends_and_the_paths_answer() {
        let html = inject(b"<html><body><p>x</p></body></html>".to_vec());
        let html = String::from_utf8(html).unwrap();
        assert!(html
            .ends_with("<script src=\"/__playbill/live-reload.js\" defer></script></body></html>"));
        let generation = Generation::default();
        generation.bump();
        let (body, _) = answer("/__playbill/generation?t=1", &generation).unwrap();
        assert_eq!(body, b"1");
        assert!(answer("/index.html", &generation).is_none());
    }
}
