//! The on-chain price-drop guard: per token, the highest oracle price the
//! pool accepted in a rolling 3-minute window, and the rule that refuses a
//! borrow or a withdrawal with debt on a crash from it. Pure.
//!
//! An exact rolling maximum needs unbounded state, so the guard remembers
//! two fixed 3-minute buckets (bucket `k` is the times `t` with
//! `t / 180 == k`): the highest price accepted in the current bucket and in
//! the one before it. Every time in `[now - 180 s, now]` lies in one of those
//! two buckets, so the remembered high is **never below** the true maximum of
//! the prices accepted in the last 180 s (inclusive); and a price is
//! forgotten once its bucket is two behind, at most 359 s after it was
//! accepted (between 181 s and 359 s, by its place in the bucket). A guard
//! that remembers a little longer is stricter, never weaker.
//!
//! Storage per token: the bucket number (32 bits: 24,000 years) and two
//! prices (accepted prices are below 1e18 < 2^60: 60 bits each), 152 bits;
//! [`Guard::pack`] lays them out in one 160-bit storage field
//! (`store::m::GUARD`, beside the token's price time).
//!
//! Times are block timestamps at acceptance. The contract calls
//! [`Guard::observe`] for every accepted price (borrow, withdrawal,
//! liquidation, auction start and clear) and [`Guard::drops_too_far`] before
//! it, on borrows and withdrawals with debt only, reverting with the
//! proposed `PriceDropGuard()`. Observing first gives the same answer (a
//! price below the high does not change the high, one at or above it is no
//! drop), but the rule is stated against the high *before* this price.

use alloy_primitives::U256;

use crate::math::WAD;

/// Bucket length: 3 minutes, in seconds.
pub const GUARD_WINDOW: u64 = 180;
/// Relative drop that, together with [`GUARD_ABS_DROP`], refuses: 35% (WAD).
pub const GUARD_REL_DROP: u128 = 350_000_000_000_000_000;
/// Absolute drop that, together with [`GUARD_REL_DROP`], refuses: $0.08 (WAD).
pub const GUARD_ABS_DROP: u128 = 80_000_000_000_000_000;
/// Largest price the packed state records (60 bits); accepted prices are
/// below 1e18, so this never binds (a larger one is clamped).
pub const GUARD_PRICE_MAX: u64 = (1 << 60) - 1;

// The relative rule is computed as `drop > high * 7 / 20` (in `u64`: high
// < 2^60, so `7 * high` fits): exactly 35%.
const _: () = assert!(GUARD_REL_DROP * 20 == 7 * WAD);

/// A token's guard state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Guard {
    /// Bucket number (`time / 180`, 32 bits) of `current`.
    pub bucket: u64,
    /// Highest price accepted in bucket `bucket` (0: none).
    pub current: u64,
    /// Highest price accepted in bucket `bucket - 1` (0: none).
    pub previous: u64,
}

impl Guard {
    /// The state moved to the bucket of `now`: one bucket on, `current`
    /// becomes `previous`; two or more, both are forgotten. (A `now` in an
    /// earlier bucket than the state's, which block time never gives, keeps
    /// everything: stricter, never weaker.)
    fn roll(self, now: u64) -> Guard {
        let bucket = (now / GUARD_WINDOW) & u32::MAX as u64;
        let (current, previous) = match bucket.saturating_sub(self.bucket) {
            0 => (self.current, self.previous),
            1 => (0, self.current),
            _ => (0, 0),
        };
        Guard {
            bucket: bucket.max(self.bucket),
            current,
            previous,
        }
    }

    /// The state after accepting `price` at `now`.
    pub fn observe(self, price: u128, now: u64) -> Guard {
        let mut g = self.roll(now);
        g.current = g.current.max(price.min(GUARD_PRICE_MAX as u128) as u64);
        g
    }

    /// The remembered high at `now`: at least every price accepted in
    /// `[now - 180, now]`, none accepted before `now - 359` (0: none).
    pub fn high(&self, now: u64) -> u128 {
        let g = self.roll(now);
        g.current.max(g.previous) as u128
    }

