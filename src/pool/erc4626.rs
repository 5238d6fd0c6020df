//! The ERC-4626 vault: deposit, mint, withdraw, redeem, their previews and limits.

use super::*;

impl LendingPool {
    /// The underlying asset: USDC.
    pub fn asset(&self) -> Address {
        self.addr(s::USDC)
    }

    /// `cash + totalBorrowAssets - reserves`, interest included up to now.
    pub fn total_assets(&self) -> Res<u128> {
        Ok(self.market()?.total_assets())
    }

    /// Shares for `assets` as of now, rounded as asked.
    #[inline(never)]
    pub fn shares_for(&self, assets: u128, r: Rounding) -> Res<u128> {
        vault::to_shares(
            assets,
            self.total_supply(),
            self.market()?.total_assets(),
            r,
        )
    }

    /// Assets for `shares` as of now, rounded as asked.
    #[inline(never)]
    pub fn assets_for(&self, shares: u128, r: Rounding) -> Res<u128> {
        vault::to_assets(
            shares,
            self.total_supply(),
            self.market()?.total_assets(),
            r,
        )
    }

    /// `maxDeposit(receiver)`: the most USDC a `deposit` for `receiver` can
    /// take now without reverting (EIP-4626): 0 while paused or for a receiver
    /// the pool refuses (zero, the pool itself); otherwise bounded only by the
    /// books' headroom ([`MAX_BOOKS`] of assets, `u128` pUSDC with the virtual
    /// shares), far above all the USDC there is.
    pub fn max_deposit(&self, receiver: Address) -> Res<u128> {
        if self.paused() || self.recipient(receiver).is_err() {
            return Ok(0);
        }
        let m = self.market()?;
        let held = m.cash.saturating_add(m.settling).saturating_add(m.borrowed);
        // Shares minted for `assets` round down, so the assets of the
        // supply's headroom in shares (rounded down) mint at most that.
        let supply_room = (u128::MAX - vault::VIRTUAL_SHARES).saturating_sub(self.total_supply());
        let by_supply = vault::to_assets(
            supply_room,
            self.total_supply(),
            m.total_assets(),
            Rounding::Down,
        )
        .unwrap_or(u128::MAX);
        Ok(MAX_BOOKS.saturating_sub(held).min(by_supply))
    }

    /// `maxMint(receiver)`: the most pUSDC a `mint` for `receiver` can create
    /// now without reverting: the shares of `maxDeposit` (rounded down, so
    /// they cost at most `maxDeposit`); 0 when `max_deposit` is.
    pub fn max_mint(&self, receiver: Address) -> Res<u128> {
        self.shares_for(self.max_deposit(receiver)?, Rounding::Down)
    }

    /// Deposits `assets` USDC (pulled from the caller) for `receiver`'s pUSDC,
    /// shares rounded down. Returns the shares.
    pub fn deposit(&mut self, assets: u128, receiver: Address) -> Res<u128> {
        let m = self.accrue()?;
        let shares = vault::to_shares(
            assets,
            self.total_supply(),
            m.total_assets(),
            Rounding::Down,
        )?;
        self.enter(m, assets, shares, receiver)?;
        Ok(shares)
    }

    /// Mints exactly `shares` pUSDC to `receiver`, pulling the assets
    /// (rounded up). Returns the assets.
    pub fn mint(&mut self, shares: u128, receiver: Address) -> Res<u128> {
        let m = self.accrue()?;
        let assets = vault::to_assets(shares, self.total_supply(), m.total_assets(), Rounding::Up)?;
        self.enter(m, assets, shares, receiver)?;
        Ok(assets)
    }

    /// Assets `owner` can withdraw now: their claim at the exit price
    /// (`Market::exit_assets`), capped by idle cash.
    pub fn max_withdraw(&self, owner: Address) -> Res<u128> {
        let claim = self.exit_assets_for(self.balance_of(owner))?;
        Ok(claim.min(self.market()?.cash))
    }

