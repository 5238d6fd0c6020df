//! Hand-written ABI decoding of calldata and encoding of return data.
//!
//! The contract dispatches calls itself (see `dispatch`) instead of through
//! the SDK's generated router: generic decoding for ~90 functions does not fit
//! in 24 KiB. Decoding is strict, as Solidity's: short calldata, an address or
//! bool with dirty high bits, or a dynamic argument pointing outside the
//! calldata is [`Error::InvalidCalldata`], never a panic.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};

use crate::errors::{Error, Result};

/// `bytes4(keccak256(signature))`, at compile time.
pub const fn selector(signature: &str) -> [u8; 4] {
    let h = stylus_sdk::keccak_const::Keccak256::new()
        .update(signature.as_bytes())
        .finalize();
    [h[0], h[1], h[2], h[3]]
}

/// Calldata for `selector(words...)` (static arguments only).
pub fn calldata(selector: [u8; 4], args: &[U256]) -> Vec<u8> {
    let mut out = selector.to_vec();
    out.extend_from_slice(&words(args));
    out
}

/// The static shape of a function's parameters, derived at compile time
/// from its Solidity signature: how many head words, and which of them must
/// be an `address`, `bool` or `uint8` (checked for clean high bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Head words.
    pub words: u8,
    /// Positions holding an `address`.
    pub addrs: u16,
    /// Positions holding a `bool`.
    pub bools: u16,
    /// Positions holding a `uint8`.
    pub bytes: u16,
}