    /// True when `price` at `now` is below the remembered high by **more**
    /// than 35% of it **and** by **more** than $0.08 (both strict): the
    /// borrow or withdrawal with debt is refused (`PriceDropGuard()`).
    /// `35% of high` is rounded **down**, which for an integer drop is the
    /// exact strict comparison (`drop > floor(x)` iff `drop > x`).
    pub fn drops_too_far(&self, price: u128, now: u64) -> bool {
        let high = self.high(now) as u64;
        let drop = high - price.min(high as u128) as u64;
        drop as u128 > GUARD_ABS_DROP && drop > high * 7 / 20
    }

    /// The state as its storage field: `bucket << 120 | current << 60 |
    /// previous` (152 bits).
    pub fn pack(&self) -> U256 {
        let bucket = self.bucket & u32::MAX as u64;
        U256::from_limbs([
            self.previous | (self.current << 60),
            (self.current >> 4) | (bucket << 56),
            bucket >> 8,
            0,
        ])
    }

    /// The state from its storage field.
    pub fn unpack(v: U256) -> Guard {
        let l = v.as_limbs();
        Guard {
            bucket: ((l[1] >> 56) | (l[2] << 8)) & u32::MAX as u64,
            current: ((l[0] >> 60) | (l[1] << 4)) & GUARD_PRICE_MAX,
            previous: l[0] & GUARD_PRICE_MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const C: u128 = 10_000_000_000_000_000; // $0.01
    const T0: u64 = 1_800_000_000 / GUARD_WINDOW * GUARD_WINDOW; // a bucket start

    fn at(price: u128, now: u64) -> Guard {
        Guard::default().observe(price, now)
    }

    #[test]
    fn both_thresholds_strict() {
        // High $0.80: 35% of it is $0.28 (> $0.08): the relative rule binds.
        let g = at(80 * C, T0);
        assert!(!g.drops_too_far(52 * C, T0)); // exactly 35%
        assert!(g.drops_too_far(52 * C - 1, T0)); // one wei more
        assert!(!g.drops_too_far(80 * C, T0));
        assert!(!g.drops_too_far(90 * C, T0)); // a rise
        assert!(g.drops_too_far(0, T0));
        // High $0.20: 35% is $0.07 (< $0.08): the absolute rule binds.
        let g = at(20 * C, T0);
        assert!(!g.drops_too_far(12 * C, T0)); // exactly $0.08 (40%)
        assert!(g.drops_too_far(12 * C - 1, T0)); // one wei more
        assert!(!g.drops_too_far(13 * C - 1, T0)); // 35% + 1 wei but < $0.08
                                                   // High $0.08 / 0.35 = $0.228571...: both bind at the same point.
        let h = 8 * C * 20 / 7 + 1; // 35% of h is just above $0.08
        let g = at(h, T0);
        let floor35 = h * 7 / 20;
        assert!(floor35 >= 8 * C);
        assert!(!g.drops_too_far(h - floor35, T0));
        assert!(g.drops_too_far(h - floor35 - 1, T0));
        // A high of $0.08 or less can never trigger (the drop is at most it).
        assert!(!at(8 * C, T0).drops_too_far(0, T0));
        assert!(at(8 * C + 1, T0).drops_too_far(0, T0));
        // No history: nothing to drop from.
        assert!(!Guard::default().drops_too_far(1, T0));
    }

    #[test]
    fn time_boundaries() {
        // Accepted at the start of a bucket: remembered up to 359 s.
        let g = at(80 * C, T0);
        for dt in [0, 1, 179, 180, 181, 359] {
            assert!(g.drops_too_far(40 * C, T0 + dt), "dt {dt}");
            assert_eq!(g.high(T0 + dt), 80 * C);
        }
        assert!(!g.drops_too_far(40 * C, T0 + 360));
        assert_eq!(g.high(T0 + 360), 0);
        // Accepted at the end of a bucket: remembered 180 s, forgotten at 181 s.
        let g = at(80 * C, T0 + 179);
        for dt in [0, 1, 179, 180] {
            assert!(g.drops_too_far(40 * C, T0 + 179 + dt), "dt {dt}");
        }
        assert!(!g.drops_too_far(40 * C, T0 + 179 + 181));
        assert!(!g.drops_too_far(40 * C, T0 + 179 + 360));
        // Long gaps forget everything; a new price starts afresh.
        let g = g.observe(30 * C, T0 + 10_000);
        assert_eq!(g.high(T0 + 10_000), 30 * C);
        // A lower price does not lower the high; a higher one raises it.
        let g = at(80 * C, T0).observe(50 * C, T0 + 100);
        assert_eq!(g.high(T0 + 100), 80 * C);
        let g = g.observe(90 * C, T0 + 200);
        assert_eq!(g.high(T0 + 200), 90 * C);
        // 80 was in bucket 0; at T0 + 360 only bucket 1 (90) and 2 remain.
        assert_eq!(g.high(T0 + 360), 90 * C);
        assert_eq!(g.high(T0 + 540), 0);
    }

    #[test]
    fn check_before_or_after_observe_agree() {
        let g = at(80 * C, T0);
        for p in [0, 51 * C, 52 * C, 80 * C, 99 * C] {
            assert_eq!(
                g.drops_too_far(p, T0 + 1),
                g.observe(p, T0 + 1).drops_too_far(p, T0 + 1)
            );
        }
    }

    #[test]
    fn pack_round_trips() {
        let g = at(WAD - 1, u64::MAX).observe(1, u64::MAX);
        assert_eq!(Guard::unpack(g.pack()), g);
        let g = Guard {
            bucket: 7,
            current: 3,
            previous: GUARD_PRICE_MAX,
        };
        assert_eq!(Guard::unpack(g.pack()), g);
        let v = g.pack();
        assert_eq!(
            v,
            (U256::from(7) << 120) | (U256::from(3) << 60) | U256::from(GUARD_PRICE_MAX)
        );
        let full = Guard {
            bucket: u32::MAX as u64,
            current: GUARD_PRICE_MAX,
            previous: GUARD_PRICE_MAX,
        };
        assert_eq!(full.pack(), (U256::from(1) << 152) - U256::from(1));
        assert_eq!(Guard::unpack(full.pack()), full);
        // No panic, and a clamp, on any input.
        let g = at(u128::MAX, 0);
        assert_eq!(g.current, GUARD_PRICE_MAX);
        assert!(g.drops_too_far(0, 0));
    }

    proptest! {
        /// Never weaker than the exact rolling maximum: after any sequence of
        /// accepted prices at non-decreasing times, the remembered high at
        /// `now` is at least every price accepted in `[now - 180, now]`, no
        /// price older than 359 s counts, so the guard refuses at least
        /// whenever the exact rolling-max guard would.
        #[test]
        fn never_weaker_than_rolling_max(
            start in any::<u32>(),
            steps in proptest::collection::vec((0u64..200, 1u128..1_000_000_000_000_000_000), 1..40),
            probe in 1u128..1_000_000_000_000_000_000, later in 0u64..400,
        ) {
            let mut now = start as u64;
            let mut g = Guard::unpack(Guard::default().pack());
            let mut seen: Vec<(u64, u128)> = Vec::new();
            for (dt, p) in steps {
                now += dt;
                // Check before observe, against a brute-force rolling max.
                let exact = seen.iter().filter(|(t, _)| now - t <= 180).map(|s| s.1).max().unwrap_or(0);
                let oldest = seen.iter().filter(|(t, _)| now - t < 360).map(|s| s.1).max().unwrap_or(0);
                let high = g.high(now);
                prop_assert!(high >= exact && high <= oldest, "high {} exact {} bound {}", high, exact, oldest);
                let refuse_exact = exact - exact.min(p) > GUARD_ABS_DROP
                    && (exact - exact.min(p)) * 20 > exact * 7;
                prop_assert!(!refuse_exact || g.drops_too_far(p, now));
                g = Guard::unpack(g.observe(p, now).pack());
                seen.push((now, p));
            }
            let now = now + later;
            let exact = seen.iter().filter(|(t, _)| now - t <= 180).map(|s| s.1).max().unwrap_or(0);
            prop_assert!(g.high(now) >= exact);
            let drop = exact - exact.min(probe);
            if drop > GUARD_ABS_DROP && drop * 20 > exact * 7 {
                prop_assert!(g.drops_too_far(probe, now));
            }
        }

        /// The refusal rule is exactly "drop > 35% of high and drop > $0.08".
        #[test]
        fn refusal_is_the_stated_rule(high in 1u128..1_000_000_000_000_000_000, p in 0u128..1_000_000_000_000_000_000) {
            let g = at(high, T0);
            let drop = high - high.min(p);
            prop_assert_eq!(g.drops_too_far(p, T0 + 1), drop > GUARD_ABS_DROP && drop * 20 > high * 7);
        }
    }
}
