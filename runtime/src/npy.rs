//! A minimal `.npy` (format v1.0) writer and reader for C-order little-endian float32 arrays.

use std::io::{BufWriter, Read, Write};
use std::path::Path;

use crate::error::{Result, RuntimeError};

const MAGIC: &[u8] = b"\x93NUMPY";
/// The header (magic through the newline) is padded to a multiple of this, as numpy does.
const HEADER_ALIGN: usize = 64;

/// Writes `data` with `shape` as a `<f4` C-order `.npy` file.
pub fn write_f32(path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    let count: usize = shape.iter().product();
    if count != data.len() {
        return Err(RuntimeError::InvalidArgument(format!(
            "npy {}: shape {shape:?} holds {count} values but {} were given",
            path.display(),
            data.len()
        )));
    }
    let file =
        std::fs::File::create(path).map_err(|e| RuntimeError::io("cannot create", path, e))?;
    let mut out = BufWriter::new(file);
    let io = |e| RuntimeError::io("cannot write", path, e);
    out.write_all(&header(shape)).map_err(io)?;
    for value in data {
        out.write_all(&value.to_le_bytes()).map_err(io)?;
    }
    out.flush().map_err(io)
}

/// The magic, version, length and padded dictionary of a v1.0 header.
fn header(shape: &[usize]) -> Vec<u8> {
    let dims = match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}");
    let unpadded = MAGIC.len() + 2 + 2 + dict.len() + 1;
    dict.push_str(&" ".repeat((HEADER_ALIGN - unpadded % HEADER_ALIGN) % HEADER_ALIGN));
    dict.push('\n');
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + dict.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&[1, 0]);
    bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes
}

/// Reads a `<f4` C-order `.npy` file (as this module and numpy write them): `(shape, data)`.
pub fn read_f32(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let bad = |reason: &str| {
        RuntimeError::InvalidArgument(format!(
            "{} is not a float32 .npy file: {reason}",
            path.display()
        ))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| RuntimeError::io("cannot read", path, e))?;
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(bad("no NUMPY magic"));
    }
    let (len_size, header_len) = match bytes[6] {
        1 => (2, usize::from(u16::from_le_bytes([bytes[8], bytes[9]]))),
        2 | 3 if bytes.len() >= 12 => (
            4,
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
        ),
        _ => return Err(bad("unknown version")),
    };
    let start = 8 + len_size;
    let dict = bytes
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| bad("bad header"))?;
    if !dict.contains("'<f4'") || dict.contains("'fortran_order': True") {
        return Err(bad("only '<f4' C-order arrays are supported"));
    }
    let dims = dict
        .split("'shape':")
        .nth(1)
        .and_then(|rest| rest.split(['(', ')']).nth(1))
        .ok_or_else(|| bad("no shape"))?;
    let shape: Vec<usize> = dims
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<usize>().map_err(|_| bad("bad shape")))
        .collect::<Result<_>>()?;
    let payload = &bytes[start + header_len..];
    let count: usize = shape.iter().product();
    if payload.len() != count * 4 {
        return Err(bad("data length does not match the shape"));
    }
    let data = payload
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((shape, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_round_trips() -> Result<()> {
        for shape in [vec![3usize, 64], vec![5], vec![2, 36, 64], vec![0, 8]] {
            assert_eq!(header(&shape).len() % HEADER_ALIGN, 0);
            let dir = tempfile::tempdir().map_err(|e| RuntimeError::io("tempdir", "/tmp", e))?;
            let path = dir.path().join("a.npy");
            let data: Vec<f32> = (0..shape.iter().product::<usize>())
                .map(|i| i as f32 * 0.5 - 3.0)
                .collect();
            write_f32(&path, &shape, &data)?;
            assert_eq!(read_f32(&path)?, (shape, data));
        }
        Ok(())
    }

    #[test]
    fn header_text_is_what_numpy_writes() {
        let text = String::from_utf8_lossy(&header(&[3, 64])).to_string();
        assert!(text.starts_with("\u{fffd}NUMPY\u{1}\u{0}"));
        assert!(text.contains("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 64), }"));
        assert!(text.ends_with('\n'));
        assert!(String::from_utf8_lossy(&header(&[7])).contains("'shape': (7,)"));
    }

    #[test]
    fn wrong_length_is_an_error() {
        assert!(write_f32(Path::new("/nonexistent/x.npy"), &[2, 2], &[1.0]).is_err());
    }
}
