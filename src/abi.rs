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

/// Arguments of one call (calldata after the selector).
pub struct Args<'a>(pub &'a [u8]);

fn bad() -> Error {
    Error::InvalidCalldata
}

impl<'a> Args<'a> {
    /// The 32 bytes at byte offset `at`.
    fn slot(&self, at: usize) -> Result<&'a [u8]> {
        self.0.get(at..at.checked_add(32).ok_or_else(bad)?).ok_or_else(bad)
    }

    /// Head word `i` as `uint256`.
    #[inline(never)]
    pub fn word(&self, i: usize) -> Result<U256> {
        Ok(U256::from_be_slice(self.slot(i * 32)?))
    }

    /// Head word `i` as a value below `2^bits` (address 160, bool 1, uint8 8, uint64 64).
    #[inline(never)]
    fn narrow(&self, i: usize, bits: usize) -> Result<U256> {
        let w = self.word(i)?;
        if w.bit_len() > bits {
            return Err(bad());
        }
        Ok(w)
    }

    /// Head word `i` as `address`.
    #[inline(never)]
    pub fn addr(&self, i: usize) -> Result<Address> {
        Ok(Address::from_word(self.narrow(i, 160)?.into()))
    }

    /// Head word `i` as `bool`.
    pub fn flag(&self, i: usize) -> Result<bool> {
        Ok(!self.narrow(i, 1)?.is_zero())
    }

    /// Head word `i` as `uint8`.
    pub fn byte(&self, i: usize) -> Result<u8> {
        Ok(self.narrow(i, 8)?.to())
    }

    /// Head word `i` as `uint64`.
    pub fn u64(&self, i: usize) -> Result<u64> {
        Ok(self.narrow(i, 64)?.to())
    }

    /// The dynamic argument whose offset is head word `i`: `(length, body start)`.
    #[inline(never)]
    fn tail(&self, i: usize) -> Result<(usize, usize)> {
        let off = self.narrow(i, 32)?.to::<usize>();
        let len = U256::from_be_slice(self.slot(off)?);
        if len.bit_len() > 32 {
            return Err(bad());
        }
        Ok((len.to(), off + 32))
    }

    /// Head word `i` as `bytes`.
    #[inline(never)]
    pub fn bytes(&self, i: usize) -> Result<&'a [u8]> {
        let (len, start) = self.tail(i)?;
        self.0.get(start..start + len).ok_or_else(bad)
    }

    /// Head word `i` as `uint256[]`.
    #[inline(never)]
    pub fn words(&self, i: usize) -> Result<Vec<U256>> {
        let (len, start) = self.tail(i)?;
        let body = Args(self.0.get(start..).ok_or_else(bad)?);
        (0..len).map(|j| body.word(j)).collect()
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

    #[test]
    fn decodes_static_words() {
        let a = Address::repeat_byte(0x11);
        let enc = (a, U256::from(7), true, 200u8).abi_encode_params();
        let args = Args(&enc);
        assert_eq!(args.addr(0).unwrap(), a);
        assert_eq!(args.word(1).unwrap(), U256::from(7));
        assert!(args.flag(2).unwrap());
        assert_eq!(args.byte(3).unwrap(), 200);
        assert_eq!(args.word(4), Err(Error::InvalidCalldata));
    }

    #[test]
    fn rejects_dirty_narrow_values() {
        let enc = words(&[U256::MAX, U256::from(2), U256::from(256)]);
        let args = Args(&enc);
        assert_eq!(args.addr(0), Err(Error::InvalidCalldata));
        assert_eq!(args.flag(1), Err(Error::InvalidCalldata));
        assert_eq!(args.byte(2), Err(Error::InvalidCalldata));
        assert_eq!(args.u64(0), Err(Error::InvalidCalldata));
    }

    #[test]
    fn decodes_dynamic_arguments() {
        let sig = vec![0xabu8; 65];
        let arr = vec![U256::from(1), U256::from(2), U256::from(3)];
        type T = (sol_data::Uint<256>, sol_data::Bytes, sol_data::Array<sol_data::Uint<256>>);
        let enc = T::abi_encode_params(&(U256::from(9), sig.clone().into(), arr.clone()));
        let args = Args(&enc);
        assert_eq!(args.word(0).unwrap(), U256::from(9));
        assert_eq!(args.bytes(1).unwrap(), &sig[..]);
        assert_eq!(args.words(2).unwrap(), arr);
    }

    #[test]
    fn rejects_out_of_bounds_dynamic_arguments() {
        // Offset past the end, huge length, truncated body.
        let enc = words(&[U256::from(1000)]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
        let enc = words(&[U256::from(32), U256::MAX]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
        let enc = words(&[U256::from(32), U256::from(40), U256::ZERO]);
        assert_eq!(Args(&enc).bytes(0), Err(Error::InvalidCalldata));
        assert_eq!(Args(&enc).words(0), Err(Error::InvalidCalldata));
        let enc = words(&[U256::MAX]);
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
    }
}
