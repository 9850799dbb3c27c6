//! The document store: the bytes of every file attached to a dossier, content-addressed by
//! their SHA-256 (key `sha256/ab/cdef…`), through the `object_store` crate — a directory of
//! the data directory by default (`<data_dir>/documents`), an S3-compatible bucket
//! (AWS S3, MinIO, Ceph, …) when configured, or memory (tests).
//!
//! Content addressing makes a write idempotent: the same bytes always land under the same key,
//! so two uploads of one file store it once. Which dossier holds which file is in the database
//! (`dossier_documents`); the rules that keep the two in step (write before the transaction,
//! remove only what a failed request wrote, re-check before and after removing) are in
//! [`crate::documents`].
//!
//! Conditional writes (`If-None-Match`) are not used: not every S3-compatible store has them,
//! and the service's rules do not need them.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

/// Where the files are kept.
#[derive(Clone, Default)]
pub enum BlobConfig {
    /// In memory, lost at exit: tests and embedding only (the binary always configures one of
    /// the others).
    #[default]
    Memory,
    /// A directory on the local disk (created if missing).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3(S3Config),
}

/// An S3-compatible bucket. Unset keys come from the usual `AWS_*` environment variables (or
/// the instance's role).
#[derive(Clone, Default)]
pub struct S3Config {
    /// `https://s3.example.vn` for a store other than AWS (path-style requests); unset: AWS.
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    /// Allow `http://` endpoints (a store on a trusted network).
    pub allow_http: bool,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

impl fmt::Debug for BlobConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobConfig::Memory => f.write_str("Memory"),
            BlobConfig::Local(dir) => f.debug_tuple("Local").field(dir).finish(),
            BlobConfig::S3(s3) => f.debug_tuple("S3").field(s3).finish(),
        }
    }
}

/// The document store could not do what was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BlobError {
    /// Unreachable, refused, or misconfigured.
    #[error("document store: {0}")]
    Failed(String),
    /// The disk of a local store is full (`ENOSPC`).
    #[error("document store full: {0}")]
    Full(String),
}

impl From<object_store::Error> for BlobError {
    fn from(e: object_store::Error) -> Self {
        // A full disk is told by the I/O error somewhere in the chain of causes.
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
            {
                return BlobError::Full(e.to_string());
            }
            cause = c.source();
        }
        BlobError::Failed(e.to_string())
    }
}

impl From<BlobError> for crate::error::AppError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::Failed(m) => crate::error::AppError::DocumentsUnavailable(m),
            BlobError::Full(m) => crate::error::AppError::StorageFull(m),
        }
    }
}

/// The hex SHA-256 of some bytes: the key a file is stored under.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
    pub last_modified: DateTime<Utc>,
}

/// The document store.
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    /// The directory of a local store: its files are made readable by the owner only.
    local: Option<std::path::PathBuf>,
}

impl fmt::Debug for Blobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blobs({})", self.inner)
    }
}

const PREFIX: &str = "sha256";

