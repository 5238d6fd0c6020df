//! Interest accrual: the market totals brought up to date, loaded and stored.

use super::*;

impl LendingPool {
    /// The pool's time (see `clock`): the one place time is read.
    pub fn now(&self) -> u64 {
        clock::now(self.host().block_timestamp())
    }

    /// Totals as stored, with interest up to now applied (not stored).
    #[inline(never)]
    pub(crate) fn market_with_accrual(&self) -> Res<(Market, interest::Accrual)> {
        // LAST_ACCRUAL: time in bits 0..64, reserve carry in 64..128,
        // interest carry in 128..256 (see `store::s::LAST_ACCRUAL`).
        let (interest_carry, low) = self.halves_at(s::LAST_ACCRUAL.slot);
        let (settling, reserves) = self.halves_at(s::RESERVES);
        let (borrow_shares, borrowed) = self.halves_at(s::BOOKS_DEBT);
        let stored = Market {
            cash: self.halves_at(s::BOOKS_CASH).1,
            borrowed,
            borrow_shares,
            reserves,
            settling,
            carry: interest::Carry {
                interest: interest_carry,
                reserve: low >> 64,
            },
        };
        let last = low as u64;
        stored.accrued(self.now().saturating_sub(last))
    }

    /// Totals as of now (views read "as of now" without writing).
    #[inline(never)]
    pub fn market(&self) -> Res<Market> {
        Ok(self.market_with_accrual()?.0)
    }

    /// Accrues interest into storage (anyone may call `accrueInterest`);
    /// returns the up-to-date totals.
    #[inline(never)]
    pub fn accrue(&mut self) -> Res<Market> {
        let (m, a) = self.market_with_accrual()?;
        // The time and the remainders carried to the next accrual.
        let c = m.carry;
        let low = (c.reserve << 64) | self.now() as u128;
        self.save(U256::from(s::LAST_ACCRUAL.slot), join(c.interest, low));
        // The pool cap's window sees lenders' assets before every change
        // (and after it: `store_market`).
        self.observe_cap(&m);
        if a.interest != 0 {
            self.store_market(&m);
            self.emit(
                InterestAccrued::SIGNATURE_HASH,
                &[],
                &[w(a.interest), w(a.reserve_fee), w(m.borrowed)],
            );
        }
        Ok(m)
    }

    /// Stores the totals. Reserves take every write-off first
    /// (`Market::absorb`); as a last guard they are also capped at `cash +
    /// borrowed`, so the protocol's claim never exceeds what the pool has.
    #[inline(never)]
    pub(crate) fn store_market(&mut self, m: &Market) {
        self.observe_cap(m);
        self.set(s::CASH, m.cash);
        self.save(U256::from(s::BOOKS_DEBT), join(m.borrow_shares, m.borrowed));
        let reserves = m
            .reserves
            .min(m.cash.saturating_add(m.settling).saturating_add(m.borrowed));
        self.save(U256::from(s::RESERVES), join(m.settling, reserves));
    }
}
