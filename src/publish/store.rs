//! Publish targets: a URL from site.toml or `--to` becomes an `object_store` client for the
//! bucket plus the prefix under it. Credentials and endpoints come only from each cloud's
//! standard environment variables (and workload identity), never from site.toml.

use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ObjectStore, ObjectStoreExt, RetryConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Where a portal is published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    S3 { bucket: String, prefix: String },
    Gcs { bucket: String, prefix: String },
    Azure { container: String, prefix: String },
    File { dir: PathBuf },
}

impl Target {
    /// `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix`, `file:///dir`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "`{text}`: a publish target takes no query or fragment; endpoints and credentials come from the environment"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "`{text}`: credentials do not belong in the target URL; use the cloud's environment variables"
            ));
        }
        let bucket = || match url.host_str() {
            Some(b) if !b.is_empty() => Ok(b.to_string()),
            _ => Err(format!("`{text}` names no bucket")),
        };
        let prefix = url.path().trim_matches('/').to_string();
        if !prefix.is_empty() && !crate::output::is_plain_relative(&prefix) {
            return Err(format!("`{text}`: the prefix must be a plain path"));
        }
        match url.scheme() {
            "s3" | "s3a" => Ok(Target::S3 {
                bucket: bucket()?,
                prefix,
            }),
            "gs" => Ok(Target::Gcs {
                bucket: bucket()?,
                prefix,
            }),
            "az" | "azure" => Ok(Target::Azure {
                container: bucket()?,
                prefix,
            }),
            "file" => {
                let dir = url
                    .to_file_path()
                    .map_err(|_| format!("`{text}` is not an absolute file:// path"))?;
                Ok(Target::File { dir })
            }
            other => Err(format!(
                "`{text}`: unsupported scheme `{other}`; use s3://, gs://, az:// or file://"
            )),
        }
    }

    /// Builds the client. Nothing is contacted yet.
    pub fn open(&self, url: &str) -> Result<Store, String> {
        self.open_with_retry(url, retry_config())
    }

    /// Builds the client with its own retry policy (a single small read needs less patience).
    pub fn open_with_retry(&self, url: &str, retry: RetryConfig) -> Result<Store, String> {
        crate::install_tls_provider();
        let fail = |e: object_store::Error| format!("cannot set up {url}: {e}");
        let (inner, prefix): (Arc<dyn ObjectStore>, &str) = match self {
            Target::S3 { bucket, prefix } => {
                let s3 = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry)
                    .build()
                    .map_err(fail)?;
                (Arc::new(s3), prefix)
            }
            Target::Gcs { bucket, prefix } => {
                let gcs = GoogleCloudStorageBuilder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry)
                    .build()
                    .map_err(fail)?;
                (Arc::new(gcs), prefix)
            }
            Target::Azure { container, prefix } => {
                let azure = MicrosoftAzureBuilder::from_env()
                    .with_container_name(container)
                    .with_retry(retry)
                    .build()
                    .map_err(fail)?;
                (Arc::new(azure), prefix)
            }
            Target::File { dir } => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .map_err(fail)?
                    .with_automatic_cleanup(true);
                // A directory has no headers to carry Content-Type or Cache-Control.
                return Store::new(Arc::new(fs), "", false, url);
            }
        };
        Store::new(inner, prefix, true, url)
    }
}

/// Throttling (429, 503 SlowDown) and 5xx answers are retried with exponential backoff; a
/// request still failing after two minutes is reported, naming the object.
pub fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            base: 2.0,
        },
        max_retries: 8,
        retry_timeout: Duration::from_secs(120),
    }
}

/// Reading a few small objects should not hold a build up for the minutes an upload may retry.
pub fn quick_retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: Duration::from_secs(15),
    }
}

/// What [`Store::fetch_into`] found.
#[derive(Debug, Default)]
pub struct Found {
    /// Objects written into the directory.
    pub fetched: usize,
    /// Objects the bucket does not hold.
    pub missing: usize,
    /// Objects that could not be read or written: the file, and why.
    pub failed: Vec<(String, String)>,
}

/// A bucket (or directory) and the prefix the portal lives under.
#[derive(Clone, Debug)]
pub struct Store {
    pub inner: Arc<dyn ObjectStore>,
    /// Empty for the bucket's root.
    pub prefix: String,
    /// Whether objects carry Content-Type and Cache-Control (not on a local directory).
    pub attributes: bool,
    /// The target as the user wrote it, for messages.
    pub url: String,
}

impl Store {
    pub fn new(
        inner: Arc<dyn ObjectStore>,
        prefix: &str,
        attributes: bool,
        url: &str,
    ) -> Result<Store, String> {
        let prefix = prefix.trim_matches('/').to_string();
        if !prefix.is_empty() {
            ObjectPath::parse(&prefix).map_err(|e| format!("{url}: bad prefix: {e}"))?;
        }
        Ok(Store {
            inner,
            prefix,
            attributes,
            url: url.to_string(),
        })
    }

