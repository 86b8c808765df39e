//! Configs in the official ijepa YAML layout (`data`, `logging`, `mask`, `meta`, `optimization`).
//!
//! The four official config files parse unchanged. Extensions (documented on each field) have
//! defaults that reproduce the official behaviour. Unknown keys, wrong types and impossible values
//! are errors that name the key.

mod presets;
mod sections;
mod validate;

pub use presets::{ModelPreset, PRESET_NAMES, preset};
pub use sections::{
    DataSection, IjepaConfig, LoggingSection, LossKind, MaskMode, MaskSection, MetaSection,
    OptimizationSection,
};

use std::path::{Path, PathBuf};

/// Errors from reading or validating a config.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config key `{key}`: {message}")]
    Invalid { key: String, message: String },
}

impl IjepaConfig {
    /// Reads and validates a YAML config file.
    pub fn from_yaml_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_yaml_str(&text).map_err(|err| match err {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// Parses and validates YAML text (errors name the offending key).
    pub fn from_yaml_str(text: &str) -> Result<Self, ConfigError> {
        let config: IjepaConfig = serde_yaml::from_str(text).map_err(|err| ConfigError::Parse {
            path: PathBuf::from("<string>"),
            message: describe_yaml_error(&err),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// The config as YAML (what checkpoints of our trainer store).
    pub fn to_yaml_string(&self) -> String {
        // Serializing plain data structs to YAML cannot fail.
        serde_yaml::to_string(self).unwrap_or_default()
    }
}

/// serde_yaml reports `data.crop_szie: unknown field ...` with its location; keep both.
fn describe_yaml_error(err: &serde_yaml::Error) -> String {
    match err.location() {
        Some(loc) => format!("{err} (line {}, column {})", loc.line(), loc.column()),
        None => err.to_string(),
    }
}

#[cfg(test)]
mod tests;
