//! Replacing a file so that a crash leaves the old content or the new, never a mix: write a
//! temporary file beside it, fsync, rename over it, fsync the directory.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

pub fn replace_file(path: &Path, content: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    {
        let mut file = File::create(&temporary)?;
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
