//! Devices (`--device {cpu,cuda,tensorrt,auto}`) and how each becomes ONNX Runtime execution providers.
//!
//! An explicit `cuda` / `tensorrt` registers its provider with `.error_on_failure()`, so a provider that
//! cannot be used is an error, never a silent CPU fallback. `auto` tries TensorRT, then CUDA, then CPU
//! (only those compiled in, see the cargo features `cuda` and `tensorrt`) and logs what it picked.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use ort::ep::ExecutionProviderDispatch;

use crate::error::{Result, RuntimeError};

/// Where the model runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    /// ONNX Runtime's CPU provider.
    #[default]
    Cpu,
    /// The CUDA provider (cargo feature `cuda`, `onnxruntime-gpu`).
    Cuda,
    /// TensorRT, with CUDA for nodes TensorRT does not take (cargo feature `tensorrt`, `onnxruntime-gpu`).
    TensorRt,
    /// TensorRT, else CUDA, else CPU.
    Auto,
}

impl Device {
    /// The devices to try, in order: one for an explicit device, the fallback chain for `auto`.
    pub fn candidates(self) -> Vec<Device> {
        match self {
            Device::Auto => {
                let mut list = Vec::new();
                if cfg!(feature = "tensorrt") {
                    list.push(Device::TensorRt);
                }
                if cfg!(feature = "cuda") {
                    list.push(Device::Cuda);
                }
                list.push(Device::Cpu);
                list
            }
            other => vec![other],
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
            Device::TensorRt => "tensorrt",
            Device::Auto => "auto",
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Device {
    type Err = RuntimeError;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" => Ok(Device::Cpu),
            "cuda" | "gpu" => Ok(Device::Cuda),
            "tensorrt" | "trt" => Ok(Device::TensorRt),
            "auto" => Ok(Device::Auto),
            _ => Err(RuntimeError::UnknownDevice(s.to_string())),
        }
    }
}

/// Batch sizes of the TensorRT optimization profile (the input's other dimensions are fixed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BatchProfile {
    pub min: usize,
    pub opt: usize,
    pub max: usize,
}

impl FromStr for BatchProfile {
    type Err = RuntimeError;

    /// Parses `MIN,OPT,MAX`, e.g. `1,8,32`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            RuntimeError::InvalidArgument(format!(
                "TensorRT profile `{s}`: expected MIN,OPT,MAX with 1 <= MIN <= OPT <= MAX"
            ))
        };
        let values: Vec<usize> = s
            .split(',')
            .map(|v| v.trim().parse::<usize>().map_err(|_| bad()))
            .collect::<Result<_>>()?;
        match values.as_slice() {
            &[min, opt, max] if 1 <= min && min <= opt && opt <= max => Ok(Self { min, opt, max }),
            _ => Err(bad()),
        }
    }
}

/// TensorRT settings; ignored on other devices.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct TensorRtOptions {
    /// Build fp16 engines.
    pub fp16: bool,
    /// Directory where built engines are cached (engine building takes long; reuse across runs).
    pub engine_cache_dir: Option<PathBuf>,
    /// Directory of the TensorRT timing cache.
    pub timing_cache_dir: Option<PathBuf>,
    /// Min/opt/max batch of the optimization profile; `None` lets TensorRT build per shape it sees.
    pub batch_profile: Option<BatchProfile>,
}

/// What the providers need to know about the model's input.
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "tensorrt"), allow(dead_code))]
pub(crate) struct InputGeometry {
    pub name: String,
    pub height: usize,
    pub width: usize,
}

const GPU_INSTALL_HINT: &str =
    "install the GPU library with `IJEPA_ORT_GPU=1 scripts/install-onnxruntime.sh`";

/// The execution providers for one concrete (non-`auto`) device.
///
/// CPU is registered explicitly (with its memory arena, ONNX Runtime's default), as Python's
/// `providers=["CPUExecutionProvider"]` does: with no provider registered, ONNX Runtime would run its
/// automatic device selection instead.
pub(crate) fn execution_providers(
    device: Device,
    tensorrt: &TensorRtOptions,
    input: Option<&InputGeometry>,
) -> Result<Vec<ExecutionProviderDispatch>> {
    match device {
        Device::Cpu => Ok(vec![
            ort::ep::CPU::default()
                .with_arena_allocator(true)
                .build()
                .error_on_failure(),
        ]),
        Device::Cuda => cuda_providers(),
        Device::TensorRt => tensorrt_providers(tensorrt, input),
        Device::Auto => Err(RuntimeError::InvalidArgument(
            "`auto` must be resolved with Device::candidates before building providers".into(),
        )),
    }
}

#[cfg(feature = "cuda")]
fn cuda_providers() -> Result<Vec<ExecutionProviderDispatch>> {
    use ort::ep::ExecutionProvider;
    require_available(Device::Cuda, ort::ep::CUDA::is_available())?;
    Ok(vec![ort::ep::CUDA::default().build().error_on_failure()])
}

