//! The per-batch block-size generator of the official sampler: `torch.Generator().manual_seed(i)`
//! followed by `torch.rand(1)`, i.e. an MT19937 seeded with the batch counter and a float32
//! uniform from the low 24 bits of one 32-bit output. Reproducing it makes [`MaskMode::Official`]
//! draw exactly the official block sizes for every step (and so exactly its target lengths).
//!
//! [`MaskMode::Official`]: super::MaskMode::Official

const N: usize = 624;
const M: usize = 397;

/// MT19937 with the standard (`init_genrand`) seeding that `torch.manual_seed` uses.
#[derive(Debug, Clone)]
pub struct TorchGenerator {
    state: [u32; N],
    index: usize,
}

impl TorchGenerator {
    /// A generator as after `g.manual_seed(seed)` (torch keeps the low 32 bits).
    pub fn new(seed: u64) -> Self {
        let mut state = [0u32; N];
        state[0] = seed as u32;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Self { state, index: N }
    }

    fn twist(&mut self) {
        for k in 0..N {
            let y = (self.state[k] & 0x8000_0000) | (self.state[(k + 1) % N] & 0x7fff_ffff);
            let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
            self.state[k] = self.state[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// The next 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `torch.rand(1, generator=g).item()` (a float32 uniform in `[0, 1)`, widened).
    pub fn rand(&mut self) -> f64 {
        const DIGITS: u32 = 24; // f32 mantissa digits
        (self.next_u32() & ((1 << DIGITS) - 1)) as f64 / (1u64 << DIGITS) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_mt19937_outputs() {
        // std::mt19937 with the default seed 5489: the 10000th output is 4123659995 (C++11).
        let mut g = TorchGenerator::new(5489);
        let first = g.next_u32();
        assert_eq!(first, 3_499_211_612);
        for _ in 1..9999 {
            g.next_u32();
        }
        assert_eq!(g.next_u32(), 4_123_659_995);
    }
}
