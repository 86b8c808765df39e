//! Writing a [`GraphBuilder`] to disk: inline weights, or ONNX external data next to the
//! file when they exceed a threshold; always through temporary files renamed into place.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use onnx_protobuf::tensor_proto::DataLocation;
use onnx_protobuf::{
    GraphProto, Message, ModelProto, OperatorSetIdProto, StringStringEntryProto, TensorProto,
};

use super::{GraphBuilder, Initializer};
use crate::error::{ExportError, Result};

/// Largest serialized protobuf message (2 GiB - 1): beyond it readers refuse the file.
const PROTOBUF_LIMIT: u64 = i32::MAX as u64;
/// Initializers smaller than this stay inline even when the rest goes to external data
/// (the `onnx` Python package's `size_threshold` default).
const EXTERNAL_MIN_TENSOR_BYTES: usize = 1024;
/// Offsets of external tensors are aligned to the page size so that runtimes can mmap them.
const EXTERNAL_ALIGN: u64 = 4096;

/// Model-level fields: opset, producer and `metadata_props`.
pub struct ModelInfo {
    pub opset: i64,
    pub producer_name: String,
    pub producer_version: String,
    pub doc_string: String,
    pub metadata: Vec<(String, String)>,
}

/// What [`write_model`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub model: PathBuf,
    /// The external data file, when the weights went there.
    pub external_data: Option<PathBuf>,
    /// Bytes of weights written (inline or external).
    pub weight_bytes: u64,
}

/// IR version that goes with an opset (the `onnx.helper.VERSION_TABLE` pairing).
fn ir_version(opset: i64) -> i64 {
    match opset {
        ..=18 => 8,
        19 | 20 => 9,
        _ => 10,
    }
}

/// Writes the model to `path`. When the weights exceed `external_threshold` bytes they go
/// to `<file name>.data` next to it as ONNX external data. Both files are written to
/// temporary files in the same directory and renamed into place, so a failure leaves
/// nothing behind.
pub fn write_model(
    graph: GraphBuilder,
    info: &ModelInfo,
    path: &Path,
    external_threshold: u64,
) -> Result<Written> {
    let (dir, file_name) = output_location(path)?;
    let weight_bytes = graph.initializer_bytes();
    let external = weight_bytes > external_threshold;
    let GraphBuilder {
        name,
        nodes,
        initializers,
        inputs,
        outputs,
        ..
    } = graph;

    let mut graph_proto = GraphProto::new();
    graph_proto.name = name;
    graph_proto.node = nodes;
    graph_proto.input = inputs;
    graph_proto.output = outputs;

    let data_name = format!("{file_name}.data");
    let mut data_tmp = None;
    if external {
        let tmp = temp_file(&dir, &data_name)?;
        let mut writer = BufWriter::new(tmp.as_file());
        let mut offset = 0u64;
        for init in initializers {
            if init.bytes.len() < EXTERNAL_MIN_TENSOR_BYTES {
                graph_proto.initializer.push(inline_tensor(init));
                continue;
            }
            let pad = offset.next_multiple_of(EXTERNAL_ALIGN) - offset;
            let io = |source| ExportError::Io {
                action: "cannot write external data",
                path: dir.join(&data_name),
                source,
            };
            writer.write_all(&vec![0u8; pad as usize]).map_err(io)?;
            offset += pad;
            writer.write_all(&init.bytes).map_err(io)?;
            let length = init.bytes.len() as u64;
            graph_proto
                .initializer
                .push(external_tensor(&init, &data_name, offset, length));
            offset += length;
            // `init.bytes` is dropped here: at most one tensor is held twice at any time.
        }
        writer.flush().map_err(|source| ExportError::Io {
            action: "cannot write external data",
            path: dir.join(&data_name),
            source,
        })?;
        drop(writer);
        data_tmp = Some(tmp);
    } else {
        graph_proto.initializer = initializers.into_iter().map(inline_tensor).collect();
    }

    let mut model = ModelProto::new();
    model.ir_version = ir_version(info.opset);
    model.producer_name = info.producer_name.clone();
    model.producer_version = info.producer_version.clone();
    model.doc_string = info.doc_string.clone();
    let mut opset = OperatorSetIdProto::new();
    opset.domain = String::new();
    opset.version = info.opset;
    model.opset_import = vec![opset];
    model.metadata_props = info
        .metadata
        .iter()
        .map(|(k, v)| {
            let mut entry = StringStringEntryProto::new();
            entry.key = k.clone();
            entry.value = v.clone();
            entry
        })
        .collect();
    model.graph = Some(graph_proto).into();

    let size = model.compute_size();
    if size > PROTOBUF_LIMIT {
        return Err(ExportError::TooLarge {
            path: path.to_path_buf(),
            bytes: size,
        });
    }
    let model_tmp = temp_file(&dir, &file_name)?;
    {
        let mut writer = BufWriter::new(model_tmp.as_file());
        model
            .write_to_writer(&mut writer)
            .map_err(|err| ExportError::Serialize {
                path: path.to_path_buf(),
                message: err.to_string(),
            })?;
        writer.flush().map_err(|source| ExportError::Io {
            action: "cannot write",
            path: path.to_path_buf(),
            source,
        })?;
    }
    drop(model);

    let external_data = match data_tmp {
        Some(tmp) => Some(persist(tmp, &dir.join(&data_name))?),
        None => None,
    };
    if let Err(err) = persist(model_tmp, path) {
        if let Some(data) = &external_data {
            let _ = std::fs::remove_file(data);
        }
        return Err(err);
    }
    Ok(Written {
        model: path.to_path_buf(),
        external_data,
        weight_bytes,
    })
}

