//! Replacing a file so that a crash leaves the old content or the new, never a mix: write a
//! temporary file beside it, fsync, rename over it, fsync the directory. The card's files
//! hold secrets (the settings, the accounts, the HTTPS key): they are made readable by the
//! card's user only (0600).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Read and write for the owner only.
const OWNER_ONLY: u32 = 0o600;

pub fn replace_file(path: &Path, content: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    {
        let mut file =
            OpenOptions::new().write(true).create(true).truncate(true).mode(OWNER_ONLY).open(&temporary)?;
        // A temporary file left by a crash keeps the mode it was made with: set it again.
        file.set_permissions(fs::Permissions::from_mode(OWNER_ONLY))?;
        file.write_all(content)?;
        file.sync_all()?;
    }
    fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename is durable once the directory is.
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Makes a file kept by an earlier version readable by the owner only, if it exists.
pub fn keep_private(path: &Path) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
            let owner = if meta.is_dir() { 0o700 } else { OWNER_ONLY };
            fs::set_permissions(path, fs::Permissions::from_mode(owner))
        }
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_is_the_owners_only_even_over_a_stale_temporary() {
        let dir = std::env::temp_dir().join(format!("upstwin-durable-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("accounts.ron");
        fs::write(dir.join("accounts.ron.tmp"), "stale").unwrap();
        fs::set_permissions(dir.join("accounts.ron.tmp"), fs::Permissions::from_mode(0o644)).unwrap();
        replace_file(&path, b"secret").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, OWNER_ONLY, "{mode:o}");
        assert_eq!(fs::read(&path).unwrap(), b"secret");
        fs::remove_dir_all(dir).unwrap();
    }
}
