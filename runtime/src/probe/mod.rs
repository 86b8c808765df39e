//! Linear probes on frozen encoder features (Clevr/Count, Clevr/Dist as in VTAB and the I-JEPA
//! paper's Table 4): standardized features, multinomial logistic regression with L2 chosen on a
//! held-out part of train, top-1 on the eval split, and baselines (majority class, raw pixels,
//! extra encoders such as random weights) in the same report.
//!
//! Run: `cargo run --release -- probe --model encoder.onnx --data data/clevr --task count`.

mod error;
pub mod features;
pub mod fit;
pub mod logreg;
pub mod metrics;
mod report;
mod run;

pub use error::{ProbeError, Result};
pub use features::FeatureKind;
pub use fit::{FitConfig, FittedProbe, fit_probe};
pub use report::{Histograms, MethodKind, MethodResult, ProbeReport, Skipped};
pub use run::{BaselineModel, ProbeConfig, ProbeProgress, majority, run_probe};
