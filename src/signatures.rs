//! EIP-712 typed data: the domain, the five signed structs, and 65-byte
//! signature parsing with the high-s (malleability) check.
//!
//! Pure hashing; the contract does the `ecrecover` call and the EIP-1271
//! fallback. Type strings are public so off-chain signers can build the same
//! typed data (see `abi/` and `scripts/`).

use alloy_primitives::{keccak256, Address, B256, U256};

/// `EIP712Domain(...)` type string.
pub const DOMAIN_TYPE: &str =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
/// The domain's `name`.
pub const NAME: &str = "PredMart Lending Pool";
/// The domain's `version`.
pub const VERSION: &str = "1";
/// Borrower's intent to borrow.
pub const BORROW_INTENT_TYPE: &str =
    "BorrowIntent(address borrower,uint256 tokenId,uint256 amount,uint256 nonce,uint256 deadline)";
/// Borrower's intent to withdraw collateral.
pub const WITHDRAW_INTENT_TYPE: &str = "WithdrawIntent(address borrower,address to,uint256 tokenId,uint256 amount,uint256 nonce,uint256 deadline)";
/// Oracle's price attestation.
pub const PRICE_DATA_TYPE: &str =
    "PriceData(uint256 tokenId,uint256 price,uint256 timestamp,uint256 maxBorrow)";
/// Oracle's market resolution.
pub const RESOLUTION_TYPE: &str = "Resolution(uint256 tokenId,bool won,uint256 timestamp)";
/// Oracle's market schedule: when the token's outcome is expected
/// (`endTime`, 0: none), for the threshold decay (see `schedule`).
pub const MARKET_SCHEDULE_TYPE: &str =
    "MarketSchedule(uint256 tokenId,uint256 endTime,uint256 timestamp)";

/// secp256k1 order / 2: an `s` above it is the malleable twin.
pub const HALF_ORDER: U256 = U256::from_limbs([
    0xDFE92F46681B20A0,
    0x5D576E7357A4501D,
    0xFFFFFFFFFFFFFFFF,
    0x7FFFFFFFFFFFFFFF,
]);