    /// The object name of a portal file.
    pub fn key(&self, rel: &str) -> Result<ObjectPath, String> {
        let full = if self.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        };
        ObjectPath::parse(&full).map_err(|e| format!("`{rel}` cannot be an object name: {e}"))
    }

    /// Deletes the objects of these portal files, in batches where the store offers them; an
    /// object that is already gone counts as deleted. Returns how many were deleted and the
    /// errors of the others.
    pub async fn delete_all(&self, rels: &[String]) -> (usize, Vec<object_store::Error>) {
        use futures::stream::{self, StreamExt};
        let keys: Vec<ObjectPath> = rels.iter().filter_map(|rel| self.key(rel).ok()).collect();
        let results: Vec<_> = self
            .inner
            .delete_stream(stream::iter(keys.into_iter().map(Ok)).boxed())
            .collect()
            .await;
        let mut deleted = 0;
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => deleted += 1,
                Err(e) => errors.push(e),
            }
        }
        (deleted, errors)
    }

    /// Copies the objects of the portal files `rels` into `dir`, each at its own path, `at_once`
    /// at a time. An object the bucket does not hold is counted, not a failure.
    pub async fn fetch_into(&self, rels: &[String], dir: &Path, at_once: usize) -> Found {
        use futures::stream::{self, StreamExt};
        let results: Vec<(&String, Result<bool, String>)> = stream::iter(rels)
            .map(|rel| async move { (rel, self.fetch_one(rel, dir).await) })
            .buffer_unordered(at_once.max(1))
            .collect()
            .await;
        let mut found = Found::default();
        for (rel, result) in results {
            match result {
                Ok(true) => found.fetched += 1,
                Ok(false) => found.missing += 1,
                Err(why) => found.failed.push((rel.clone(), why)),
            }
        }
        found.failed.sort();
        found
    }

    /// One object into `dir`; false when the bucket does not hold it.
    async fn fetch_one(&self, rel: &str, dir: &Path) -> Result<bool, String> {
        if !crate::output::is_plain_relative(rel) {
            return Err("not a plain relative path".to_string());
        }
        let bytes = match self.inner.get(&self.key(rel)?).await {
            Ok(object) => object.bytes().await.map_err(|e| e.to_string())?,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(e.to_string()),
        };
        let to = dir.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&to, &bytes).map_err(|e| e.to_string())?;
        Ok(true)
    }

    /// The prefix to list (None: the whole bucket).
    pub fn list_prefix(&self) -> Option<ObjectPath> {
        (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()))
    }

    /// A listed object's name relative to the prefix.
    pub fn relative(&self, key: &ObjectPath) -> Option<String> {
        let key = key.as_ref();
        if self.prefix.is_empty() {
            return Some(key.to_string());
        }
        key.strip_prefix(self.prefix.as_str())?
            .strip_prefix('/')
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_scheme() {
        assert_eq!(
            Target::parse("s3://site/portal/").unwrap(),
            Target::S3 {
                bucket: "site".into(),
                prefix: "portal".into()
            }
        );
        assert_eq!(
            Target::parse("gs://site").unwrap(),
            Target::Gcs {
                bucket: "site".into(),
                prefix: "".into()
            }
        );
        assert_eq!(
            Target::parse("az://web/a/b").unwrap(),
            Target::Azure {
                container: "web".into(),
                prefix: "a/b".into()
            }
        );
        assert_eq!(
            Target::parse("file:///srv/portal").unwrap(),
            Target::File {
                dir: PathBuf::from("/srv/portal")
            }
        );
    }

    #[test]
    fn rejects_what_it_cannot_publish_to() {
        for bad in [
            "ftp://x/y",
            "s3:///prefix",
            "public",
            "s3://AKIA:secret@bucket/p",
            "s3://bucket/p?endpoint=x",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_live_under_the_prefix() {
        let fs = Arc::new(object_store::memory::InMemory::new());
        let store = Store::new(fs.clone(), "portal/", true, "mem://").unwrap();
        let key = store.key("docs/a/index.html").unwrap();
        assert_eq!(key.as_ref(), "portal/docs/a/index.html");
        assert_eq!(store.relative(&key).as_deref(), Some("docs/a/index.html"));
        assert_eq!(store.relative(&ObjectPath::from("portalx/a")), None);
        for name in [
            "docs/My File (1).png",
            "docs/über.md",
            "docs/100%.txt",
            "a+b=c,d;e.js",
        ] {
            let key = store.key(name).unwrap();
            assert_eq!(store.relative(&key).as_deref(), Some(name), "{name}");
        }
        let root = Store::new(fs, "", true, "mem://").unwrap();
        assert_eq!(root.key("index.html").unwrap().as_ref(), "index.html");
        assert_eq!(root.list_prefix(), None);
    }
}
