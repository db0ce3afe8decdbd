//! Confidence calibration: does a value the extractor is 90 % sure of turn out right
//! 90 % of the time? Expected calibration error over equal-width confidence bins, and the
//! accuracy of the values at or above the review threshold against those below it (the
//! ones a reviewer would be shown).

use serde::Serialize;

use crate::metrics::ratio;

/// Confidence bins of the expected calibration error.
pub const DEFAULT_BINS: usize = 10;

/// One bin of values whose confidence falls in `[low, high)` (the last bin includes 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub low: f64,
    pub high: f64,
    pub count: usize,
    /// Mean confidence in the bin.
    pub confidence: Option<f64>,
    /// Share of the bin's values that were correct.
    pub accuracy: Option<f64>,
}

/// Values on one side of the review threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub count: usize,
    pub correct: usize,
    pub accuracy: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Values with a confidence.
    pub values: usize,
    /// Σ over bins of (bin size / values) × |accuracy − mean confidence|; `None` without
    /// values.
    pub ece: Option<f64>,
    pub bins: Vec<Bin>,
    pub review_threshold: f64,
    /// Confidence at or above the threshold.
    pub above: Side,
    /// Confidence below the threshold.
    pub below: Side,
}

/// Calibration of `(confidence, correct)` samples; confidences are clamped to 0..=1.
pub fn calibrate(samples: &[(f64, bool)], bins: usize, review_threshold: f64) -> Calibration {
    let bins = bins.max(1);
    let mut sums = vec![(0usize, 0.0f64, 0usize); bins];
    for &(confidence, correct) in samples {
        let c = confidence.clamp(0.0, 1.0);
        let index = ((c * bins as f64) as usize).min(bins - 1);
        sums[index].0 += 1;
        sums[index].1 += c;
        sums[index].2 += usize::from(correct);
    }
    let total = samples.len();
    let bins_out: Vec<Bin> = sums
        .iter()
        .enumerate()
        .map(|(i, &(count, confidence_sum, correct))| Bin {
            low: i as f64 / bins as f64,
            high: (i + 1) as f64 / bins as f64,
            count,
            confidence: (count > 0).then(|| confidence_sum / count as f64),
            accuracy: ratio(correct, count),
        })
        .collect();
    let ece = (total > 0).then(|| {
        bins_out.iter().filter_map(|b| Some(b.count as f64 / total as f64 * (b.accuracy? - b.confidence?).abs())).sum()
    });
    let side = |keep: &dyn Fn(f64) -> bool| {
        let (count, correct) =
            samples.iter().filter(|(c, _)| keep(*c)).fold((0, 0), |(n, k), (_, ok)| (n + 1, k + usize::from(*ok)));
        Side { count, correct, accuracy: ratio(correct, count) }
    };
    Calibration {
        values: total,
        ece,
        bins: bins_out,
        review_threshold,
        above: side(&|c| c >= review_threshold),
        below: side(&|c| c < review_threshold),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_calibration_error_by_hand() {
        // Bin [0.9, 1]: confidences 0.95, 0.95, 0.95, 0.95 with 3 right: |0.75 − 0.95| = 0.2.
        // Bin [0.2, 0.3): 0.25, 0.25 with 1 right: |0.5 − 0.25| = 0.25.
        // ECE = 4/6 × 0.2 + 2/6 × 0.25 = 0.2166…
        let samples = [(0.95, true), (0.95, true), (0.95, true), (0.95, false), (0.25, true), (0.25, false)];
        let c = calibrate(&samples, 10, 0.6);
        assert!((c.ece.unwrap() - (4.0 / 6.0 * 0.2 + 2.0 / 6.0 * 0.25)).abs() < 1e-12, "{:?}", c.ece);
        assert_eq!(c.bins[9].count, 4);
        assert_eq!(c.bins[2].count, 2);
        assert_eq!(c.above, Side { count: 4, correct: 3, accuracy: Some(0.75) });
        assert_eq!(c.below, Side { count: 2, correct: 1, accuracy: Some(0.5) });
    }

    #[test]
    fn perfect_calibration_has_no_error_and_edges_fall_in_the_right_bin() {
        let c = calibrate(&[(1.0, true), (0.0, false)], 10, 0.5);
        assert_eq!(c.ece, Some(0.0));
        assert_eq!((c.bins[0].count, c.bins[9].count), (1, 1));
        let threshold = calibrate(&[(0.6, true)], 10, 0.6);
        assert_eq!(threshold.above.count, 1, "the threshold itself is not under review");
        assert_eq!(calibrate(&[], 10, 0.6).ece, None);
    }
}