#[cfg(not(feature = "cuda"))]
fn cuda_providers() -> Result<Vec<ExecutionProviderDispatch>> {
    Err(not_compiled(Device::Cuda, "cuda"))
}

#[cfg(feature = "tensorrt")]
fn tensorrt_providers(
    options: &TensorRtOptions,
    input: Option<&InputGeometry>,
) -> Result<Vec<ExecutionProviderDispatch>> {
    use ort::ep::ExecutionProvider;
    require_available(Device::TensorRt, ort::ep::TensorRT::is_available())?;
    let mut trt = ort::ep::TensorRT::default().with_fp16(options.fp16);
    if let Some(dir) = &options.engine_cache_dir {
        trt = trt
            .with_engine_cache(true)
            .with_engine_cache_path(dir.display());
    }
    if let Some(dir) = &options.timing_cache_dir {
        trt = trt
            .with_timing_cache(true)
            .with_timing_cache_path(dir.display());
    }
    if let (Some(profile), Some(input)) = (options.batch_profile, input) {
        let shape =
            |batch: usize| format!("{}:{batch}x3x{}x{}", input.name, input.height, input.width);
        trt = trt
            .with_profile_min_shapes(shape(profile.min))
            .with_profile_opt_shapes(shape(profile.opt))
            .with_profile_max_shapes(shape(profile.max));
    }
    let mut providers = vec![trt.build().error_on_failure()];
    // Nodes TensorRT does not take run on CUDA rather than on the CPU.
    providers.extend(cuda_providers()?);
    Ok(providers)
}

#[cfg(not(feature = "tensorrt"))]
fn tensorrt_providers(
    _options: &TensorRtOptions,
    _input: Option<&InputGeometry>,
) -> Result<Vec<ExecutionProviderDispatch>> {
    Err(not_compiled(Device::TensorRt, "tensorrt"))
}

#[cfg(any(feature = "cuda", feature = "tensorrt"))]
fn require_available(device: Device, available: ort::Result<bool>) -> Result<()> {
    match available {
        Ok(true) => Ok(()),
        Ok(false) => Err(RuntimeError::DeviceUnavailable {
            device: device.to_string(),
            reason: format!(
                "the loaded ONNX Runtime library has no {device} execution provider (a CPU-only build); {GPU_INSTALL_HINT}"
            ),
        }),
        Err(e) => Err(RuntimeError::DeviceUnavailable {
            device: device.to_string(),
            reason: e.to_string(),
        }),
    }
}

#[cfg(not(all(feature = "cuda", feature = "tensorrt")))]
fn not_compiled(device: Device, feature: &str) -> RuntimeError {
    RuntimeError::DeviceUnavailable {
        device: device.to_string(),
        reason: format!(
            "this binary was built without the `{feature}` cargo feature; rebuild with \
             `cargo build --release --features {feature}` and {GPU_INSTALL_HINT}"
        ),
    }
}

/// The hint shown when a GPU provider registered but the session could not be created on it.
pub(crate) fn gpu_failure_hint(device: Device) -> String {
    format!(
        "check that an NVIDIA GPU, its driver and the CUDA/cuDNN libraries are present, or {GPU_INSTALL_HINT}; use `--device cpu` to run on the CPU ({device} was asked for explicitly, so there is no fallback)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_devices() -> Result<()> {
        for device in [Device::Cpu, Device::Cuda, Device::TensorRt, Device::Auto] {
            assert_eq!(device.name().parse::<Device>()?, device);
        }
        assert_eq!("TRT".parse::<Device>()?, Device::TensorRt);
        assert!(matches!(
            "tpu".parse::<Device>(),
            Err(RuntimeError::UnknownDevice(_))
        ));
        Ok(())
    }

    #[test]
    fn parses_batch_profiles() -> Result<()> {
        assert_eq!(
            "1,8,32".parse::<BatchProfile>()?,
            BatchProfile {
                min: 1,
                opt: 8,
                max: 32
            }
        );
        for bad in ["8,1,32", "0,1,2", "1,2", "a,b,c"] {
            assert!(bad.parse::<BatchProfile>().is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn auto_ends_with_cpu_and_explicit_devices_have_no_fallback() {
        assert_eq!(Device::Auto.candidates().last(), Some(&Device::Cpu));
        assert_eq!(Device::Cuda.candidates(), vec![Device::Cuda]);
        assert_eq!(Device::TensorRt.candidates(), vec![Device::TensorRt]);
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_without_the_feature_is_an_error_naming_the_feature() {
        let err = execution_providers(Device::Cuda, &TensorRtOptions::default(), None).err();
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("--features cuda"), "{message}");
    }
}
