//! Reading the previous build's state: `--previous-state`, else `[changes] previous_state`,
//! else `changes/state.json` under `[publish] to`. A path or `file://` URL is read from disk;
//! `s3://`, `gs://` and `az://` through the publish stage's object-store clients (credentials
//! from the environment, as for publishing). Missing means a first build; unreadable or corrupt
//! means a warning and a first build.

use super::{State, STATE_PATH, STATE_VERSION};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::publish::store::Target;
use object_store::ObjectStoreExt;

/// A state file larger than this is not read (the history keeps it far smaller).
const MAX_STATE_BYTES: usize = 64 * 1024 * 1024;

/// Where this build's previous state is, as the user wrote it (None: nowhere configured).
pub fn location(config: &Config) -> Option<String> {
    if let Some(l) = &config.changes.previous_state {
        return Some(l.clone());
    }
    let to = config.publish.to.as_deref()?.trim_end_matches('/');
    Some(format!("{to}/{STATE_PATH}"))
}

/// The previous state, or None on a first build (nothing there) or when it cannot be used
/// (then with a warning saying why).
pub fn load(config: &Config) -> (Option<State>, Option<Diagnostic>) {
    let Some(location) = location(config) else {
        return (None, None);
    };
    let unusable = |why: String| {
        Diagnostic::warning(
            "changes/previous-state-unreadable",
            format!("the previous state {location} {why}; this build reports no changes and sends no webhooks (the next build compares with the state it writes)"),
        )
    };
    let bytes = match read(&location) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return (None, None),
        Err(e) => return (None, Some(unusable(format!("cannot be read: {e}")))),
    };
    match parse(&bytes) {
        Ok(state) => (Some(state), None),
        Err(e) => (None, Some(unusable(e))),
    }
}

/// Parses and checks a state file.
pub fn parse(bytes: &[u8]) -> Result<State, String> {
    if bytes.len() > MAX_STATE_BYTES {
        return Err(format!("is larger than {MAX_STATE_BYTES} bytes"));
    }
    let state: State =
        serde_json::from_slice(bytes).map_err(|e| format!("is not a Playbill state: {e}"))?;
    if state.version != STATE_VERSION {
        return Err(format!(
            "is a version {} state; this Playbill reads version {STATE_VERSION}",
            state.version
        ));
    }
    Ok(state)
}

/// The bytes at `location`; None when nothing is there.
fn read(location: &str) -> Result<Option<Vec<u8>>, String> {
    let is_url = location.contains("://");
    if !is_url || location.starts_with("file://") {
        let path = if is_url {
            url::Url::parse(location)
                .ok()
                .and_then(|u| u.to_file_path().ok())
                .ok_or("is not an absolute file:// path")?
        } else {
            std::path::PathBuf::from(location)
        };
        return match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        };
    }
    // The URL names the object: its path is the prefix of a target with no files under it.
    let target = Target::parse(location)?;
    let store = target.open_with_retry(location, crate::publish::store::quick_retry_config())?;
    let key = object_store::path::Path::parse(&store.prefix).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        match store.inner.get(&key).await {
            Ok(result) => result
                .bytes()
                .await
                .map(|b| Some(b.to_vec()))
                .map_err(|e| e.to_string()),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    })
}