impl Blobs {
    /// Opens the configured store: creates the local directory, or checks the S3 settings
    /// (no request is made before the first file).
    pub fn open(config: &BlobConfig) -> Result<Blobs, BlobError> {
        let inner: Arc<dyn ObjectStore> = match config {
            BlobConfig::Memory => Arc::new(object_store::memory::InMemory::new()),
            BlobConfig::Local(dir) => {
                // Personal papers: the owner's only (0700; files 0600, see `put`).
                motcua_store::create_private_dir(dir).map_err(|e| {
                    BlobError::Failed(format!("cannot create {}: {e}", dir.display()))
                })?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir)?)
            }
            BlobConfig::S3(s3) => {
                if s3.bucket.trim().is_empty() {
                    return Err(BlobError::Failed("the S3 bucket is not set".into()));
                }
                let mut b = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(s3.bucket.trim());
                if let Some(endpoint) = &s3.endpoint {
                    b = b
                        .with_endpoint(endpoint.trim())
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(region) = &s3.region {
                    b = b.with_region(region.trim());
                }
                if let Some(key) = &s3.access_key {
                    b = b.with_access_key_id(key.trim());
                }
                if let Some(secret) = &s3.secret_key {
                    b = b.with_secret_access_key(secret.trim());
                }
                // An unreachable store answers within seconds, not after object_store's default
                // of ten retries over three minutes: the request fails with a clear 503.
                b = b
                    .with_retry(object_store::RetryConfig {
                        max_retries: 2,
                        retry_timeout: Duration::from_secs(5),
                        ..object_store::RetryConfig::default()
                    })
                    .with_client_options(
                        object_store::ClientOptions::new()
                            .with_allow_http(s3.allow_http)
                            .with_connect_timeout(Duration::from_secs(2))
                            .with_timeout(Duration::from_secs(60)),
                    );
                Arc::new(b.build()?)
            }
        };
        let local = match config {
            BlobConfig::Local(dir) => Some(dir.clone()),
            _ => None,
        };
        Ok(Blobs { inner, local })
    }

    /// A store in memory (tests).
    pub fn memory() -> Blobs {
        Blobs {
            inner: Arc::new(object_store::memory::InMemory::new()),
            local: None,
        }
    }

    /// The key of a file: `sha256/ab/cdef…` (the first two hex digits as a directory, so no
    /// directory of a local store holds more than a few thousand files per million).
    fn key(sha256: &str) -> Result<Path, BlobError> {
        if !motcua_domain::dossier::is_sha256_hex(sha256) {
            return Err(BlobError::Failed(format!("not a SHA-256: {sha256:?}")));
        }
        Ok(Path::from(format!(
            "{PREFIX}/{}/{}",
            &sha256[..2],
            &sha256[2..]
        )))
    }

    /// Whether the store answers (a look-up of a key that is never stored).
    pub async fn check(&self) -> Result<(), BlobError> {
        self.exists(&"0".repeat(64)).await.map(|_| ())
    }

    /// Whether the file is stored.
    pub async fn exists(&self, sha256: &str) -> Result<bool, BlobError> {
        match self.inner.head(&Self::key(sha256)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores the file unless it is there; `true` when this call wrote it. Two callers racing
    /// on the same new file may both get `true` (both wrote the same bytes).
    pub async fn put_if_absent(&self, sha256: &str, bytes: Bytes) -> Result<bool, BlobError> {
        if self.exists(sha256).await? {
            return Ok(false);
        }
        self.put(sha256, bytes).await?;
        Ok(true)
    }

    /// Stores the file (again): the bytes of a hash never change, so this is harmless.
    pub async fn put(&self, sha256: &str, bytes: Bytes) -> Result<(), BlobError> {
        let key = Self::key(sha256)?;
        self.inner.put(&key, PutPayload::from(bytes)).await?;
        if let Some(root) = &self.local {
            let file = root.join(key.as_ref());
            motcua_store::make_private(&file, 0o600).map_err(|e| {
                BlobError::Failed(format!("cannot protect {}: {e}", file.display()))
            })?;
            for dir in file
                .ancestors()
                .skip(1)
                .take_while(|d| *d != root.as_path())
            {
                motcua_store::make_private(dir, 0o700).map_err(|e| {
                    BlobError::Failed(format!("cannot protect {}: {e}", dir.display()))
                })?;
            }
        }
        Ok(())
    }

    /// The file's bytes; `None` if it is not stored.
    pub async fn get(&self, sha256: &str) -> Result<Option<Bytes>, BlobError> {
        match self.inner.get(&Self::key(sha256)?).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the file (nothing if it is not there).
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        match self.inner.delete(&Self::key(sha256)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every file stored (keys that are not `sha256/ab/cdef…` are left out).
    pub async fn list(&self) -> Result<Vec<StoredBlob>, BlobError> {
        let metas: Vec<object_store::ObjectMeta> = self
            .inner
            .list(Some(&Path::from(PREFIX)))
            .try_collect()
            .await?;
        Ok(metas
            .into_iter()
            .filter_map(|m| {
                let parts: Vec<_> = m.location.parts().collect();
                let [prefix, dir, rest] = parts.as_slice() else {
                    return None;
                };
                let sha256 = format!("{}{}", dir.as_ref(), rest.as_ref());
                (prefix.as_ref() == PREFIX
                    && dir.as_ref().len() == 2
                    && motcua_domain::dossier::is_sha256_hex(&sha256))
                .then_some(StoredBlob {
                    sha256,
                    size: m.size,
                    last_modified: m.last_modified,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(n: u8) -> String {
        format!("{n:02x}").repeat(32)
    }

    #[tokio::test]
    async fn a_local_store_keeps_files_by_hash() {
        let dir = std::env::temp_dir().join(format!("motcua-blobs-{}", uuid::Uuid::new_v4()));
        let blobs = Blobs::open(&BlobConfig::Local(dir.clone())).unwrap();
        assert!(!blobs.exists(&sha(1)).await.unwrap());
        assert!(
            blobs
                .put_if_absent(&sha(1), Bytes::from_static(b"%PDF-1"))
                .await
                .unwrap()
        );
        assert!(
            !blobs
                .put_if_absent(&sha(1), Bytes::from_static(b"%PDF-1"))
                .await
                .unwrap()
        );
        assert!(dir.join("sha256").join("01").join(&sha(1)[2..]).is_file());
        assert_eq!(
            blobs.get(&sha(1)).await.unwrap().as_deref(),
            Some(&b"%PDF-1"[..])
        );
        let listed = blobs.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].sha256.as_str(), listed[0].size),
            (sha(1).as_str(), 6)
        );
        blobs.delete(&sha(1)).await.unwrap();
        blobs.delete(&sha(1)).await.unwrap();
        assert_eq!(blobs.get(&sha(1)).await.unwrap(), None);
        assert!(blobs.exists("../etc/passwd").await.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn s3_settings_are_checked_and_the_secret_never_printed() {
        let s3 = S3Config {
            endpoint: Some("http://127.0.0.1:9000".into()),
            bucket: "motcua".into(),
            region: Some("us-east-1".into()),
            access_key: Some("minio".into()),
            secret_key: Some("very-secret".into()),
            allow_http: true,
        };
        let printed = format!("{:?}", BlobConfig::S3(s3.clone()));
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(Blobs::open(&BlobConfig::S3(s3.clone())).is_ok());
        let no_bucket = S3Config {
            bucket: " ".into(),
            ..s3
        };
        assert!(Blobs::open(&BlobConfig::S3(no_bucket)).is_err());
    }
}