    /// `previewRedeem`: assets for `shares` at the exit price, rounded down.
    #[inline(never)]
    pub fn exit_assets_for(&self, shares: u128) -> Res<u128> {
        let m = self.market()?;
        vault::to_assets(shares, self.total_supply(), m.exit_assets(), Rounding::Down)
    }

    /// `previewWithdraw`: shares for `assets` at the exit price, rounded up.
    #[inline(never)]
    pub fn exit_shares_for(&self, assets: u128) -> Res<u128> {
        let m = self.market()?;
        vault::to_shares(assets, self.total_supply(), m.exit_assets(), Rounding::Up)
    }

    /// Shares `owner` can redeem now: their balance, capped by idle cash;
    /// 0 when those shares are worth 0 assets (a redeem of them would pay
    /// nothing and revert `ZeroAmount`), so `redeem(maxRedeem)` never reverts.
    pub fn max_redeem(&self, owner: Address) -> Res<u128> {
        let m = self.market()?;
        let by_cash =
            vault::to_shares(m.cash, self.total_supply(), m.exit_assets(), Rounding::Down)?;
        let max = self.balance_of(owner).min(by_cash);
        if self.exit_assets_for(max)? == 0 {
            return Ok(0);
        }
        Ok(max)
    }

    /// Withdraws exactly `assets` USDC to `receiver`, burning `owner`'s shares
    /// at the exit price (rounded up; the caller needs allowance unless it is
    /// `owner`).
    pub fn withdraw(&mut self, assets: u128, receiver: Address, owner: Address) -> Res<u128> {
        let m = self.accrue()?;
        if assets > self.max_withdraw(owner)? {
            return Err(fail!(ExceedsMaxWithdraw));
        }
        let shares = self.exit_shares_for(assets)?;
        self.exit(m, assets, shares, receiver, owner)?;
        Ok(shares)
    }

    /// Burns `owner`'s `shares` and sends the assets at the exit price
    /// (rounded down) to `receiver`.
    pub fn redeem(&mut self, shares: u128, receiver: Address, owner: Address) -> Res<u128> {
        let m = self.accrue()?;
        if shares > self.max_redeem(owner)? {
            return Err(fail!(ExceedsMaxWithdraw));
        }
        let assets = self.exit_assets_for(shares)?;
        self.exit(m, assets, shares, receiver, owner)?;
        Ok(assets)
    }

    pub(crate) fn enter(
        &mut self,
        mut m: Market,
        assets: u128,
        shares: u128,
        receiver: Address,
    ) -> Res<()> {
        if self.paused() {
            return Err(fail!(ProtocolPaused));
        }
        if assets == 0 || shares == 0 {
            return Err(fail!(ZeroAmount));
        }
        self.recipient(receiver)?;
        self.update_shares(Address::ZERO, receiver, w(shares))?;
        m.cash = add(m.cash, assets)?;
        self.store_market(&m);
        let sender = self.host().msg_sender();
        self.emit(
            Deposit::SIGNATURE_HASH,
            &[topic(sender), topic(receiver)],
            &[w(assets), w(shares)],
        );
        self.pull_usdc(sender, assets)
    }

    pub(crate) fn exit(
        &mut self,
        mut m: Market,
        assets: u128,
        shares: u128,
        receiver: Address,
        owner: Address,
    ) -> Res<()> {
        if assets == 0 || shares == 0 {
            return Err(fail!(ZeroAmount));
        }
        self.recipient(receiver)?;
        let sender = self.host().msg_sender();
        if sender != owner {
            self.spend_allowance(owner, sender, w(shares))?;
        }
        self.update_shares(owner, Address::ZERO, w(shares))?;
        m.cash = sub(m.cash, assets)?;
        self.store_market(&m);
        self.emit(
            Withdraw::SIGNATURE_HASH,
            &[topic(sender), topic(receiver), topic(owner)],
            &[w(assets), w(shares)],
        );
        self.pay_usdc(receiver, assets)
    }
}
