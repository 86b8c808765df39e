//! The embedder on small encoders written by `make_test_model.py`, checked against Python
//! onnxruntime, plus the error cases the issue asks for (wrong size, missing device, missing library).

mod common;

use std::process::Command;

use ijepa_runtime::embed_files::{EmbedFilesOptions, Pool, embed_files, list_path};
use ijepa_runtime::{Device, Embedder, RuntimeError, SessionConfig, npy};

/// Rust and Python call the same ONNX Runtime build on the same tensor; only thread scheduling of the
/// reductions can differ, so agreement is at float32 rounding level.
const ORT_PARITY_TOL: f32 = 1e-5;

#[test]
fn embed_matches_python_onnxruntime_and_numpy_reads_our_npy() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let model = common::make_model(dir.path(), "tiny.onnx", &["--depth", "2"])?;
    let embedder = Embedder::open(&model, Device::Cpu)?;
    assert_eq!(embedder.info().crop_size, 48);
    assert_eq!(embedder.info().mean, [0.485, 0.456, 0.406]);
    assert_eq!(embedder.device(), Device::Cpu);

    // Images → pooled embeddings equal the model run on the official fixture's input tensor.
    let pooled = embedder.embed(&common::fixture_images()?)?;
    assert_eq!(pooled.dim(), (3, 64));
    let from_input = embedder.embed_pixels(common::reference_input()?.view())?;
    assert!(common::max_abs_diff(&pooled, &from_input) <= ORT_PARITY_TOL);

    // Tokens: [3, 36, 64], their mean is `pooled`.
    let tokens = embedder.embed_tokens(&common::fixture_images()?)?;
    assert_eq!(tokens.dim(), (3, 36, 64));
    let mean = tokens
        .mean_axis(ndarray::Axis(1))
        .ok_or_else(|| anyhow::anyhow!("no tokens"))?;
    assert!(common::max_abs_diff(&mean, &pooled) <= ORT_PARITY_TOL);

    // The file path: `.npy` + `.npy.txt`, sorted order as given; numpy loads it and Python ORT agrees.
    let out = dir.path().join("emb.npy");
    let mut seen = 0;
    let report = embed_files(
        &embedder,
        &common::fixture_paths(),
        &out,
        EmbedFilesOptions::default(),
        &mut |n| seen += n,
    )?;
    assert_eq!((report.shape.clone(), seen), (vec![3, 64], 3));
    let listed = std::fs::read_to_string(list_path(&out))?;
    let expected: Vec<String> = common::fixture_paths()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(listed.lines().collect::<Vec<_>>(), expected);
    let reference = dir.path().join("python_ort.npy");
    let (model_s, out_s, ref_s) = (
        model.to_string_lossy(),
        out.to_string_lossy(),
        reference.to_string_lossy(),
    );
    let safetensors = common::fixture("reference.safetensors");
    let printed = common::run_python(
        "python_ort_reference.py",
        &[
            "--model",
            &model_s,
            "--safetensors",
            &safetensors.to_string_lossy(),
            "--out",
            &ref_s,
            "--ours",
            &out_s,
            "--tol",
            &ORT_PARITY_TOL.to_string(),
        ],
    )?;
    assert!(
        printed.contains("max |ours - python onnxruntime|"),
        "{printed}"
    );
    // And our reader reads what numpy's np.save wrote.
    let (shape, python_pooled) = npy::read_f32(&reference)?;
    assert_eq!(shape, vec![3, 64]);
    assert!(common::max_abs_diff(&python_pooled, &pooled) <= ORT_PARITY_TOL);
    Ok(())
}

#[test]
fn pool_none_writes_tokens() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let model = common::make_model(dir.path(), "tiny.onnx", &[])?;
    let embedder = Embedder::open(&model, Device::Cpu)?.with_batch_size(2)?;
    let out = dir.path().join("tokens.npy");
    let options = EmbedFilesOptions {
        pool: Pool::None,
        skip_bad: false,
    };
    let report = embed_files(
        &embedder,
        &common::fixture_paths(),
        &out,
        options,
        &mut |_| {},
    )?;
    assert_eq!(report.shape, vec![3, 36, 64]);
    let (shape, data) = npy::read_f32(&out)?;
    assert_eq!(shape, vec![3, 36, 64]);
    let direct = embedder.embed_tokens(&common::fixture_images()?)?;
    assert!(common::max_abs_diff(&data, &direct) <= ORT_PARITY_TOL);
    Ok(())
}

#[test]
fn a_corrupt_image_fails_naming_it_or_is_skipped_and_listed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let model = common::make_model(dir.path(), "tiny.onnx", &[])?;
    let embedder = Embedder::open(&model, Device::Cpu)?;
    let bad = dir.path().join("bad.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\ntruncated")?;
    let mut paths = common::fixture_paths();
    paths.insert(1, bad.clone());
    let out = dir.path().join("emb.npy");
    let err = embed_files(
        &embedder,
        &paths,
        &out,
        EmbedFilesOptions::default(),
        &mut |_| {},
    )
    .err();
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("bad.png") && message.contains("--skip-bad"),
        "{message}"
    );

    let options = EmbedFilesOptions {
        skip_bad: true,
        ..EmbedFilesOptions::default()
    };
    let report = embed_files(&embedder, &paths, &out, options, &mut |_| {})?;
    assert_eq!(report.shape, vec![3, 64]);
    assert_eq!(
        report
            .skipped
            .iter()
            .map(|(p, _)| p.clone())
            .collect::<Vec<_>>(),
        vec![bad]
    );
    assert_eq!(std::fs::read_to_string(list_path(&out))?.lines().count(), 3);
    Ok(())
}

