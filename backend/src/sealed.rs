//! The server's own key, kept outside the database, and the sealing of
//! anonymous answers while they wait to be counted.
//!
//! A submission's anonymous answers are not counted at once: they wait in
//! `pending_ballots`, sealed with this key (XChaCha20-Poly1305, padded to
//! the size of the longest answers their form allows), until k of them are in; then all k are opened and added to
//! the counts in one statement. So someone who copies the database's files
//! at any moment (SQLite's `-wal` included) sees each submission only as a
//! sealed blob of the same size, and the counts move only k at a time.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretBox};

/// Sealed answers are padded past the longest their form allows, to a
/// multiple of this many bytes: their size says nothing about what was
/// answered, and stays small enough for the row to be stored whole (under
/// Postgres's 2 KB, where it would try to compress the row and put the
/// blob in a table of its own; in one SQLite page).
const BLOCK: usize = 256;
const NONCE: usize = 24;

/// The key that seals pending anonymous answers. Never stored in the database.
pub struct ServerKey(SecretBox<[u8; 32]>);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

/// Why sealed answers could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the server key does not open these answers (was the key file replaced?)")]
    WrongKey,
    #[error("sealed answers are damaged")]
    Damaged,
}

impl ServerKey {
    /// The key that signs this server's cookies, derived from this one
    /// (HKDF), so that a signed cookie holds as long as the key does.
    pub fn cookie_key(&self) -> axum_extra::extract::cookie::Key {
        // 32 bytes: as long as derivation needs, never shorter.
        axum_extra::extract::cookie::Key::derive_from(self.0.expose_secret())
    }

    /// A new random key.
    pub fn random() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        Self(SecretBox::new(Box::new(key.into())))
    }

    /// A key written as 64 hex digits.
    pub fn from_hex(text: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(text.trim())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("a server key is 32 bytes, written as 64 hex digits"))?;
        Ok(Self(SecretBox::new(Box::new(key))))
    }

    /// Reads the key file; `None` when there is none.
    pub fn read(path: &Path) -> anyhow::Result<Option<Self>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The key `SKIPCHECK_KEY` gives (64 hex digits), if it is set: the
    /// server then uses it, whatever key file there is.
    pub fn from_environment() -> Option<anyhow::Result<Self>> {
        std::env::var("SKIPCHECK_KEY")
            .ok()
            .filter(|hex| !hex.trim().is_empty())
            .map(|hex| Self::from_hex(&hex))
    }

    /// Reads the key file, or creates it (readable by its owner only) when
    /// it does not exist yet.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        match Self::read(path)? {
            Some(key) => Ok(key),
            None => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let key = Self::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path)?;
                writeln!(file, "{}", hex::encode(key.0.expose_secret()))?;
                file.sync_all()?;
                tracing::info!(path = %path.display(), "created the server key; back it up with the database");
                Ok(key)
            }
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.0.expose_secret()))
    }

    /// Seals `plain`, padded as if it were `longest` bytes (the most it
    /// can be), as hex text: all that is sealed with one `longest` has one
    /// size.
    pub fn seal(&self, plain: &[u8], longest: usize) -> Result<String, SealError> {
        let len = u32::try_from(plain.len()).map_err(|_| SealError::Damaged)?;
        let room = 4 + plain.len().max(longest);
        let mut padded = Vec::with_capacity(room + BLOCK);
        padded.extend_from_slice(&len.to_le_bytes());
        padded.extend_from_slice(plain);
        let size = room.div_ceil(BLOCK) * BLOCK;
        padded.resize(size, 0);
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher()
            .encrypt(&nonce, padded.as_slice())
            .map_err(|_| SealError::Damaged)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(hex::encode(out))
    }

    /// Opens what [`ServerKey::seal`] sealed.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, SealError> {
        let bytes = hex::decode(sealed).map_err(|_| SealError::Damaged)?;
        if bytes.len() < NONCE {
            return Err(SealError::Damaged);
        }
        let (nonce, body) = bytes.split_at(NONCE);
        let padded = self
            .cipher()
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| SealError::WrongKey)?;
        let len = padded
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(SealError::Damaged)?;
        padded
            .get(4..4 + len)
            .map(<[u8]>::to_vec)
            .ok_or(SealError::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_answers_open_with_their_key_only_and_all_have_one_size() {
        let key = ServerKey::random();
        let short = key.seal(br#"{"morale":{"scale":1}}"#, 600).unwrap();
        let long = [b'x'; 600];
        let long = key.seal(&long, 600).unwrap();
        assert_eq!(short.len(), long.len(), "the size says nothing");
        assert!(
            short.len() < 2 * 1024,
            "a row of short answers is stored whole"
        );
        assert!(!short.contains("scale"));
        assert_eq!(key.open(&short).unwrap(), br#"{"morale":{"scale":1}}"#);
        assert!(matches!(
            ServerKey::random().open(&short),
            Err(SealError::WrongKey)
        ));
        assert_ne!(
            key.seal(b"same", 4).unwrap(),
            key.seal(b"same", 4).unwrap(),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn a_key_file_is_created_once_then_read_back() {
        let dir = std::env::temp_dir().join(format!(
            "skipcheck-key-{}",
            crate::auth::token::random_hex(6)
        ));
        let path = dir.join("skipcheck.key");
        let first = ServerKey::load_or_create(&path).unwrap();
        let sealed = first.seal(b"kept", 4).unwrap();
        let again = ServerKey::load_or_create(&path).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), b"kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
