//! Errors from loading user files: always `file:line:col: what was expected`, one line.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error at a place in a text, before the file name is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Located {
    pub fn at(line: usize, column: usize, message: String) -> Self {
        Self { line, column, message }
    }

    pub fn in_file(self, path: &Path) -> LoadError {
        LoadError::Parse { path: path.to_path_buf(), located: self }
    }
}

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}:{}:{}: {}", path.display(), located.line, located.column, located.message)]
    Parse { path: PathBuf, located: Located },
    #[error("unknown {kind} `{name}`; bundled: {known} (or give a path to a .ron file)")]
    NotFound { kind: &'static str, name: String, known: String },
    /// A value that parses but makes no sense: names the field and the allowed range.
    #[error("{}:{}:{}: {field}: {message}", path.display(), line, column)]
    Invalid { path: PathBuf, line: usize, column: usize, field: String, message: String },
}

impl LoadError {
    pub fn io(path: &Path, error: &std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), message: error.to_string() }
    }
}

/// Reads a text file and parses it, putting the path in front of any error.
pub fn load_text<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T, Located>) -> Result<T, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, &e))?;
    parse(&text).map_err(|e| e.in_file(path))
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}