#[test]
fn fixed_batch_and_missing_pooled_output_give_the_same_embeddings() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let dynamic = Embedder::open(
        common::make_model(dir.path(), "dyn.onnx", &[])?,
        Device::Cpu,
    )?;
    let fixed = Embedder::open(
        common::make_model(dir.path(), "fixed.onnx", &["--fixed-batch", "2"])?,
        Device::Cpu,
    )?;
    let no_pooled = Embedder::open(
        common::make_model(dir.path(), "nopool.onnx", &["--no-pooled"])?,
        Device::Cpu,
    )?;
    assert_eq!((fixed.info().fixed_batch, fixed.batch_size()), (Some(2), 2));
    assert!(!no_pooled.info().has_pooled);
    let images = common::fixture_images()?; // 3 images: the fixed-batch model pads the last batch
    let expected = dynamic.embed(&images)?;
    assert!(common::max_abs_diff(&fixed.embed(&images)?, &expected) <= ORT_PARITY_TOL);
    assert!(common::max_abs_diff(&no_pooled.embed(&images)?, &expected) <= ORT_PARITY_TOL);
    Ok(())
}

#[test]
fn wrong_input_size_names_both_sizes() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let embedder = Embedder::open(
        common::make_model(dir.path(), "tiny.onnx", &[])?,
        Device::Cpu,
    )?;
    let pixels = ndarray::Array4::<f32>::zeros((1, 3, 32, 40));
    let err = embedder.embed_pixels(pixels.view()).err();
    assert!(
        matches!(
            err,
            Some(RuntimeError::InputSize {
                want_h: 48,
                want_w: 48,
                got_h: 32,
                got_w: 40,
                ..
            })
        ),
        "{err:?}"
    );
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("32x40") && message.contains("48x48"),
        "{message}"
    );
    // Any other image size is resized and cropped, not rejected.
    let big = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        100,
        70,
        image::Rgb([10, 20, 30]),
    ));
    assert_eq!(embedder.embed(&[big])?.dim(), (1, 64));
    Ok(())
}

#[test]
fn cuda_and_tensorrt_without_a_gpu_are_errors_not_cpu_fallbacks() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let model = common::make_model(dir.path(), "tiny.onnx", &[])?;
    for device in [Device::Cuda, Device::TensorRt] {
        match Embedder::open(&model, device) {
            Err(RuntimeError::DeviceUnavailable {
                device: name,
                reason,
            }) => {
                assert_eq!(name, device.to_string());
                assert!(!reason.is_empty());
            }
            Err(other) => anyhow::bail!("{device}: unexpected error {other}"),
            // Only a machine with a working GPU provider may open it, and then it must say so.
            Ok(embedder) => assert_eq!(embedder.device(), device),
        }
    }
    // `auto` always opens something and says what.
    let auto = Embedder::open_with(
        &model,
        &SessionConfig {
            threads: Some(1),
            ..SessionConfig::new(Device::Auto)
        },
    )?;
    assert_ne!(auto.device(), Device::Auto);
    Ok(())
}

/// Runs `child_test` in a fresh test process with `ORT_DYLIB_PATH` set (the library is process-global).
fn run_child(child_test: &str, dylib: &str) -> anyhow::Result<std::process::Output> {
    Ok(Command::new(std::env::current_exe()?)
        .args([child_test, "--exact", "--ignored", "--nocapture"])
        .env("ORT_DYLIB_PATH", dylib)
        .env("IJEPA_RT_EXPECT", dylib)
        .output()?)
}

#[test]
fn missing_or_bad_library_is_an_error_that_names_the_fix() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let not_a_library = dir.path().join("libonnxruntime.so");
    std::fs::write(&not_a_library, b"not an ELF file")?;
    for dylib in [
        "/nonexistent/libonnxruntime.so".to_string(),
        not_a_library.display().to_string(),
    ] {
        let output = run_child("child_open_with_bad_library", &dylib)?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "child failed for {dylib}:\n{text}");
        assert!(text.contains("1 passed"), "{text}");
    }
    Ok(())
}

#[test]
#[ignore = "run by missing_or_bad_library_is_an_error_that_names_the_fix in its own process"]
fn child_open_with_bad_library() {
    let expected = std::env::var("IJEPA_RT_EXPECT").unwrap_or_default();
    assert!(!expected.is_empty(), "run through the parent test");
    let model = common::fixture("image_0.png"); // never opened: the library check comes first
    let message = match Embedder::open(&model, Device::Cpu) {
        Err(err @ (RuntimeError::LibraryNotFound { .. } | RuntimeError::LibraryLoad { .. })) => {
            err.to_string()
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("opened with ORT_DYLIB_PATH={expected}"),
    };
    println!("{message}");
    assert!(
        message.contains("scripts/install-onnxruntime.sh"),
        "{message}"
    );
    assert!(message.contains(&expected), "{message}");
}
