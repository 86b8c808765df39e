//! Accuracy, confusion matrices and the majority-class baseline.

/// Fraction of `predicted` equal to `truth` (0 for empty input).
pub fn accuracy(predicted: &[usize], truth: &[usize]) -> f64 {
    if truth.is_empty() {
        return 0.0;
    }
    predicted.iter().zip(truth).filter(|(p, t)| p == t).count() as f64 / truth.len() as f64
}

/// `classes × classes` counts; rows are the true class, columns the predicted one.
pub fn confusion_matrix(predicted: &[usize], truth: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; classes]; classes];
    for (&p, &t) in predicted.iter().zip(truth) {
        if p < classes && t < classes {
            m[t][p] += 1;
        }
    }
    m
}

/// The most frequent class (the lowest on ties).
pub fn majority_class(labels: &[usize], classes: usize) -> usize {
    let counts = crate::clevr::histogram(labels, classes);
    counts
        .iter()
        .enumerate()
        .fold((0, 0), |b, (c, &n)| if n > b.1 { (c, n) } else { b })
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_rows_are_truth() {
        let m = confusion_matrix(&[0, 1, 1, 2], &[0, 0, 1, 2], 3);
        assert_eq!(m, vec![vec![1, 1, 0], vec![0, 1, 0], vec![0, 0, 1]]);
        assert_eq!(accuracy(&[0, 1, 1, 2], &[0, 0, 1, 2]), 0.75);
        assert_eq!(majority_class(&[2, 1, 2, 1, 0], 3), 1);
    }
}
