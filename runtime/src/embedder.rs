//! [`Embedder`]: an exported I-JEPA encoder, opened once, that turns images into embeddings.
//!
//! ```no_run
//! use ijepa_runtime::{Device, Embedder};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let embedder = Embedder::open("encoder.onnx", Device::Cpu)?;
//! let images = vec![image::open("fixtures/official-tiny/image_0.png")?];
//! let pooled = embedder.embed(&images)?; // [1, dim]
//! let tokens = embedder.embed_tokens(&images)?; // [1, tokens, dim]
//! println!("{:?} {:?}", pooled.dim(), tokens.dim());
//! # Ok(())
//! # }
//! ```
//! A runnable version: `cargo run --release -p ijepa-runtime --example embed -- MODEL.onnx IMAGE...`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use image::DynamicImage;
use ndarray::{Array2, Array3, Array4, ArrayView4, ArrayViewD, Axis, Ix2, Ix3, s};
use ort::session::{HasSelectedOutputs, OutputSelector, RunOptions, Session};
use ort::value::TensorRef;

use crate::device::Device;
use crate::error::{Result, RuntimeError};
use crate::metadata::{INPUT_PIXELS, ModelInfo, OUTPUT_EMBEDDINGS, OUTPUT_POOLED};
use crate::preprocess::Preprocess;
use crate::session::{SessionConfig, open_session};

/// Images per model call when the caller does not say (and the file does not fix it).
pub const DEFAULT_BATCH: usize = 32;

/// Which output a run returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Pooled,
    Tokens,
}

/// The session and per-output run options (ONNX Runtime then computes and copies only that output).
struct Runner {
    session: Session,
    pooled: RunOptions<HasSelectedOutputs>,
    tokens: RunOptions<HasSelectedOutputs>,
}

/// An encoder session plus the preprocessing its metadata asks for.
pub struct Embedder {
    /// `Session::run` needs `&mut`; the mutex lets `embed` take `&self`.
    runner: Mutex<Runner>,
    info: ModelInfo,
    device: Device,
    library: PathBuf,
    batch_size: usize,
}

impl Embedder {
    /// Opens an encoder on `device` with default threads.
    pub fn open(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        Self::open_with(path, &SessionConfig::new(device))
    }

    /// Opens an encoder with full control over device, threads and TensorRT options.
    pub fn open_with(path: impl AsRef<Path>, config: &SessionConfig) -> Result<Self> {
        let opened = open_session(path.as_ref(), config)?;
        let batch_size = opened.info.fixed_batch.unwrap_or(DEFAULT_BATCH);
        let select = |name: &str| {
            RunOptions::new()
                .map(|options| options.with_outputs(OutputSelector::no_default().with(name)))
                .map_err(|e| RuntimeError::ModelOpen {
                    path: opened.info.path.clone(),
                    reason: e.to_string(),
                })
        };
        let pooled_name = if opened.info.has_pooled {
            OUTPUT_POOLED
        } else {
            OUTPUT_EMBEDDINGS
        };
        let runner = Runner {
            pooled: select(pooled_name)?,
            tokens: select(OUTPUT_EMBEDDINGS)?,
            session: opened.session,
        };
        Ok(Self {
            runner: Mutex::new(runner),
            info: opened.info,
            device: opened.device,
            library: opened.library,
            batch_size,
        })
    }

    /// Sets how many images go through the model per call (ignored when the file fixes the batch).
    pub fn with_batch_size(mut self, batch_size: usize) -> Result<Self> {
        if batch_size == 0 {
            return Err(RuntimeError::InvalidArgument(
                "batch size must be at least 1".into(),
            ));
        }
        self.batch_size = self.info.fixed_batch.unwrap_or(batch_size);
        Ok(self)
    }

    /// The model's contract values (crop size, mean/std, shapes).
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The device the session runs on (what `auto` resolved to).
    pub fn device(&self) -> Device {
        self.device
    }

    /// The ONNX Runtime library in use.
    pub fn library(&self) -> &Path {
        &self.library
    }

    /// Images per model call.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The preprocessing of this model (crop size and normalization from its metadata).
    pub fn preprocess(&self) -> Preprocess {
        Preprocess {
            crop_size: self.info.crop_size as u32,
            mean: self.info.mean,
            std: self.info.std,
        }
    }

    /// Mean-pooled embeddings of `images`, in order.
    ///
    /// # Shapes
    /// returns `[images.len(), dim]`.
    pub fn embed(&self, images: &[DynamicImage]) -> Result<Array2<f32>> {
        let parts = self.chunks(images, |pixels| self.embed_pixels(pixels.view()))?;
        concat(parts, |a| a.view().into_dyn())?
            .into_dimensionality::<Ix2>()
            .map_err(|e| self.shape_error(e))
    }

    /// Token-level embeddings of `images` (after the final LayerNorm).
    ///
    /// # Shapes
    /// returns `[images.len(), tokens, dim]`.
    pub fn embed_tokens(&self, images: &[DynamicImage]) -> Result<Array3<f32>> {
        let parts = self.chunks(images, |pixels| self.embed_pixels_tokens(pixels.view()))?;
        concat(parts, |a| a.view().into_dyn())?
            .into_dimensionality::<Ix3>()
            .map_err(|e| self.shape_error(e))
    }

