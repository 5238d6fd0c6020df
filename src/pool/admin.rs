//! Governance: admin transfer, timelock, proposals, pause, freeze, reserves, sweep.

use super::*;

impl LendingPool {
    /// Starts a two-step admin transfer (admin only).
    pub fn transfer_admin(&mut self, new_admin: Address) -> Res<()> {
        self.only(s::ADMIN)?;
        self.set_addr(s::PENDING_ADMIN, new_admin);
        self.emit(
            AdminTransferStarted::SIGNATURE_HASH,
            &[topic(self.addr(s::ADMIN)), topic(new_admin)],
            &[],
        );
        Ok(())
    }

    /// Completes the admin transfer (pending admin only).
    pub fn accept_admin(&mut self) -> Res<()> {
        self.only(s::PENDING_ADMIN)?;
        let (previous, sender) = (self.addr(s::ADMIN), self.host().msg_sender());
        self.set_addr(s::ADMIN, sender);
        self.set_addr(s::PENDING_ADMIN, Address::ZERO);
        self.emit(
            AdminTransferred::SIGNATURE_HASH,
            &[topic(previous), topic(sender)],
            &[],
        );
        Ok(())
    }

    /// Sets the timelock delay (admin only): it can only grow, to at most 10 days.
    pub fn activate_timelock(&mut self, delay: u64) -> Res<()> {
        self.only(s::ADMIN)?;
        governance::check_delay(self.num(s::DELAY) as u64, delay)?;
        self.set(s::DELAY, delay as u128);
        self.emit(TimelockActivated::SIGNATURE_HASH, &[], &[w(delay as u128)]);
        Ok(())
    }

    /// Proposes a new LTV curve (admin only; replaces any pending proposal).
    pub fn propose_anchors(&mut self, prices: &[U256], ltvs: &[U256]) -> Res<()> {
        self.only(s::ADMIN)?;
        let narrow = |v: &[U256]| {
            v.iter()
                .map(|x| crate::math::saturate(*x))
                .collect::<Vec<u128>>()
        };
        let c = Curve::new(&narrow(prices), &narrow(ltvs))?;
        self.store_curve(&c, s::PENDING_ANCHORS);
        self.propose(change::ANCHORS, U256::ZERO);
        Ok(())
    }

    /// Proposes a new oracle (kind 0), relayer (1) or higher pool cap (2),
    /// admin only. A cap of 0 ("no cap") counts as a raise.
    pub fn propose_change(&mut self, kind: u8, value: U256) -> Res<()> {
        self.only(s::ADMIN)?;
        kind_at_most(kind, change::POOL_CAP)?;
        if kind == change::POOL_CAP {
            governance::check_cap(crate::math::saturate(value))?;
        } else if value.is_zero() {
            return Err(fail!(ZeroAddress));
        } else if aw(Address::from_word(value.into())) != value {
            // An address passed as uint256 must be one: dirty high bits
            // would be cut at execution (2^160 would become address 0).
            return Err(fail!(InvalidCalldata));
        }
        self.save(U256::from(s::PENDING_VALUE + kind as u64), value);
        self.propose(kind, value);
        Ok(())
    }

    /// Applies the pending change of `kind` once the delay has passed (admin only).
    pub fn execute_change(&mut self, kind: u8) -> Res<()> {
        self.only(s::ADMIN)?;
        kind_at_most(kind, change::ANCHORS)?;
        governance::check_ready(self.eta(kind), self.now())?;
        self.set_proposed(kind, 0);
        if kind == change::ANCHORS {
            let c = self.load_curve(s::PENDING_ANCHORS);
            self.store_curve(&c, s::ANCHORS);
            let words = |v: &[u128; ANCHORS]| v.iter().map(|x| w(*x)).collect::<Vec<U256>>();
            let mut data = crate::abi::words(&[w(64), w(64 + 32 * (ANCHORS as u128 + 1))]);
            crate::abi::push_array(&mut data, &words(&c.prices));
            crate::abi::push_array(&mut data, &words(&c.ltvs));
            let mut bytes = AnchorsUpdated::SIGNATURE_HASH.to_vec();
            bytes.extend_from_slice(&data);
            self.host().emit_log(&bytes, 1);
            return Ok(());
        }
        let v = self.sload(U256::from(s::PENDING_VALUE + kind as u64));
        match kind {
            change::ORACLE => {
                self.store(U256::from(s::ORACLE.slot), s::ORACLE, v);
                self.emit(OracleUpdated::SIGNATURE_HASH, &[v.into()], &[]);
            }
            change::RELAYER => {
                self.store(U256::from(s::RELAYER.slot), s::RELAYER, v);
                self.emit(RelayerUpdated::SIGNATURE_HASH, &[v.into()], &[]);
            }
            _ => self.set_cap(v.saturating_to()),
        }
        Ok(())
    }

