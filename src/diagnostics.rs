//! Diagnostics as data: every stage returns its result plus a `Diagnostics` list instead of
//! failing, so one bad repo, file or document never stops the build. Rendering (terminal text,
//! JSON lines, the issues page) is a separate concern that reads this data.

use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is. Declared most severe first, so sorting puts errors on top.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One finding: a stable code, a message a person can act on, and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub repo: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub entity: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            repo: None,
            file: None,
            line: None,
            column: None,
            entity: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    pub fn repo(mut self, repo: impl Into<String>) -> Self {
        self.repo = Some(repo.into());
        self
    }

    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn line(mut self, line: Option<u32>) -> Self {
        self.line = line;
        self
    }

    pub fn column(mut self, column: Option<u32>) -> Self {
        self.column = column;
        self
    }

    pub fn entity(mut self, entity: impl Into<String>) -> Self {
        self.entity = Some(entity.into());
        self
    }

    /// `repo/file:line:col`, as much of it as is known.
    pub fn location(&self) -> String {
        let mut out = String::new();
        if let Some(repo) = &self.repo {
            out.push_str(repo);
        }
        if let Some(file) = &self.file {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(file);
        }
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                out.push_str(&format!(":{column}"));
            }
        }
        out
    }

    /// `path:line:col: severity[code]: message (entity)` for terminals and logs.
    pub fn to_text(&self) -> String {
        let location = self.location();
        let mut out = if location.is_empty() {
            format!("{}[{}]: {}", self.severity, self.code, self.message)
        } else {
            format!(
                "{location}: {}[{}]: {}",
                self.severity, self.code, self.message
            )
        };
        if let Some(entity) = &self.entity {
            out.push_str(&format!(" ({entity})"));
        }
        out
    }

    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.repo.as_deref(),
            self.file.as_deref(),
            self.line,
            self.column,
            self.severity,
            self.code,
            self.message.as_str(),
        )
    }
}

/// A diagnostic as a file keeps it (a shard's manifest, the render cache): its code as text,
/// found again in the table of codes when read back.
#[derive(Serialize, serde::Deserialize)]
pub struct Stored {
    severity: Severity,
    pub code: String,
    message: String,
    repo: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    entity: Option<String>,
}

impl From<&Diagnostic> for Stored {
    fn from(d: &Diagnostic) -> Stored {
        Stored {
            severity: d.severity,
            code: d.code.to_string(),
            message: d.message.clone(),
            repo: d.repo.clone(),
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            entity: d.entity.clone(),
        }
    }
}

impl Stored {
    /// The diagnostic again; None when its code is not one this build knows.
    pub fn into_diagnostic(self) -> Option<Diagnostic> {
        let (code, _) = CODES.iter().find(|(c, _)| *c == self.code)?;
        Some(Diagnostic {
            severity: self.severity,
            code,
            message: self.message,
            repo: self.repo,
            file: self.file,
            line: self.line,
            column: self.column,
            entity: self.entity,
        })
    }
}