const fn starts_with(s: &[u8], from: usize, to: usize, p: &[u8]) -> bool {
    if to - from != p.len() {
        return false;
    }
    let mut i = 0;
    while i < p.len() {
        if s[from + i] != p[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Parses `name(type,type,...)` into a [`Shape`].
pub const fn shape(signature: &str) -> Shape {
    let s = signature.as_bytes();
    let mut i = 0;
    while s[i] != b'(' {
        i += 1;
    }
    let mut sh = Shape {
        words: 0,
        addrs: 0,
        bools: 0,
        bytes: 0,
    };
    let mut start = i + 1;
    i += 1;
    while i < s.len() {
        if s[i] == b',' || s[i] == b')' {
            if i > start {
                let bit = 1u16 << sh.words;
                if starts_with(s, start, i, b"address") {
                    sh.addrs |= bit;
                } else if starts_with(s, start, i, b"bool") {
                    sh.bools |= bit;
                } else if starts_with(s, start, i, b"uint8") {
                    sh.bytes |= bit;
                }
                sh.words += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    sh
}

/// Arguments of one call (calldata after the selector).
pub struct Args<'a>(pub &'a [u8]);

fn bad() -> Error {
    Error::InvalidCalldata
}

const ZERO_WORD: [u8; 32] = [0; 32];

impl<'a> Args<'a> {
    /// Checks the head against `shape`: long enough, and every address,
    /// bool and uint8 word free of dirty high bits (as Solidity's decoder).
    pub fn check(&self, shape: Shape) -> Result<()> {
        if self.0.len() < shape.words as usize * 32 {
            return Err(bad());
        }
        for i in 0..shape.words as usize {
            let w = self.raw(i);
            let bit = 1u16 << i;
            let clean = if shape.addrs & bit != 0 {
                w[..12].iter().all(|b| *b == 0)
            } else if shape.bools & bit != 0 {
                w[..31].iter().all(|b| *b == 0) && w[31] <= 1
            } else if shape.bytes & bit != 0 {
                w[..31].iter().all(|b| *b == 0)
            } else {
                true
            };
            if !clean {
                return Err(bad());
            }
        }
        Ok(())
    }

    /// The 32 bytes of head word `i` (zeros past the end: callers check first).
    fn raw(&self, i: usize) -> &'a [u8] {
        self.0.get(i * 32..i * 32 + 32).unwrap_or(&ZERO_WORD)
    }

    /// Head word `i` as `uint256` / `bytes32`.
    #[inline(never)]
    pub fn w(&self, i: usize) -> U256 {
        U256::from_be_slice(self.raw(i))
    }

    /// Head word `i` as a money amount or WAD value; words above
    /// `u128::MAX` saturate (for repay and limits, "max uint" means "all").
    #[inline(never)]
    pub fn n(&self, i: usize) -> u128 {
        crate::math::saturate(self.w(i))
    }

    /// Head word `i` as `address` (checked clean by [`Args::check`]).
    #[inline(never)]
    pub fn a(&self, i: usize) -> Address {
        Address::from_slice(&self.raw(i)[12..])
    }

    /// Head word `i` as `bool` / `uint8` (checked clean by [`Args::check`]).
    pub fn b(&self, i: usize) -> u8 {
        self.raw(i)[31]
    }

    /// The dynamic argument whose offset is head word `i`: `(length, body start)`.
    fn tail(&self, i: usize) -> Result<(usize, usize)> {
        let off = self.w(i);
        if off.bit_len() > 32 {
            return Err(bad());
        }
        let off = off.to::<usize>();
        let len = U256::from_be_slice(
            self.0
                .get(off..off.checked_add(32).ok_or_else(bad)?)
                .ok_or_else(bad)?,
        );
        if len.bit_len() > 32 {
            return Err(bad());
        }
        Ok((len.to(), off.checked_add(32).ok_or_else(bad)?))
    }

    /// Head word `i` as `bytes`.
    #[inline(never)]
    pub fn bytes(&self, i: usize) -> Result<&'a [u8]> {
        let (len, start) = self.tail(i)?;
        self.0
            .get(start..start.checked_add(len).ok_or_else(bad)?)
            .ok_or_else(bad)
    }

    /// Head word `i` as `uint256[]`.
    #[inline(never)]
    pub fn words(&self, i: usize) -> Result<Vec<U256>> {
        let (len, start) = self.tail(i)?;
        // `len` is checked against the calldata before any arithmetic that
        // could wrap (usize is 32 bits on wasm32) or allocation.
        if len > self.0.len() / 32 {
            return Err(bad());
        }
        let body = self.0.get(start..start + len * 32).ok_or_else(bad)?;
        Ok((0..len).map(|j| Args(body).w(j)).collect())
    }
}

/// Encodes static return values, one word each.
#[inline(never)]
pub fn words(ws: &[U256]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ws.len() * 32);
    for w in ws {
        out.extend_from_slice(&w.to_be_bytes::<32>());
    }
    out
}

/// An address as a word.
pub fn aw(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// Appends `bytes` as an ABI tail (length word, data padded to 32).
pub fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&U256::from(bytes.len()).to_be_bytes::<32>());
    out.extend_from_slice(bytes);
    out.resize(out.len() + (32 - bytes.len() % 32) % 32, 0);
}

/// Appends `ws` as a `uint256[]` tail.
pub fn push_array(out: &mut Vec<u8>, ws: &[U256]) {
    out.extend_from_slice(&U256::from(ws.len()).to_be_bytes::<32>());
    out.extend_from_slice(&words(ws));
}

/// Encodes a single `string` return value.
pub fn string(s: &str) -> Vec<u8> {
    let mut out = words(&[U256::from(32)]);
    push_bytes(&mut out, s.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::{sol_data, SolType, SolValue};

    const ALL: Shape = shape("f(address,uint256,bool,uint8)");

    #[test]
    fn shapes_from_signatures() {
        assert_eq!(
            ALL,
            Shape {
                words: 4,
                addrs: 1,
                bools: 4,
                bytes: 8
            }
        );
        assert_eq!(
            shape("acceptAdmin()"),
            Shape {
                words: 0,
                addrs: 0,
                bools: 0,
                bytes: 0
            }
        );
        let s = shape("onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)");
        assert_eq!((s.words, s.addrs), (5, 3));
        assert_eq!(shape("g(uint256,address)").addrs, 2);
    }

    #[test]
    fn decodes_static_words() {
        let a = Address::repeat_byte(0x11);
        let enc = <(
            sol_data::Address,
            sol_data::Uint<256>,
            sol_data::Bool,
            sol_data::Uint<8>,
        )>::abi_encode_params(&(a, U256::from(7), true, 200u8));
        let args = Args(&enc);
        assert_eq!(args.check(ALL), Ok(()));
        assert_eq!(args.a(0), a);
        assert_eq!(args.w(1), U256::from(7));
        assert_eq!(args.n(1), 7);
        assert_eq!(args.b(2), 1);
        assert_eq!(args.b(3), 200);
        assert_eq!(Args(&enc[..127]).check(ALL), Err(Error::InvalidCalldata));
        assert_eq!(Args(&words(&[U256::MAX])).n(0), u128::MAX);
    }

    #[test]
    fn rejects_dirty_narrow_values() {
        let ok = [U256::from(1), U256::from(2), U256::from(1), U256::from(255)];
        assert_eq!(Args(&words(&ok)).check(ALL), Ok(()));
        for (i, bad) in [
            (0, U256::from(1) << 160),
            (2, U256::from(2)),
            (3, U256::from(256)),
        ] {
            let mut ws = ok;
            ws[i] = bad;
            assert_eq!(
                Args(&words(&ws)).check(ALL),
                Err(Error::InvalidCalldata),
                "word {i}"
            );
        }
    }

    #[test]
    fn decodes_dynamic_arguments() {
        let sig = vec![0xabu8; 65];
        let arr = vec![U256::from(1), U256::from(2), U256::from(3)];
        type T = (
            sol_data::Uint<256>,
            sol_data::Bytes,
            sol_data::Array<sol_data::Uint<256>>,
        );
        let enc = T::abi_encode_params(&(
            U256::from(9),
            alloy_primitives::Bytes::from(sig.clone()),
            arr.clone(),
        ));
        let args = Args(&enc);
        assert_eq!(args.w(0), U256::from(9));
        assert_eq!(args.bytes(1).unwrap(), &sig[..]);
        assert_eq!(args.words(2).unwrap(), arr);
    }

    #[test]
    fn rejects_out_of_bounds_dynamic_arguments() {
        // Offset past the end, huge offset, huge length, truncated body.
        let enc = words(&[U256::from(1000)]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
        let enc = words(&[U256::MAX]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
        let enc = words(&[U256::from(32), U256::MAX]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
        let enc = words(&[U256::from(32), U256::from(40), U256::ZERO]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
        assert_eq!(Args(&enc).words(0), Err(Error::InvalidCalldata));
        // A length whose byte size would wrap a 32-bit usize.
        let enc = words(&[U256::from(32), U256::from(0x0800_0000u64)]);
        assert_eq!(Args(&enc).words(0), Err(Error::InvalidCalldata));
        let enc = words(&[U256::from(32), U256::from(u32::MAX)]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
    }

    #[test]
    fn encodes_like_alloy() {
        assert_eq!(string("pUSDC"), "pUSDC".to_string().abi_encode());
        let mut out = words(&[U256::from(32)]);
        push_array(&mut out, &[U256::from(5), U256::from(6)]);
        assert_eq!(out, vec![U256::from(5), U256::from(6)].abi_encode());
        let mut out = Vec::new();
        push_bytes(&mut out, &[1, 2, 3]);
        assert_eq!(out.len(), 64);
        assert_eq!(
            selector("transfer(address,uint256)"),
            [0xa9, 0x05, 0x9c, 0xbb]
        );
        assert_eq!(calldata([1, 2, 3, 4], &[U256::from(5)]).len(), 36);
    }
}