    /// Cancels the pending change of `kind` (admin only).
    pub fn cancel_change(&mut self, kind: u8) -> Res<()> {
        self.only(s::ADMIN)?;
        kind_at_most(kind, change::ANCHORS)?;
        if self.eta(kind) == 0 {
            return Err(fail!(NoPendingChange));
        }
        self.set_proposed(kind, 0);
        self.emit(
            ChangeCancelled::SIGNATURE_HASH,
            &[U256::from(kind).into()],
            &[],
        );
        Ok(())
    }

    /// Lowers the pool cap at once (admin only); raising needs the timelock.
    pub fn set_pool_cap(&mut self, bps: U256) -> Res<()> {
        self.only(s::ADMIN)?;
        let bps = crate::math::saturate(bps);
        governance::check_cap(bps)?;
        if governance::is_raise(self.num(s::POOL_CAP), bps) {
            return Err(fail!(TimelockRequired));
        }
        self.set_cap(bps);
        Ok(())
    }

    /// Pauses (admin or relayer) or unpauses (admin only).
    pub fn set_paused(&mut self, paused: bool) -> Res<()> {
        let sender = self.host().msg_sender();
        if sender != self.addr(s::ADMIN) && (!paused || sender != self.addr(s::RELAYER)) {
            return Err(fail!(Unauthorized));
        }
        self.set(s::PAUSED, paused as u128);
        self.emit(
            PauseSet::SIGNATURE_HASH,
            &[topic(sender)],
            &[w(paused as u128)],
        );
        Ok(())
    }

    /// Freezes or unfreezes a token (admin only).
    pub fn set_token_frozen(&mut self, token_id: U256, frozen: bool) -> Res<()> {
        self.only(s::ADMIN)?;
        self.setm(m::FROZEN, token_id, frozen as u128);
        self.emit(
            TokenFrozenSet::SIGNATURE_HASH,
            &[token_id.into()],
            &[w(frozen as u128)],
        );
        Ok(())
    }

    /// Pays out accrued reserves from idle cash (admin only). Lenders'
    /// `totalAssets` is unchanged: cash and reserves fall together.
    pub fn withdraw_reserves(&mut self, to: Address, amount: u128) -> Res<()> {
        self.only(s::ADMIN)?;
        nonzero(to)?;
        let mut m = self.accrue()?;
        if amount > m.reserves {
            return Err(fail!(ExceedsReserves));
        }
        if amount > m.cash {
            return Err(fail!(InsufficientLiquidity));
        }
        m.reserves -= amount;
        m.cash -= amount;
        self.store_market(&m);
        self.emit(
            ReservesWithdrawn::SIGNATURE_HASH,
            &[topic(to)],
            &[w(amount)],
        );
        self.pay_usdc(to, amount)
    }

    /// Sends USDC the pool holds beyond its accounted cash and unsettled
    /// redemptions (donations, mistakes) to `to` (admin only).
    pub fn sweep(&mut self, to: Address) -> Res<u128> {
        self.only(s::ADMIN)?;
        nonzero(to)?;
        let tracked = add(self.num(s::CASH), self.num(s::PENDING_REDEMPTIONS))?;
        let excess = self.usdc_balance()?.saturating_sub(tracked);
        if excess == 0 {
            return Err(fail!(ZeroAmount));
        }
        self.emit(Swept::SIGNATURE_HASH, &[topic(to)], &[w(excess)]);
        self.pay_usdc(to, excess)?;
        Ok(excess)
    }

    pub(crate) fn set_cap(&mut self, bps: u128) {
        self.set(s::POOL_CAP, bps);
        self.emit(PoolCapUpdated::SIGNATURE_HASH, &[], &[w(bps)]);
    }

    /// When the pending change of `kind` may run (0 = none): its proposal
    /// time plus the delay in force **now**, so raising the delay also delays
    /// changes already proposed (no proposing under a short delay and
    /// executing after users were promised a long one).
    #[inline(never)]
    pub(crate) fn eta(&self, kind: u8) -> u64 {
        let proposed = self
            .halves_at(s::PENDING_ETA + kind.min(change::ANCHORS) as u64)
            .1 as u64;
        if proposed == 0 {
            0
        } else {
            proposed + self.num(s::DELAY) as u64
        }
    }

    pub(crate) fn set_proposed(&mut self, kind: u8, at: u64) {
        self.save(U256::from(s::PENDING_ETA + kind as u64), U256::from(at));
    }

    pub(crate) fn propose(&mut self, kind: u8, value: U256) {
        self.set_proposed(kind, self.now());
        let eta = self.eta(kind);
        self.emit(
            ChangeProposed::SIGNATURE_HASH,
            &[U256::from(kind).into()],
            &[value, w(eta as u128)],
        );
    }
}
