//! Where GitHub's GraphQL endpoint is and how to authenticate there: what the REST client's
//! context holds, and the GraphQL queries (`graphql.rs`) use.

use crate::config::{GithubAuth, GithubSource};
use octocrab::Octocrab;

/// The GraphQL endpoint and how to authenticate there.
pub(super) struct Gql {
    /// Without authentication of its own and rooted at the host: the endpoint's path is not
    /// under the REST root on GitHub Enterprise.
    pub(super) octo: Octocrab,
    pub(super) path: String,
    pub(super) auth: GqlAuth,
}

pub(super) enum GqlAuth {
    None,
    Token(String),
    /// A GitHub App: the REST client's installation token, minted and refreshed by it.
    Installation,
}

/// `<api_url>/graphql` on github.com; `/api/graphql` on GitHub Enterprise (REST at `/api/v3`).
pub(super) fn endpoint(api_url: &str) -> String {
    let api = api_url.trim_end_matches('/');
    match api.strip_suffix("/v3") {
        Some(root) => format!("{root}/graphql"),
        None => format!("{api}/graphql"),
    }
}

/// The GraphQL client for `source`; None when switched off (`graphql = false`).
pub(super) fn gql_client(source: &GithubSource) -> Option<Gql> {
    if !source.graphql {
        return None;
    }
    let url = url::Url::parse(&endpoint(&source.api_url)).ok()?;
    let octo = Octocrab::builder()
        .base_uri(&url[..url::Position::BeforePath])
        .ok()?
        .build()
        .ok()?;
    let auth = match &source.auth {
        GithubAuth::None => GqlAuth::None,
        GithubAuth::Token { env } => GqlAuth::Token(std::env::var(env).ok()?.trim().to_string()),
        GithubAuth::App { .. } => GqlAuth::Installation,
    };
    Some(Gql {
        octo,
        path: url.path().to_string(),
        auth,
    })
}
