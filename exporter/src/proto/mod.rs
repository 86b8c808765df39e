//! The only module that touches `onnx-protobuf` types: a small graph builder over plain Rust
//! values (here), and the writer that turns it into a `.onnx` file ([`write`]).

mod write;

pub use write::{ModelInfo, Written, write_model};

use std::collections::HashSet;

use onnx_protobuf::tensor_proto::DataType;
use onnx_protobuf::tensor_shape_proto::{Dimension, dimension};
use onnx_protobuf::{
    AttributeProto, NodeProto, TensorShapeProto, TypeProto, ValueInfoProto,
    attribute_proto::AttributeType, type_proto,
};

use crate::error::{ExportError, Result};

/// Element type of a graph value or initializer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemType {
    F32,
    F16,
    I64,
}

impl ElemType {
    pub(crate) fn data_type(self) -> DataType {
        match self {
            ElemType::F32 => DataType::FLOAT,
            ElemType::F16 => DataType::FLOAT16,
            ElemType::I64 => DataType::INT64,
        }
    }

    /// The `to` attribute value of a `Cast` to this type.
    pub fn onnx_code(self) -> i64 {
        self.data_type() as i64
    }
}

/// One dimension of a graph input or output.
#[derive(Debug, Clone)]
pub enum Dim {
    Fixed(usize),
    Symbolic(String),
}

/// A node attribute.
#[derive(Debug, Clone)]
pub enum Attr {
    Int(i64),
    Ints(Vec<i64>),
    Float(f32),
    Str(String),
}

/// An initializer waiting to be written: little-endian bytes of `elem` values, row-major.
struct Initializer {
    name: String,
    elem: ElemType,
    dims: Vec<usize>,
    bytes: Vec<u8>,
}

/// A graph under construction. Names must be unique; the builder checks it.
pub struct GraphBuilder {
    name: String,
    nodes: Vec<NodeProto>,
    initializers: Vec<Initializer>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    node_names: HashSet<String>,
    initializer_names: HashSet<String>,
}

impl GraphBuilder {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            nodes: Vec::new(),
            initializers: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            node_names: HashSet::new(),
            initializer_names: HashSet::new(),
        }
    }

    /// Declares a graph input.
    pub fn add_input(&mut self, name: &str, elem: ElemType, dims: &[Dim]) {
        self.inputs.push(value_info(name, elem, dims));
    }

    /// Declares a graph output.
    pub fn add_output(&mut self, name: &str, elem: ElemType, dims: &[Dim]) {
        self.outputs.push(value_info(name, elem, dims));
    }

    /// Adds an initializer from its raw little-endian bytes and returns its name.
    pub fn add_initializer(
        &mut self,
        name: &str,
        elem: ElemType,
        dims: Vec<usize>,
        bytes: Vec<u8>,
    ) -> Result<String> {
        let width = match elem {
            ElemType::F32 => 4,
            ElemType::F16 => 2,
            ElemType::I64 => 8,
        };
        let needed = dims.iter().product::<usize>() * width;
        if bytes.len() != needed {
            return Err(ExportError::BadLength {
                key: name.to_string(),
                shape: dims,
                len: bytes.len() / width,
                needed: needed / width,
            });
        }
        if !self.initializer_names.insert(name.to_string()) {
            return Err(ExportError::InvalidConfig(format!(
                "initializer `{name}` added twice"
            )));
        }
        self.initializers.push(Initializer {
            name: name.to_string(),
            elem,
            dims,
            bytes,
        });
        Ok(name.to_string())
    }

    /// Adds a node of the default (`ai.onnx`) domain.
    pub fn add_node(
        &mut self,
        op_type: &str,
        name: &str,
        inputs: &[&str],
        outputs: &[&str],
        attrs: Vec<(&str, Attr)>,
    ) -> Result<()> {
        if !self.node_names.insert(name.to_string()) {
            return Err(ExportError::InvalidConfig(format!(
                "node `{name}` added twice"
            )));
        }
        let mut node = NodeProto::new();
        node.op_type = op_type.to_string();
        node.name = name.to_string();
        node.input = inputs.iter().map(|s| s.to_string()).collect();
        node.output = outputs.iter().map(|s| s.to_string()).collect();
        node.attribute = attrs.into_iter().map(|(k, v)| attribute(k, v)).collect();
        self.nodes.push(node);
        Ok(())
    }

    /// Whether an initializer of that name exists.
    pub fn has_initializer(&self, name: &str) -> bool {
        self.initializer_names.contains(name)
    }

    /// Total bytes of all initializers.
    pub fn initializer_bytes(&self) -> u64 {
        self.initializers.iter().map(|t| t.bytes.len() as u64).sum()
    }
}

fn value_info(name: &str, elem: ElemType, dims: &[Dim]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    shape.dim = dims
        .iter()
        .map(|d| {
            let mut dim = Dimension::new();
            dim.value = Some(match d {
                Dim::Fixed(n) => dimension::Value::DimValue(*n as i64),
                Dim::Symbolic(s) => dimension::Value::DimParam(s.clone()),
            });
            dim
        })
        .collect();
    let mut tensor = type_proto::Tensor::new();
    tensor.elem_type = elem.data_type() as i32;
    tensor.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.value = Some(type_proto::Value::TensorType(tensor));
    let mut info = ValueInfoProto::new();
    info.name = name.to_string();
    info.type_ = Some(ty).into();
    info
}

fn attribute(name: &str, value: Attr) -> AttributeProto {
    let mut a = AttributeProto::new();
    a.name = name.to_string();
    match value {
        Attr::Int(i) => {
            a.type_ = AttributeType::INT.into();
            a.i = i;
        }
        Attr::Ints(v) => {
            a.type_ = AttributeType::INTS.into();
            a.ints = v;
        }
        Attr::Float(f) => {
            a.type_ = AttributeType::FLOAT.into();
            a.f = f;
        }
        Attr::Str(s) => {
            a.type_ = AttributeType::STRING.into();
            a.s = s.into_bytes();
        }
    }
    a
}