fn word_addr(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// keccak256 of the concatenated 32-byte words.
pub fn hash_words(words: &[U256]) -> B256 {
    let mut buf = alloc::vec::Vec::with_capacity(words.len() * 32);
    for w in words {
        buf.extend_from_slice(&w.to_be_bytes::<32>());
    }
    keccak256(&buf)
}

fn type_hash(t: &str) -> U256 {
    keccak256(t.as_bytes()).into()
}

/// The domain separator for `chain_id` and the pool at `verifying_contract`.
pub fn domain_separator(chain_id: u64, verifying_contract: Address) -> B256 {
    hash_words(&[
        type_hash(DOMAIN_TYPE),
        keccak256(NAME.as_bytes()).into(),
        keccak256(VERSION.as_bytes()).into(),
        U256::from(chain_id),
        word_addr(verifying_contract),
    ])
}

/// The digest a signer signs: `keccak256(0x1901 ‖ domain ‖ structHash)`.
pub fn digest(domain: B256, struct_hash: B256) -> B256 {
    let mut buf = [0u8; 66];
    buf[0] = 0x19;
    buf[1] = 0x01;
    buf[2..34].copy_from_slice(domain.as_slice());
    buf[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(buf)
}

/// `hashStruct(BorrowIntent)`.
pub fn borrow_intent_hash(
    borrower: Address,
    token_id: U256,
    amount: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    hash_words(&[
        type_hash(BORROW_INTENT_TYPE),
        word_addr(borrower),
        token_id,
        amount,
        nonce,
        deadline,
    ])
}

/// `hashStruct(WithdrawIntent)`.
pub fn withdraw_intent_hash(
    borrower: Address,
    to: Address,
    token_id: U256,
    amount: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    hash_words(&[
        type_hash(WITHDRAW_INTENT_TYPE),
        word_addr(borrower),
        word_addr(to),
        token_id,
        amount,
        nonce,
        deadline,
    ])
}

/// `hashStruct(PriceData)`.
pub fn price_data_hash(token_id: U256, price: U256, timestamp: U256, max_borrow: U256) -> B256 {
    hash_words(&[
        type_hash(PRICE_DATA_TYPE),
        token_id,
        price,
        timestamp,
        max_borrow,
    ])
}

/// `hashStruct(Resolution)`.
pub fn resolution_hash(token_id: U256, won: bool, timestamp: U256) -> B256 {
    hash_words(&[
        type_hash(RESOLUTION_TYPE),
        token_id,
        U256::from(won as u8),
        timestamp,
    ])
}

/// `hashStruct(MarketSchedule)`.
pub fn market_schedule_hash(token_id: U256, end_time: U256, timestamp: U256) -> B256 {
    hash_words(&[
        type_hash(MARKET_SCHEDULE_TYPE),
        token_id,
        end_time,
        timestamp,
    ])
}

/// A signature split for `ecrecover`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// 27 or 28.
    pub v: u8,
    /// `r`.
    pub r: B256,
    /// `s`, at most half the curve order.
    pub s: B256,
}

/// Splits `r ‖ s ‖ v`. `None` unless exactly 65 bytes, `v` is 27 or 28, and
/// `s` is in the lower half order (the high-s twin is rejected).
pub fn parse(sig: &[u8]) -> Option<Parsed> {
    if sig.len() != 65 {
        return None;
    }
    let v = sig[64];
    let s = B256::from_slice(&sig[32..64]);
    if (v != 27 && v != 28) || U256::from_be_bytes(s.0) > HALF_ORDER {
        return None;
    }
    Some(Parsed {
        v,
        r: B256::from_slice(&sig[..32]),
        s,
    })
}

/// The input to the `ecrecover` precompile: `hash ‖ v ‖ r ‖ s`, 128 bytes.
pub fn ecrecover_input(hash: B256, p: &Parsed) -> [u8; 128] {
    let mut buf = [0u8; 128];
    buf[..32].copy_from_slice(hash.as_slice());
    buf[63] = p.v;
    buf[64..96].copy_from_slice(p.r.as_slice());
    buf[96..].copy_from_slice(p.s.as_slice());
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, hex};

    #[test]
    fn half_order_is_n_over_2() {
        let n = U256::from_be_bytes(hex!(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
        ));
        assert_eq!(HALF_ORDER, n >> 1);
    }

    #[test]
    fn domain_type_hash_is_the_standard_one() {
        assert_eq!(
            keccak256(DOMAIN_TYPE.as_bytes()),
            b256!("8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f")
        );
    }

    #[test]
    fn digest_layout() {
        let d = domain_separator(421614, address!("00000000000000000000000000000000000000aa"));
        let s = price_data_hash(U256::from(1), U256::from(2), U256::from(3), U256::ZERO);
        let mut pre = vec![0x19, 0x01];
        pre.extend_from_slice(d.as_slice());
        pre.extend_from_slice(s.as_slice());
        assert_eq!(digest(d, s), keccak256(&pre));
        // Chain and contract are both bound into the domain.
        assert_ne!(
            d,
            domain_separator(42161, address!("00000000000000000000000000000000000000aa"))
        );
        assert_ne!(
            d,
            domain_separator(421614, address!("00000000000000000000000000000000000000ab"))
        );
    }

    #[test]
    fn market_schedule_matches_alloy_eip712() {
        use alloy_sol_types::{eip712_domain, sol, SolStruct};
        sol! {
            struct MarketSchedule {
                uint256 tokenId;
                uint256 endTime;
                uint256 timestamp;
            }
        }
        let m = MarketSchedule {
            tokenId: U256::from(12_345),
            endTime: U256::from(1_800_000_000u64),
            timestamp: U256::from(1_799_000_000u64),
        };
        assert_eq!(MarketSchedule::eip712_encode_type(), MARKET_SCHEDULE_TYPE);
        assert_eq!(
            market_schedule_hash(m.tokenId, m.endTime, m.timestamp),
            m.eip712_hash_struct()
        );
        let pool = address!("00000000000000000000000000000000000000aa");
        let domain = eip712_domain! {
            name: NAME,
            version: VERSION,
            chain_id: 421614,
            verifying_contract: pool,
        };
        assert_eq!(domain_separator(421614, pool), domain.separator());
        assert_eq!(
            digest(
                domain_separator(421614, pool),
                market_schedule_hash(m.tokenId, m.endTime, m.timestamp)
            ),
            m.eip712_signing_hash(&domain)
        );
        // endTime 0 (clear) hashes as a plain zero word.
        let clear = MarketSchedule {
            endTime: U256::ZERO,
            ..m
        };
        assert_eq!(
            market_schedule_hash(clear.tokenId, U256::ZERO, clear.timestamp),
            clear.eip712_hash_struct()
        );
    }

    #[test]
    fn parse_rejects_bad_shapes() {
        let mut sig = [1u8; 65];
        sig[64] = 27;
        assert!(parse(&sig).is_some());
        sig[64] = 28;
        assert!(parse(&sig).is_some());
        for v in [0u8, 1, 26, 29] {
            sig[64] = v;
            assert!(parse(&sig).is_none());
        }
        sig[64] = 27;
        assert!(parse(&sig[..64]).is_none());
        let mut long = sig.to_vec();
        long.push(0);
        assert!(parse(&long).is_none());
        // High s.
        sig[32..64].copy_from_slice(&(HALF_ORDER + U256::from(1)).to_be_bytes::<32>());
        assert!(parse(&sig).is_none());
        sig[32..64].copy_from_slice(&HALF_ORDER.to_be_bytes::<32>());
        assert!(parse(&sig).is_some());
    }
}
