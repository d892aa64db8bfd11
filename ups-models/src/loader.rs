//! Loading models and blocks by bundled name or path, parsed and validated, with every error
//! as one `file:line:col: field: what was expected` line.

use crate::battery::BlockParams;
use crate::error::LoadError;
use crate::flags::FlagTables;
use crate::model::UpsModel;
use crate::{bundled, ron_text, validate};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A model with its battery block and its map's status and alarm bits resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedModel {
    /// Bundled name or the path it was loaded from.
    pub name: String,
    pub model: UpsModel,
    pub block: BlockParams,
    pub flags: FlagTables,
}

/// Where a file's text came from: a bundled name or a path on disk.
struct Source {
    /// Shown in errors: `ups-models/models/NAME.ron` for bundled files.
    shown_path: PathBuf,
    text: String,
    /// Directory relative references are resolved against (`None` for bundled files).
    dir: Option<PathBuf>,
}

/// Whether a `--model`/`--block` argument names a file rather than a bundled entry.
fn is_path(name_or_path: &str) -> bool {
    name_or_path.ends_with(".ron") || name_or_path.contains('/') || name_or_path.contains('\\')
}

fn resolve(
    name_or_path: &str,
    kind: &'static str,
    bundled_dir: &str,
    relative_to: Option<&Path>,
    lookup: fn(&str) -> Option<&'static str>,
    known: &[(&str, &str)],
) -> Result<Source, LoadError> {
    if !is_path(name_or_path) {
        if let Some(text) = lookup(name_or_path) {
            return Ok(Source {
                shown_path: PathBuf::from(format!("ups-models/{bundled_dir}/{name_or_path}.ron")),
                text: text.to_string(),
                dir: None,
            });
        }
        return Err(LoadError::NotFound {
            kind,
            name: name_or_path.to_string(),
            known: known.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
        });
    }
    let path = match relative_to {
        Some(dir) if Path::new(name_or_path).is_relative() => dir.join(name_or_path),
        _ => PathBuf::from(name_or_path),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| LoadError::io(&path, &e))?;
    let dir = path.parent().map(Path::to_path_buf);
    Ok(Source { shown_path: path, text, dir })
}

fn parse<T: DeserializeOwned>(source: &Source) -> Result<T, LoadError> {
    ron_text::parse(&source.text).map_err(|e| e.in_file(&source.shown_path))
}

fn located(source: &Source, invalid: validate::Invalid) -> LoadError {
    let (line, column) = ron_text::locate(&source.text, &invalid.field);
    LoadError::Invalid {
        path: source.shown_path.clone(),
        line,
        column,
        field: invalid.field,
        message: invalid.message,
    }
}

/// Loads a model by bundled name (see [`bundled::MODELS`]) or path to a `.ron` file,
/// together with the battery block it names.
pub fn load_model(name_or_path: &str) -> Result<LoadedModel, LoadError> {
    let source = resolve(name_or_path, "model", "models", None, bundled::model, bundled::MODELS)?;
    let model: UpsModel = parse(&source)?;
    validate::model(&model).map_err(|e| located(&source, e))?;
    let block = load_block_from(&model.battery.block, source.dir.as_deref()).map_err(|e| match e {
        // A block that is not found is the model's mistake: point at its `block` key.
        LoadError::NotFound { .. } | LoadError::Io { .. } => {
            located(&source, validate::Invalid { field: "battery.block".into(), message: e.to_string() })
        }
        other => other,
    })?;
    // Validation checked that the map exists.
    let flags = crate::maps::bundled(&model.register_map).map(|map| FlagTables::of(&map)).unwrap_or_default();
    Ok(LoadedModel { name: name_or_path.to_string(), model, block, flags })
}

/// Loads a battery block by bundled name or path.
pub fn load_block(name_or_path: &str) -> Result<BlockParams, LoadError> {
    load_block_from(name_or_path, None)
}

fn load_block_from(name_or_path: &str, relative_to: Option<&Path>) -> Result<BlockParams, LoadError> {
    let source = resolve(name_or_path, "block", "blocks", relative_to, bundled::block, bundled::BLOCKS)?;
    let block: BlockParams = parse(&source)?;
    validate::block(&block).map_err(|e| located(&source, e))?;
    Ok(block)
}