    /// Mean-pooled embeddings of already normalized pixels.
    ///
    /// # Shapes
    /// `pixels`: `[batch, 3, crop, crop]` → `[batch, dim]`.
    pub fn embed_pixels(&self, pixels: ArrayView4<f32>) -> Result<Array2<f32>> {
        self.run(pixels, Output::Pooled)?
            .into_dimensionality::<Ix2>()
            .map_err(|e| self.shape_error(e))
    }

    /// Token-level embeddings of already normalized pixels.
    ///
    /// # Shapes
    /// `pixels`: `[batch, 3, crop, crop]` → `[batch, tokens, dim]`.
    pub fn embed_pixels_tokens(&self, pixels: ArrayView4<f32>) -> Result<Array3<f32>> {
        self.run(pixels, Output::Tokens)?
            .into_dimensionality::<Ix3>()
            .map_err(|e| self.shape_error(e))
    }

    /// Preprocesses and runs `images` in chunks of the batch size.
    fn chunks<T>(
        &self,
        images: &[DynamicImage],
        mut run: impl FnMut(Array4<f32>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let preprocess = self.preprocess();
        images
            .chunks(self.batch_size)
            .map(|chunk| run(preprocess.batch(chunk)))
            .collect()
    }

    /// Checks the pixels, pads to a fixed batch if the file has one, runs and returns the output.
    fn run(&self, pixels: ArrayView4<f32>, output: Output) -> Result<ndarray::ArrayD<f32>> {
        let (n, c, h, w) = pixels.dim();
        if c != 3 {
            return Err(RuntimeError::Shape {
                tensor: INPUT_PIXELS.into(),
                got: pixels.shape().to_vec(),
                expected: "[batch, 3, H, W]".into(),
            });
        }
        if let Some((want_h, want_w)) = self.info.fixed_hw.filter(|&hw| hw != (h, w)) {
            return Err(RuntimeError::InputSize {
                path: self.info.path.clone(),
                want_h,
                want_w,
                got_h: h,
                got_w: w,
            });
        }
        let Some(fixed) = self.info.fixed_batch.filter(|&b| b != n) else {
            return self.run_once(pixels, output);
        };
        let mut parts = Vec::new();
        for start in (0..n).step_by(fixed) {
            let end = (start + fixed).min(n);
            let mut padded = Array4::<f32>::zeros((fixed, c, h, w));
            padded
                .slice_mut(s![..end - start, .., .., ..])
                .assign(&pixels.slice(s![start..end, .., .., ..]));
            let out = self.run_once(padded.view(), output)?;
            parts.push(out.slice_axis(Axis(0), (0..end - start).into()).to_owned());
        }
        concat(parts, |a| a.view())
    }

    fn run_once(&self, pixels: ArrayView4<f32>, output: Output) -> Result<ndarray::ArrayD<f32>> {
        let inference = |reason: String| RuntimeError::Inference {
            path: self.info.path.clone(),
            reason,
        };
        let contiguous = pixels.as_standard_layout();
        let tensor =
            TensorRef::from_array_view(contiguous.view()).map_err(|e| inference(e.to_string()))?;
        let mut guard = self.runner.lock().unwrap_or_else(PoisonError::into_inner);
        let runner = &mut *guard;
        let options = if output == Output::Tokens {
            &runner.tokens
        } else {
            &runner.pooled
        };
        let outputs = runner
            .session
            .run_with_options(ort::inputs![INPUT_PIXELS => tensor], options)
            .map_err(|e| inference(e.to_string()))?;
        let extract = |name: &str| -> Result<ArrayViewD<'_, f32>> {
            let value = outputs
                .get(name)
                .ok_or_else(|| inference(format!("no output `{name}`")))?;
            value
                .try_extract_array::<f32>()
                .map_err(|e| inference(format!("output `{name}`: {e}")))
        };
        match output {
            Output::Tokens => Ok(extract(OUTPUT_EMBEDDINGS)?.to_owned()),
            Output::Pooled if self.info.has_pooled => Ok(extract(OUTPUT_POOLED)?.to_owned()),
            Output::Pooled => {
                let tokens = extract(OUTPUT_EMBEDDINGS)?;
                tokens
                    .mean_axis(Axis(1))
                    .ok_or_else(|| inference(format!("`{OUTPUT_EMBEDDINGS}` has no tokens")))
            }
        }
    }

    fn shape_error(&self, err: ndarray::ShapeError) -> RuntimeError {
        RuntimeError::Inference {
            path: self.info.path.clone(),
            reason: format!("unexpected output rank: {err}"),
        }
    }
}

/// Stacks batch results along the first axis.
fn concat<T>(
    parts: Vec<T>,
    view: impl Fn(&T) -> ArrayViewD<'_, f32>,
) -> Result<ndarray::ArrayD<f32>> {
    let views: Vec<ArrayViewD<'_, f32>> = parts.iter().map(view).collect();
    if views.is_empty() {
        return Err(RuntimeError::InvalidArgument("no images to embed".into()));
    }
    ndarray::concatenate(Axis(0), &views)
        .map_err(|e| RuntimeError::InvalidArgument(format!("batch outputs do not stack: {e}")))
}
