//! What a pull-request preview's pages show of it: the banner naming the pull request, and the
//! `noindex` that keeps search engines away. `playbill docs build --preview` sets it; a portal
//! build never does.

use serde::Serialize;

/// The pull request a preview build shows, as the banner on every page names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreviewBanner {
    /// The repository's name (a safe path segment).
    pub repository: String,
    /// The pull request's number or name (a safe path segment).
    pub pull_request: String,
}
