//! Building an ONNX Runtime session once, on the requested device, with the requested threads.

use std::path::{Path, PathBuf};

use ort::session::Session;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};

use crate::device::{self, Device, InputGeometry, TensorRtOptions};
use crate::error::{Result, RuntimeError};
use crate::metadata::{INPUT_PIXELS, ModelInfo};
use crate::ort_library;

/// How to open a model.
#[derive(Clone, Debug, Default)]
pub struct SessionConfig {
    pub device: Device,
    /// Intra-op threads; `None` lets ONNX Runtime choose (one per physical core).
    pub threads: Option<usize>,
    pub tensorrt: TensorRtOptions,
}

impl SessionConfig {
    /// A config for `device` with defaults otherwise.
    pub fn new(device: Device) -> Self {
        Self {
            device,
            ..Self::default()
        }
    }
}

/// An opened session with what it was opened on.
pub struct OpenedSession {
    pub session: Session,
    /// The device that was used (never `Auto`).
    pub device: Device,
    pub info: ModelInfo,
    /// The ONNX Runtime library file in use.
    pub library: PathBuf,
}

/// Opens `path` on the first device of `config.device.candidates()` that works.
///
/// An explicit device that fails is an error; `auto` logs each failure and moves on to the next.
pub fn open_session(path: &Path, config: &SessionConfig) -> Result<OpenedSession> {
    if !path.is_file() {
        return Err(RuntimeError::ModelOpen {
            path: path.to_path_buf(),
            reason: "no such file".into(),
        });
    }
    if config.threads == Some(0) {
        return Err(RuntimeError::InvalidArgument(
            "--threads must be at least 1".into(),
        ));
    }
    let (env, library) = ort_library::init()?;
    let candidates = config.device.candidates();
    let geometry =
        if candidates.contains(&Device::TensorRt) && config.tensorrt.batch_profile.is_some() {
            // The profile names the input's shape, which only the model knows: read it on the CPU first.
            let probe = build(&env, path, Device::Cpu, config, None)?;
            let info = ModelInfo::read(&probe, path)?;
            Some(InputGeometry {
                name: INPUT_PIXELS.into(),
                height: info.crop_size,
                width: info.crop_size,
            })
        } else {
            None
        };
    let mut failures = Vec::new();
    for device in candidates {
        match build(&env, path, device, config, geometry.as_ref()) {
            Ok(session) => {
                let info = ModelInfo::read(&session, path)?;
                if config.device == Device::Auto {
                    tracing::info!(%device, model = %path.display(), "device auto picked {device}");
                }
                return Ok(OpenedSession {
                    session,
                    device,
                    info,
                    library,
                });
            }
            Err(err) if config.device == Device::Auto && device != Device::Cpu => {
                tracing::warn!(%device, "device auto: {device} is not usable: {err}");
                failures.push(err);
            }
            Err(err) => return Err(err),
        }
    }
    Err(failures
        .pop()
        .unwrap_or_else(|| RuntimeError::InvalidArgument("no device to try".into())))
}

fn build(
    env: &ort::environment::Environment,
    path: &Path,
    device: Device,
    config: &SessionConfig,
    geometry: Option<&InputGeometry>,
) -> Result<Session> {
    let open_error = |reason: String| RuntimeError::ModelOpen {
        path: path.to_path_buf(),
        reason,
    };
    let device_error = |reason: String| RuntimeError::DeviceUnavailable {
        device: device.to_string(),
        reason,
    };
    let providers = device::execution_providers(device, &config.tensorrt, geometry)?;
    let mut builder: SessionBuilder = Session::builder(env)
        .and_then(|b| {
            b.with_optimization_level(GraphOptimizationLevel::All)
                .map_err(Into::into)
        })
        .map_err(|e| open_error(e.to_string()))?;
    if let Some(threads) = config.threads {
        builder = builder
            .with_intra_threads(threads)
            .map_err(|e| open_error(e.to_string()))?;
    }
    builder = builder
        .with_execution_providers(providers)
        .map_err(|e| device_error(format!("registering the provider failed: {e}")))?;
    builder.commit_from_file(path).map_err(|e| {
        if device == Device::Cpu {
            open_error(e.to_string())
        } else {
            device_error(format!("{e}; {}", device::gpu_failure_hint(device)))
        }
    })
}
