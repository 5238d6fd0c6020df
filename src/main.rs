//! Binary target: `cargo stylus export-abi` runs it with the `export-abi`
//! feature to print the Solidity interface (and the constructor signature);
//! in the WASM build it is an empty stub.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

#[cfg(not(any(test, feature = "export-abi")))]
#[no_mangle]
pub extern "C" fn main() {}

#[cfg(feature = "export-abi")]
fn main() {
    if std::env::args().nth(1).as_deref() == Some("constructor") {
        println!("{}", predmart_pool::dispatch::CONSTRUCTOR);
    } else {
        print!("{}", predmart_pool::INTERFACE);
    }
}