/// The directory (created when missing) and file name of the output.
fn output_location(path: &Path) -> Result<(PathBuf, String)> {
    let bad = |reason: &str| ExportError::BadOutputPath {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| bad("it has no UTF-8 file name"))?
        .to_string();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.is_dir() {
        return Err(bad(
            "it is a directory; give a file name such as encoder.onnx",
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(bad(&format!(
            "{} is a file, not a directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(&dir).map_err(|source| ExportError::Io {
        action: "cannot create the output directory",
        path: dir.clone(),
        source,
    })?;
    Ok((dir, file_name))
}

fn temp_file(dir: &Path, file_name: &str) -> Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!(".{file_name}-"))
        .suffix(".onnx.tmp")
        .tempfile_in(dir)
        .map_err(|source| ExportError::Io {
            action: "cannot create a temporary file in",
            path: dir.to_path_buf(),
            source,
        })
}

fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<PathBuf> {
    tmp.persist(path).map_err(|err| ExportError::Io {
        action: "cannot move the finished file to",
        path: path.to_path_buf(),
        source: err.error,
    })?;
    Ok(path.to_path_buf())
}

fn inline_tensor(init: Initializer) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = init.name;
    t.data_type = init.elem.data_type() as i32;
    t.dims = init.dims.iter().map(|&d| d as i64).collect();
    t.raw_data = init.bytes;
    t
}

fn external_tensor(init: &Initializer, location: &str, offset: u64, length: u64) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = init.name.clone();
    t.data_type = init.elem.data_type() as i32;
    t.dims = init.dims.iter().map(|&d| d as i64).collect();
    t.data_location = DataLocation::EXTERNAL.into();
    t.external_data = [
        ("location", location.to_string()),
        ("offset", offset.to_string()),
        ("length", length.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| {
        let mut e = StringStringEntryProto::new();
        e.key = k.to_string();
        e.value = v;
        e
    })
    .collect();
    t
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::proto::{Dim, ElemType};

    fn tiny_graph() -> GraphBuilder {
        let mut g = GraphBuilder::new("t");
        g.add_input(
            "x",
            ElemType::F32,
            &[Dim::Symbolic("batch".into()), Dim::Fixed(512)],
        );
        let w: Vec<u8> = (0..512).flat_map(|i| (i as f32).to_le_bytes()).collect();
        g.add_initializer("w", ElemType::F32, vec![512], w).unwrap();
        g.add_node("Add", "add", &["x", "w"], &["y"], vec![])
            .unwrap();
        g.add_output(
            "y",
            ElemType::F32,
            &[Dim::Symbolic("batch".into()), Dim::Fixed(512)],
        );
        g
    }

    fn info() -> ModelInfo {
        ModelInfo {
            opset: 17,
            producer_name: "test".into(),
            producer_version: "0".into(),
            doc_string: String::new(),
            metadata: vec![("k".into(), "v".into())],
        }
    }

    #[test]
    fn inline_and_external_round_trip_through_protobuf() {
        let dir = tempfile::tempdir().unwrap();
        let inline =
            write_model(tiny_graph(), &info(), &dir.path().join("a.onnx"), u64::MAX).unwrap();
        assert!(inline.external_data.is_none());
        let bytes = std::fs::read(&inline.model).unwrap();
        let model = ModelProto::parse_from_bytes(&bytes).unwrap();
        assert_eq!(model.graph.initializer[0].raw_data.len(), 2048);
        assert_eq!(model.metadata_props[0].key, "k");
        assert_eq!(model.ir_version, 8);

        let ext = write_model(tiny_graph(), &info(), &dir.path().join("b.onnx"), 0).unwrap();
        let data = std::fs::read(ext.external_data.unwrap()).unwrap();
        assert_eq!(data.len(), 2048);
        let model = ModelProto::parse_from_bytes(&std::fs::read(&ext.model).unwrap()).unwrap();
        let t = &model.graph.initializer[0];
        assert!(t.raw_data.is_empty());
        assert_eq!(t.external_data[0].value, "b.onnx.data");
        // Nothing but the two outputs is left in the directory.
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a.onnx", "b.onnx", "b.onnx.data"]);
    }

    #[test]
    fn duplicate_names_and_bad_lengths_are_errors() {
        let mut g = tiny_graph();
        assert!(
            g.add_node("Add", "add", &["x", "w"], &["z"], vec![])
                .is_err()
        );
        assert!(
            g.add_initializer("w", ElemType::F32, vec![1], vec![0; 4])
                .is_err()
        );
        assert!(
            g.add_initializer("v", ElemType::F32, vec![2], vec![0; 4])
                .is_err()
        );
    }

    #[test]
    fn output_under_a_file_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, b"x").unwrap();
        let err = write_model(tiny_graph(), &info(), &file.join("m.onnx"), u64::MAX).unwrap_err();
        assert!(
            err.to_string().contains("is a file, not a directory"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
