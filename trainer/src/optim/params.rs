//! Walking a module's float parameters by path (`blocks.0.attn.qkv.weight`): reading them,
//! collecting their gradients, and rewriting them (used by AdamW, the EMA and checkpoints).

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Gradients, Tensor};
use std::collections::BTreeMap;

/// Dotted path of the current position in a module traversal.
#[derive(Debug, Default)]
pub(crate) struct PathStack(Vec<String>);

impl PathStack {
    pub(crate) fn enter(&mut self, name: &str) {
        self.0.push(name.to_string());
    }
    pub(crate) fn exit(&mut self) {
        self.0.pop();
    }
    pub(crate) fn path(&self) -> String {
        self.0.join(".")
    }
}

/// A flattened float parameter (or gradient) and its shape.
#[derive(Debug, Clone)]
pub struct FlatTensor {
    pub shape: Vec<usize>,
    pub values: Tensor<1>,
}

/// Every float parameter of `module`, by path, detached from autodiff.
pub fn float_params<M: Module>(module: &M) -> BTreeMap<String, FlatTensor> {
    struct Collect {
        path: PathStack,
        out: BTreeMap<String, FlatTensor>,
    }
    impl ModuleVisitor for Collect {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.enter(name);
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.exit();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val().inner();
            let shape = t.dims().to_vec();
            let n = shape.iter().product::<usize>();
            self.out.insert(
                self.path.path(),
                FlatTensor {
                    shape,
                    values: t.reshape([n]),
                },
            );
        }
    }
    let mut c = Collect {
        path: PathStack::default(),
        out: BTreeMap::new(),
    };
    module.visit(&mut c);
    c.out
}

/// Gradients by parameter path (prefixed, e.g. `encoder.blocks.0.norm1.weight`), summed over
/// micro-batches for gradient accumulation.
#[derive(Debug, Default)]
pub struct GradStore {
    grads: BTreeMap<String, Tensor<1>>,
    micro_batches: usize,
}

impl GradStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the gradients of `module`'s trainable parameters under `prefix`.
    pub fn accumulate<M: Module>(&mut self, prefix: &str, module: &M, grads: &Gradients) {
        struct Acc<'a> {
            path: PathStack,
            prefix: &'a str,
            grads: &'a Gradients,
            store: &'a mut BTreeMap<String, Tensor<1>>,
        }
        impl ModuleVisitor for Acc<'_> {
            fn enter_module(&mut self, name: &str, _: &str) {
                self.path.enter(name);
            }
            fn exit_module(&mut self, _: &str, _: &str) {
                self.path.exit();
            }
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                if !param.is_require_grad() {
                    return;
                }
                let Some(g) = param.val().grad(self.grads) else {
                    return;
                };
                let n = g.dims().iter().product::<usize>();
                // Detached: gradients are plain data to the optimizer.
                let g = g.inner().reshape([n]);
                let key = format!("{}{}", self.prefix, self.path.path());
                let sum = match self.store.remove(&key) {
                    Some(prev) => prev + g,
                    None => g,
                };
                self.store.insert(key, sum);
            }
        }
        let mut acc = Acc {
            path: PathStack::default(),
            prefix,
            grads,
            store: &mut self.grads,
        };
        module.visit(&mut acc);
    }

    /// Marks the end of one micro-batch's backward pass.
    pub fn finish_micro_batch(&mut self) {
        self.micro_batches += 1;
    }

    /// The mean gradient of `key` over the micro-batches.
    pub fn mean(&self, key: &str) -> Option<Tensor<1>> {
        let g = self.grads.get(key)?.clone();
        Some(if self.micro_batches > 1 {
            g.div_scalar(self.micro_batches as f32)
        } else {
            g
        })
    }

    /// Paths that have a gradient.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.grads.keys()
    }

    pub fn is_empty(&self) -> bool {
        self.grads.is_empty()
    }
}

/// Rewrites every float parameter of `module`: `f(path, rank, value)` returns the new value
/// (flattened, same length) or `None` to keep it. Gradient tracking is preserved.
pub fn map_float_params<M, F>(module: M, f: F) -> M
where
    M: Module,
    F: FnMut(&str, usize, Tensor<1>) -> Option<Tensor<1>>,
{
    struct Map<F> {
        path: PathStack,
        f: F,
    }
    impl<F: FnMut(&str, usize, Tensor<1>) -> Option<Tensor<1>>> ModuleMapper for Map<F> {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.enter(name);
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.exit();
        }
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            let require_grad = tensor.is_require_grad();
            let autodiff = tensor.is_autodiff();
            let dims = tensor.dims();
            let n = dims.iter().product::<usize>();
            let flat = tensor.clone().inner().reshape([n]);
            let tensor = match (self.f)(&self.path.path(), D, flat) {
                Some(new) => {
                    let t = new.inner().reshape(dims);
                    match (autodiff, require_grad) {
                        (true, true) => Tensor::<D>::from_inner(t).require_grad(),
                        (true, false) => Tensor::<D>::from_inner(t),
                        (false, _) => t,
                    }
                }
                None => tensor,
            };
            Param::from_mapped_value(id, tensor, mapper)
        }
    }
    module.map(&mut Map {
        path: PathStack::default(),
        f,
    })
}