/// The findings of a stage, in the order they were made until `sort` is called.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    /// Errors, warnings and infos among `diagnostics`.
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn as_slice(&self) -> &[Diagnostic] {
        self.iter().as_slice()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn counts(&self) -> Counts {
        Counts::of(&self.0)
    }

    /// Sorts by place, then severity, and drops exact repeats, so output is deterministic.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.0.dedup();
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

/// Every diagnostic code, with what it means and how to fix it. Documented once, here; the
/// The manual's table (docs/diagnostics.md) is checked against this list by a test.
pub const CODES: &[(&str, &str)] = &[
    ("config/invalid", "site.toml could not be read or has an unknown key or a wrong type; the message names the key and the line."),
    ("gather/source-missing", "A `[[sources]]` path does not exist or is not a directory (relative paths resolve against site.toml's directory), or `check` was given a path with no catalog file."),
    ("gather/unreadable", "A file or directory could not be read (permissions, I/O error); the rest of the repository is still read."),
    ("gather/symlink-outside-repo", "A symlink points outside its repository; Playbill never follows it. Replace the link with the file itself."),
    ("github/auth", "A github source cannot authenticate: the environment variable named by `token_env` (or `app_id_env`/`app_key_env`) is not set, the App key is not an RSA PEM key, or the App is not installed on the organisation. The cached copies are used."),
    ("github/unreachable", "The organisation's repositories could not be listed (network, 401/403, unknown organisation, rate limit for too long); the cached copies of its repositories are used."),
    ("github/repo-failed", "A repository could not be fetched after retries and has no cached copy; it is skipped, the others are not affected. Also: the files other repositories' catalogs name in it could not be fetched."),
    ("gather/health-file-unreadable", "A local source's `health_file` cannot be read or is not a JSON object of repository name to health; the repositories are shown without health."),
    ("github/repo-stale", "A repository could not be fetched after retries; its last cached copy is used and may be out of date."),
    ("github/ref-not-gathered", "A Location target or techdocs-ref URL into another repository of the organisation names a branch other than the one gathered there; it was not fetched."),
    ("github/org-data", "The organisation's teams or members could not be read (the token needs members:read); no Group or User entities come from them."),
    ("catalog/file-too-large", "A catalog file is larger than `limits.max_file_bytes`; split it or raise the limit."),
    ("catalog/invalid-utf8", "A catalog file is not UTF-8 text; re-save it as UTF-8."),
    ("catalog/yaml-syntax", "A YAML document does not parse; the line and column point at the problem. Other documents in the file are still read."),
    ("catalog/too-many-documents", "A file holds more YAML documents than `limits.max_documents_per_file`; the rest are skipped."),
    ("catalog/too-many-entities", "The catalog holds more entities than `limits.max_entities`; the rest are skipped."),
    ("catalog/not-a-mapping", "A YAML document is not a mapping (object) at its root, so it cannot be an entity."),
    ("catalog/invalid-envelope", "apiVersion, kind or metadata is missing or of the wrong type, or the document has a root key other than apiVersion, kind, metadata and spec."),
    ("catalog/invalid-field", "A field breaks Backstage's format rules (name, namespace, label, annotation, tag, link) or a kind's required spec field is missing or empty."),
    ("catalog/unknown-kind", "No built-in kind matches this apiVersion and kind (kinds are case-sensitive, e.g. `Component`)."),
    ("catalog/placeholder", "A `$text`, `$json` or `$yaml` placeholder could not be resolved: missing file, bad content, or a path outside the repository. The entity is rejected, as Backstage would."),
    ("catalog/rejected-by-rules", "The `[catalog] rules` allow-list does not allow this kind (or type, or location)."),
    ("catalog/unsafe-content", "An entity's title or description holds markup that would run in a browser (script, event handler, frame); it is shown as text."),
    ("catalog/unsafe-url", "A link, picture or `*-url` annotation uses a scheme other than http(s) or mailto (javascript:, data:, file:); it is shown as text, never as a link."),
    ("catalog/duplicate-entity", "Two documents define the same entity (kind, namespace and name compare case-insensitively); the first in source order wins."),
    ("catalog/invalid-ref", "An entity reference is malformed (empty part, or no kind where the field has no default kind); that relation is skipped."),
    ("catalog/unresolved-ref", "A relation points at an entity that is not in the catalog; it is kept and shown as unresolved."),
    ("catalog/unexpected-owner-kind", "An owner should be a Group or a User."),
    ("catalog/location-target-missing", "A Location target does not exist (and presence is not `optional`)."),
    ("catalog/location-outside-repo", "A Location target, placeholder or path leaves its repository (`..`, an absolute or Windows-style path, or a symlink); it is not read."),
    ("catalog/location-cycle", "Location entities point at each other in a loop; the loop is cut where it closes."),
    ("catalog/location-not-followed", "A Location target is a URL into no gathered repository; Playbill reads gathered repositories only and does not fetch arbitrary URLs."),
    ("docs/ref-not-resolved", "A `backstage.io/techdocs-ref` (or `techdocs-entity`) names nothing Playbill gathered, or is neither `dir:` nor `url:`; no docs are built for it."),
    ("docs/prebuilt-refused", "A docs page rendered by its repository's CI (`docs build`, taken through `[docs] prebuilt`) holds markup the portal would not write: script, an event handler, a frame, a URL other than http(s) or mailto, a comment, or a tag it leaves open. It is not shown; the page is rendered from its Markdown."),
    ("docs/prebuilt-unmatched", "A repository's prebuilt docs file matches none of its site's pages: it was built from other files or settings (`[secrets]`, `[limits]`, `[docs.plantuml]`: give `docs build --portal-config`), or by another Playbill version. The pages are rendered by the portal's build; the repository's next `docs build` catches up."),
    ("docs/prebuilt-unusable", "A repository's prebuilt docs file cannot be read or is not one `docs build` writes, or the bucket `[docs] prebuilt` names cannot be read; those sites are rendered by the portal's build."),
    ("docs/shard-commit", "A sharded build rendered a repository's docs at another commit than the assembly read its catalog at (it was pushed between the jobs); the docs shown are the shard's. The next build catches up."),
    ("docs/outside-repo", "A techdocs-ref or `docs_dir` leaves its repository; no docs are built."),
    ("docs/mkdocs-missing", "No mkdocs.yml (or mkdocs.yaml) beside the docs; they render with default settings and a nav derived from the files."),
    ("docs/mkdocs-invalid", "mkdocs.yml does not parse or has a bad nav entry; the docs render with default settings or without that entry."),
    ("docs/unsupported", "A Markdown extension or mkdocs plugin Playbill does not support; its syntax renders as plain Markdown."),
    ("docs/too-many-files", "A docs directory holds more files than `limits.max_files_per_docs_site`; only that many, in path order, are read."),
    ("docs/no-pages", "The docs directory holds no Markdown page; no docs are built."),
    ("docs/version-failed", "An older version of a docs site (`[docs.versions]`: a tag, branch or archive directory) could not be read or built: the message names the repository, the version and its ref. Problems inside a version are warnings, since a tag cannot be changed; latest and the other versions are built."),
    ("docs/versions-unavailable", "`[docs.versions]` asks for tags or branches, but the repository is not a local git checkout (a plain directory, or a github source), so only latest and archive directories are built; noted once per repository."),
    ("docs/unreadable", "A docs page or file could not be read; the rest of the site is built."),
    ("docs/broken-link", "A link to a page, file or anchor that does not exist; the text is kept without the link."),
    ("docs/unsafe-content", "A page or an SVG file holds script, an event handler, a frame or style, an external reference, or links with a scheme other than http(s) and mailto; it is removed or shown as text, never run."),
    ("docs/diagram", "A Mermaid, Graphviz or PlantUML fence that could not be drawn (it does not parse, is over a bound, took too long, or no PlantUML command is configured); it is shown as code."),
    ("docs/include", "A nav `!include` or `*include` (mkdocs-monorepo-plugin) that names a missing, unparsable or outside mkdocs file, one without site_name or pages, one whose directory another included project already uses, or one inside an included project (the plugin refuses nested includes); that entry is left out and the rest of the site builds. mkdocs stops the whole build there."),
    ("docs/snippet", "A snippet (`--8<--`) whose file is missing, outside the directory of mkdocs.yml (techdocs-core restricts snippets to it) or unreadable; the line is left out, as mkdocs leaves it out."),
    ("docs/markdown", "A Markdown construct Playbill renders differently or not at all (an unknown code-block language, a nesting limit)."),
    ("docs/too-deep", "Quotes, lists, emphasis or links nest over 64 levels; the deeper content is shown as plain text."),
    ("docs/render-failed", "The page could not be rendered (an internal error); it is replaced by a short notice and every other page is built. Please report it with the page."),
    ("docs/active-file", "A file beside the docs would run as a page on the portal (HTML, XHTML, XML, XSLT, compressed SVG, or an SVG that cannot be cleaned); it is not published."),
    ("docs/nav-missing-page", "The nav names a page that is not in the docs directory; the entry is left out."),
    ("docs/readme-dropped", "A directory holds both index.md and README.md; README.md is left out, as mkdocs does."),
    ("security/secret", "A credential (cloud key, token, private key, password in a URL or assignment) was found in a catalog file, a referenced file or the docs; it is replaced by REDACTED in every output and reported by file and line, never by value. Remove it from the repository and rotate it; a value that only looks like a secret can be allowed with `[secrets] allow` in site.toml."),
    ("cluster/auth", "A cluster's credentials could not be set up: the environment variable named by `token_env` or `ca_data_env` is unset, or the kubeconfig or context cannot be read. That cluster is skipped."),
    ("cluster/unreachable", "Nothing at all could be listed from a cluster: it could not be reached or answered every list with a server error, after retries; its previous data is kept (marked stale) when a previous snapshot is given, and the other clusters are unaffected."),
    ("cluster/timeout", "No list of a cluster answered within `kubernetes.timeout_secs`; it is treated as unreachable."),
    ("cluster/list-timeout", "One object type of a cluster got no answer in time (`kubernetes.request_timeout_secs`, retried within `timeout_secs`); the other types are kept and only this one is marked, or filled from the previous snapshot and marked stale."),
    ("cluster/list-unavailable", "One object type of a cluster was answered 429 or 5xx, or the connection failed, on every attempt; the other types are kept and only this one is marked, or filled from the previous snapshot and marked stale."),
    ("cluster/partly-stale", "Some object types of a cluster could not be read, so the pages show them from the previous snapshot, each marked with its age; the rest of the cluster is current."),
    ("cluster/unauthorized", "A cluster refused the token (401): the token in the `token_env` variable is wrong or expired."),
    ("cluster/forbidden", "Listing one object type was forbidden (403); only that type is missing. Apply `examples/kubernetes/rbac.yaml` or grant `list` on the named resource."),
    ("cluster/list-failed", "One object type could not be listed (not installed, or the list kept expiring); only that type is missing."),
    ("cluster/insecure-tls", "A cluster has `skip_tls_verify = true`: its certificate is not checked, so the token can be stolen. Give it `ca_file` or `ca_data_env`."),
    ("cluster/stale", "A cluster could not be read, so the pages show its data from the previous snapshot, marked with its age."),
    ("cluster/invalid-selector", "A `backstage.io/kubernetes-label-selector` annotation is not a valid (or is an empty) label selector; the entity gets no cluster data."),
    ("cluster/snapshot-unreadable", "The snapshot file given with `--snapshot` or `kubernetes.snapshot` cannot be read or is not a Playbill snapshot; pages show no cluster data."),
    ("changes/previous-state-unreadable", "The previous build's state (`--previous-state`, `[changes] previous_state` or `<[publish] to>/changes/state.json`) cannot be read or is not a Playbill state; the build reports no changes, sends no webhooks and writes a fresh state."),
    ("changes/webhook-failed", "The onboarding webhook for a new component was not delivered (an HTTP status after retries for 429 and 5xx, a connection error or timeout, an unset `auth_env` variable, or a body template that does not render); the build goes on."),
    ("site/template", "A template failed to render; the page is replaced by a minimal error page. Check a site's template overrides."),
    ("site/page-budget", "Pages are heavier than the 100 KB page budget (docs print views aside); the message names the heaviest. The built-in theme bounds its lists, so this comes from a site template that shows more, or from a list the theme does not bound yet."),
    ("api/invalid-definition", "An API's definition (type openapi, asyncapi or graphql) does not parse, or is not the kind of document its type says; its reference page shows the highlighted source. Fix the definition at the named line, or spec.type."),
    ("api/unresolved-ref", "A `$ref` in an API definition names nothing in the same document (other files and URLs are not followed); it is shown as unresolved on the reference page."),
    ("api/too-large", "An API definition is too large for a reference page, or has more operations, channels, types or schema nodes than one page shows; the page says what was left out."),
    ("publish/target-invalid", "No publish target, or one Playbill cannot use: give `--to` or `[publish] to` as s3://bucket/prefix, gs://bucket/prefix, az://container/prefix or file:///dir, without credentials in it."),
    ("publish/not-built", "The output directory holds no built portal (no `.playbill-files`), or a file the build listed is missing; run `playbill build` first."),
    ("publish/secret-in-output", "An output file contains the value of a secret environment variable (a `*_env` setting or a standard cloud or CI credential); nothing is published. The message names the file and the variable, never the value."),
    ("publish/too-many-deletes", "The publish would delete more than `[publish] max_delete_percent` (default 50) of the target's objects, so nothing was changed. Usually a build that lost a source; pass --allow-mass-delete when the portal really shrank."),
    ("publish/failed", "The bucket could not be listed or an object could not be written or deleted (after retries); the message names the object and the cause. Re-running converges: the bucket's manifest only records what is known uploaded."),
];

pub fn describe(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

/// The text a panic carries (`panic!("...")` gives a `&str` or a `String`).
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rendering_names_place_code_and_entity() {
        let d = Diagnostic::error("catalog/invalid-field", "bad name")
            .repo("ledger")
            .file("catalog-info.yaml")
            .line(Some(4))
            .column(Some(9))
            .entity("component:default/x");
        assert_eq!(
            d.to_text(),
            "ledger/catalog-info.yaml:4:9: error[catalog/invalid-field]: bad name (component:default/x)"
        );
    }

    #[test]
    fn sort_orders_by_place_and_removes_repeats() {
        let a = Diagnostic::warning("catalog/unresolved-ref", "x").repo("b");
        let b = Diagnostic::error("catalog/yaml-syntax", "y").repo("a");
        let mut list: Diagnostics = vec![a.clone(), b.clone(), a.clone()].into_iter().collect();
        list.sort();
        assert_eq!(list.into_vec(), vec![b, a]);
    }

    #[test]
    fn counts_by_severity() {
        let list: Diagnostics = vec![
            Diagnostic::error("a", "1"),
            Diagnostic::warning("b", "2"),
            Diagnostic::warning("c", "3"),
        ]
        .into_iter()
        .collect();
        let c = list.counts();
        assert_eq!((c.errors, c.warnings, c.infos), (1, 2, 0));
        assert!(list.has_errors());
    }
}
