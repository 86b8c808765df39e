//! Per-iteration schedules of the official recipe: warmup-cosine learning rate, cosine weight
//! decay and a linear EMA momentum.
//!
//! Reimplements `WarmupCosineSchedule` / `CosineWDSchedule` (`src/utils/schedulers.py`) and the
//! momentum generator of `src/train.py` as pure functions of the iteration index, so a resumed run
//! needs only the step counter. The official schedulers are stepped before each optimizer step,
//! so iteration `i` (0-based) uses scheduler step `i + 1`, and momentum element `i`.

/// The optimisation settings the schedules need (the official YAML `optimization` section).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleConfig {
    pub start_lr: f64,
    pub lr: f64,
    pub final_lr: f64,
    /// Warmup length in epochs (may be fractional).
    pub warmup: f64,
    pub weight_decay: f64,
    pub final_weight_decay: f64,
    pub ema: [f64; 2],
    pub epochs: usize,
    pub ipe_scale: f64,
}

/// LR, weight decay and EMA momentum for one iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepValues {
    pub lr: f64,
    pub weight_decay: f64,
    pub momentum: f64,
}

/// The three schedules for a run with `ipe` iterations per epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedules {
    cfg: ScheduleConfig,
    warmup_steps: usize,
    /// `int(ipe_scale · epochs · ipe)`: the official `T_max` of both cosine schedules.
    t_max: usize,
    /// `ipe · epochs · ipe_scale` as a float (the momentum generator's denominator).
    momentum_span: f64,
}

impl Schedules {
    /// Schedules for `ipe` iterations per epoch.
    pub fn new(cfg: ScheduleConfig, ipe: usize) -> Self {
        let warmup_steps = (cfg.warmup * ipe as f64) as usize;
        let t_max = (cfg.ipe_scale * cfg.epochs as f64 * ipe as f64) as usize;
        let momentum_span = ipe as f64 * cfg.epochs as f64 * cfg.ipe_scale;
        Self {
            cfg,
            warmup_steps,
            t_max,
            momentum_span,
        }
    }

    /// Learning rate at iteration `itr` (0-based).
    pub fn lr(&self, itr: u64) -> f64 {
        let c = &self.cfg;
        let step = (itr + 1) as f64;
        let warmup = self.warmup_steps as f64;
        if step < warmup {
            let progress = step / warmup.max(1.0);
            c.start_lr + progress * (c.lr - c.start_lr)
        } else {
            let t_max = self.t_max.saturating_sub(self.warmup_steps).max(1) as f64;
            let progress = (step - warmup) / t_max;
            let cos = c.final_lr
                + (c.lr - c.final_lr) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
            c.final_lr.max(cos)
        }
    }

    /// Weight decay at iteration `itr` (0-based), for the parameter groups that decay.
    pub fn weight_decay(&self, itr: u64) -> f64 {
        let c = &self.cfg;
        let progress = (itr + 1) as f64 / self.t_max as f64;
        let wd = c.final_weight_decay
            + (c.weight_decay - c.final_weight_decay)
                * 0.5
                * (1.0 + (std::f64::consts::PI * progress).cos());
        if c.final_weight_decay <= c.weight_decay {
            wd.max(c.final_weight_decay)
        } else {
            wd.min(c.final_weight_decay)
        }
    }

    /// EMA momentum at iteration `itr` (0-based): `ema0 + itr · (ema1 − ema0) / (ipe · epochs ·
    /// ipe_scale)`; held at its last official value past the generator's end.
    pub fn momentum(&self, itr: u64) -> f64 {
        let [m0, m1] = self.cfg.ema;
        let last = self.momentum_span as u64;
        let i = itr.min(last) as f64;
        m0 + i * (m1 - m0) / self.momentum_span
    }

    /// All three values at iteration `itr`.
    pub fn at(&self, itr: u64) -> StepValues {
        StepValues {
            lr: self.lr(itr),
            weight_decay: self.weight_decay(itr),
            momentum: self.momentum(itr),
        }
    }

    /// Warmup length in iterations (`int(warmup · ipe)`).
    pub fn warmup_steps(&self) -> usize {
        self.warmup_steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Float tolerance: the formulas are evaluated in f64 in both implementations.
    const TOL: f64 = 1e-12;

    fn cfg() -> ScheduleConfig {
        ScheduleConfig {
            start_lr: 0.0002,
            lr: 0.001,
            final_lr: 1.0e-6,
            warmup: 2.0,
            weight_decay: 0.04,
            final_weight_decay: 0.4,
            ema: [0.996, 1.0],
            epochs: 10,
            ipe_scale: 1.25,
        }
    }

    /// The official schedulers, written out as a stateful loop like the Python classes.
    fn official(cfg: &ScheduleConfig, ipe: usize, n: usize) -> Vec<(f64, f64, f64)> {
        let warmup_steps = (cfg.warmup * ipe as f64) as usize;
        let t_max_total = (cfg.ipe_scale * cfg.epochs as f64 * ipe as f64) as usize;
        let t_max_lr = t_max_total - warmup_steps;
        let span = ipe as f64 * cfg.epochs as f64 * cfg.ipe_scale;
        let mut out = Vec::new();
        let mut s = 0.0f64;
        for i in 0..n {
            s += 1.0;
            let lr = if s < warmup_steps as f64 {
                cfg.start_lr + s / (warmup_steps.max(1) as f64) * (cfg.lr - cfg.start_lr)
            } else {
                let p = (s - warmup_steps as f64) / (t_max_lr.max(1) as f64);
                cfg.final_lr.max(
                    cfg.final_lr
                        + (cfg.lr - cfg.final_lr) * 0.5 * (1.0 + (std::f64::consts::PI * p).cos()),
                )
            };
            let p = s / t_max_total as f64;
            let wd = cfg.final_weight_decay
                + (cfg.weight_decay - cfg.final_weight_decay)
                    * 0.5
                    * (1.0 + (std::f64::consts::PI * p).cos());
            let wd = wd.min(cfg.final_weight_decay);
            let m = cfg.ema[0] + i as f64 * (cfg.ema[1] - cfg.ema[0]) / span;
            out.push((lr, wd, m));
        }
        out
    }

    #[test]
    fn matches_official_formulas_every_iteration() {
        let c = cfg();
        let ipe = 7;
        let s = Schedules::new(c.clone(), ipe);
        let n = (c.ipe_scale * c.epochs as f64 * ipe as f64) as usize;
        for (i, (lr, wd, m)) in official(&c, ipe, n).into_iter().enumerate() {
            let v = s.at(i as u64);
            assert!((v.lr - lr).abs() < TOL, "lr at {i}: {} vs {lr}", v.lr);
            assert!((v.weight_decay - wd).abs() < TOL, "wd at {i}");
            assert!((v.momentum - m).abs() < TOL, "momentum at {i}");
        }
    }

    #[test]
    fn warmup_starts_near_start_lr_and_peaks_at_lr() {
        let s = Schedules::new(cfg(), 10);
        // First iteration is scheduler step 1 of 20 warmup steps.
        assert!((s.lr(0) - (0.0002 + 0.0008 / 20.0)).abs() < TOL);
        assert!(
            (s.lr(19) - 0.001).abs() < TOL,
            "step 20 = end of warmup = ref lr"
        );
        assert!(s.lr(60) < s.lr(30));
        assert!((s.momentum(0) - 0.996).abs() < TOL);
        assert!(s.weight_decay(124) > 0.39, "wd rises toward final 0.4");
    }
}
