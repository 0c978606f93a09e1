//! A linear scale from data values to pixels, with "nice" ticks (1, 2 or 5 × 10ⁿ apart).

/// Maps `[min, max]` onto `[start, end]` pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scale {
    min: f64,
    max: f64,
    start: f64,
    end: f64,
    step: f64,
}

impl Scale {
    /// A scale covering every finite value of `values` (and `include`, such as 0 for bars),
    /// widened to whole ticks, about `ticks` of them.
    pub(super) fn covering(
        values: impl IntoIterator<Item = f64>,
        include: Option<f64>,
        (start, end): (f64, f64),
        ticks: usize,
    ) -> Scale {
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        for value in values.into_iter().chain(include).filter(|v| v.is_finite()) {
            low = low.min(value);
            high = high.max(value);
        }
        if !low.is_finite() {
            (low, high) = (0.0, 1.0);
        }
        if high - low < f64::EPSILON * high.abs().max(1.0) {
            (low, high) = (low - 1.0, high + 1.0);
        }
        let step = nice_step((high - low) / ticks.max(1) as f64);
        Scale {
            min: (low / step).floor() * step,
            max: (high / step).ceil() * step,
            start,
            end,
            step,
        }
    }

    /// The pixel of `value`.
    pub(super) fn at(&self, value: f64) -> f64 {
        self.start + (value - self.min) / (self.max - self.min) * (self.end - self.start)
    }

    /// The tick values, from min to max.
    pub(super) fn ticks(&self) -> Vec<f64> {
        let count = ((self.max - self.min) / self.step).round() as usize;
        (0..=count.min(50))
            .map(|i| self.min + i as f64 * self.step)
            .collect()
    }
}

/// The 1, 2 or 5 × 10ⁿ at or above `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        let scale = Scale::covering([0.1, 6.9], None, (0.0, 100.0), 5);
        assert_eq!(scale.ticks(), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(scale.at(0.0), 0.0);
        assert_eq!(scale.at(8.0), 100.0);
    }

    #[test]
    fn one_value_and_no_value_still_make_a_scale() {
        let one = Scale::covering([3.0], None, (0.0, 10.0), 4);
        assert!(one.ticks().len() >= 2);
        assert!(one.at(3.0) > 0.0 && one.at(3.0) < 10.0);
        let none = Scale::covering([f64::NAN], None, (0.0, 10.0), 4);
        assert_eq!(none.ticks().first(), Some(&0.0));
    }

    #[test]
    fn a_pixel_range_can_run_backwards() {
        let y = Scale::covering([0.0, 10.0], Some(0.0), (200.0, 0.0), 5);
        assert_eq!(y.at(0.0), 200.0);
        assert_eq!(y.at(10.0), 0.0);
    }
}
