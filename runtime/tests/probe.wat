;; A test program for stylus-runtime: the first calldata byte selects an
;; operation, the rest are its operands (see tests/hostio.rs for layouts).
;; Calldata is read to 1024, so operand byte i (after the op) is at 1025+i.
(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "native_keccak256" (func $keccak (param i32 i32 i32)))
  (import "vm_hooks" "account_balance" (func $balance (param i32 i32)))
  (import "vm_hooks" "account_code_size" (func $code_size (param i32) (result i32)))
  (import "vm_hooks" "account_codehash" (func $code_hash (param i32 i32)))
  (import "vm_hooks" "account_code" (func $code (param i32 i32 i32 i32) (result i32)))
  (import "vm_hooks" "emit_log" (func $emit_log (param i32 i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $load (param i32 i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "static_call_contract" (func $static_call (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "delegate_call_contract" (func $delegate_call (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "read_return_data" (func $read_return_data (param i32 i32 i32) (result i32)))
  (import "vm_hooks" "return_data_size" (func $return_data_size (result i32)))
  (import "vm_hooks" "msg_reentrant" (func $msg_reentrant (result i32)))
  (import "vm_hooks" "msg_sender" (func $msg_sender (param i32)))
  (import "vm_hooks" "msg_value" (func $msg_value (param i32)))
  (import "vm_hooks" "contract_address" (func $contract_address (param i32)))
  (import "vm_hooks" "tx_origin" (func $tx_origin (param i32)))
  (import "vm_hooks" "block_timestamp" (func $block_timestamp (result i64)))
  (import "vm_hooks" "block_number" (func $block_number (result i64)))
  (import "vm_hooks" "chainid" (func $chainid (result i64)))
  (import "vm_hooks" "block_gas_limit" (func $block_gas_limit (result i64)))
  (import "vm_hooks" "block_basefee" (func $block_basefee (param i32)))
  (import "vm_hooks" "block_coinbase" (func $block_coinbase (param i32)))
  (import "vm_hooks" "tx_gas_price" (func $tx_gas_price (param i32)))
  (import "vm_hooks" "tx_ink_price" (func $tx_ink_price (result i32)))
  (import "vm_hooks" "evm_gas_left" (func $evm_gas_left (result i64)))
  (import "vm_hooks" "evm_ink_left" (func $evm_ink_left (result i64)))
  (import "vm_hooks" "pay_for_memory_grow" (func $pay_for_memory_grow (param i32)))
  (memory (export "memory") 1)

  ;; Writes status byte ‖ return data of the last call at 4096; returns 1+len.
  (func $status_and_data (param $status i32) (result i32)
    (local $n i32)
    (i32.store8 (i32.const 4096) (local.get $status))
    (local.set $n (call $read_return_data (i32.const 4097) (i32.const 0) (call $return_data_size)))
    (i32.add (i32.const 1) (local.get $n)))

  (func (export "user_entrypoint") (param $len i32) (result i32)
    (local $op i32)
    (local $n i32)
    (call $pay_for_memory_grow (i32.const 0))
    (call $read_args (i32.const 1024))
    (local.set $op (i32.load8_u (i32.const 1024)))

    ;; 0: echo operands
    (if (i32.eq (local.get $op) (i32.const 0)) (then
      (call $write_result (i32.const 1025) (i32.sub (local.get $len) (i32.const 1)))
      (return (i32.const 0))))
    ;; 1: keccak256(operands)
    (if (i32.eq (local.get $op) (i32.const 1)) (then
      (call $keccak (i32.const 1025) (i32.sub (local.get $len) (i32.const 1)) (i32.const 4096))
      (call $write_result (i32.const 4096) (i32.const 32))
      (return (i32.const 0))))
    ;; 2: balance(address)
    (if (i32.eq (local.get $op) (i32.const 2)) (then
      (call $balance (i32.const 1025) (i32.const 4096))
      (call $write_result (i32.const 4096) (i32.const 32))
      (return (i32.const 0))))
    ;; 3: code size (u32 LE) ‖ code hash of address
    (if (i32.eq (local.get $op) (i32.const 3)) (then
      (i32.store (i32.const 4096) (call $code_size (i32.const 1025)))
      (call $code_hash (i32.const 1025) (i32.const 4100))
      (call $write_result (i32.const 4096) (i32.const 36))
      (return (i32.const 0))))
    ;; 4: emit_log(topic count, topics ‖ data)
    (if (i32.eq (local.get $op) (i32.const 4)) (then
      (call $emit_log (i32.const 1026) (i32.sub (local.get $len) (i32.const 2)) (i32.load8_u (i32.const 1025)))
      (return (i32.const 0))))
    ;; 5: revert with operands as data
    (if (i32.eq (local.get $op) (i32.const 5)) (then
      (call $write_result (i32.const 1025) (i32.sub (local.get $len) (i32.const 1)))
      (return (i32.const 1))))
    ;; 6: trap
    (if (i32.eq (local.get $op) (i32.const 6)) (then unreachable))
    ;; 7: store key=1025 value=1057, flush
    (if (i32.eq (local.get $op) (i32.const 7)) (then
      (call $cache (i32.const 1025) (i32.const 1057))
      (call $flush (i32.const 0))
      (return (i32.const 0))))
    ;; 8: load key=1025
    (if (i32.eq (local.get $op) (i32.const 8)) (then
      (call $load (i32.const 1025) (i32.const 4096))
      (call $write_result (i32.const 4096) (i32.const 32))
      (return (i32.const 0))))
    ;; 9: call target=1025 value=1045 data=1077.. ; returns status ‖ return data
    (if (i32.eq (local.get $op) (i32.const 9)) (then
      (call $write_result (i32.const 4096) (call $status_and_data
        (call $call (i32.const 1025) (i32.const 1077) (i32.sub (local.get $len) (i32.const 53))
                    (i32.const 1045) (i64.const -1) (i32.const 4000))))
      (return (i32.const 0))))
    ;; 10: static call target=1025 data=1045..
    (if (i32.eq (local.get $op) (i32.const 10)) (then
      (call $write_result (i32.const 4096) (call $status_and_data
        (call $static_call (i32.const 1025) (i32.const 1045) (i32.sub (local.get $len) (i32.const 21))
                           (i64.const -1) (i32.const 4000))))
      (return (i32.const 0))))
    ;; 11: flag=1025 key=1026 value=1058 target=1090 data=1110..:
    ;;     cache key=value, flush first if flag, call target, flush; status ‖ data
    (if (i32.eq (local.get $op) (i32.const 11)) (then
      (call $cache (i32.const 1026) (i32.const 1058))
      (if (i32.load8_u (i32.const 1025)) (then (call $flush (i32.const 0))))
      (local.set $n (call $status_and_data
        (call $call (i32.const 1090) (i32.const 1110) (i32.sub (local.get $len) (i32.const 86))
                    (i32.const 8192) (i64.const -1) (i32.const 4000))))
      (call $flush (i32.const 0))
      (call $write_result (i32.const 4096) (local.get $n))
      (return (i32.const 0))))
    ;; 12: spin forever
    (if (i32.eq (local.get $op) (i32.const 12)) (then (loop $l (br $l))))
    ;; 13: msg_reentrant (u32 LE)
    (if (i32.eq (local.get $op) (i32.const 13)) (then
      (i32.store (i32.const 4096) (call $msg_reentrant))
      (call $write_result (i32.const 4096) (i32.const 4))
      (return (i32.const 0))))
    ;; 14: like 9, then revert with the same output
    (if (i32.eq (local.get $op) (i32.const 14)) (then
      (call $write_result (i32.const 4096) (call $status_and_data
        (call $call (i32.const 1025) (i32.const 1077) (i32.sub (local.get $len) (i32.const 53))
                    (i32.const 1045) (i64.const -1) (i32.const 4000))))
      (return (i32.const 1))))
    ;; 16: cache key=1025 value=1057, no flush
    (if (i32.eq (local.get $op) (i32.const 16)) (then
      (call $cache (i32.const 1025) (i32.const 1057))
      (return (i32.const 0))))
    ;; 18: environment (see tests for the layout)
    (if (i32.eq (local.get $op) (i32.const 18)) (then
      (call $msg_sender (i32.const 4096))
      (call $contract_address (i32.const 4116))
      (call $msg_value (i32.const 4136))
      (call $tx_origin (i32.const 4168))
      (i64.store (i32.const 4188) (call $block_timestamp))
      (i64.store (i32.const 4196) (call $block_number))
      (i64.store (i32.const 4204) (call $chainid))
      (i64.store (i32.const 4212) (call $block_gas_limit))
      (call $block_basefee (i32.const 4220))
      (call $block_coinbase (i32.const 4252))
      (call $tx_gas_price (i32.const 4272))
      (i32.store (i32.const 4304) (call $tx_ink_price))
      (i32.store (i32.const 4308) (call $msg_reentrant))
      (call $write_result (i32.const 4096) (i32.const 216))
      (return (i32.const 0))))
    ;; 19: evm_gas_left ‖ evm_ink_left (u64 LE each)
    (if (i32.eq (local.get $op) (i32.const 19)) (then
      (i64.store (i32.const 4096) (call $evm_gas_left))
      (i64.store (i32.const 4104) (call $evm_ink_left))
      (call $write_result (i32.const 4096) (i32.const 16))
      (return (i32.const 0))))
    ;; 20: first 16 bytes of the code of address 1025
    (if (i32.eq (local.get $op) (i32.const 20)) (then
      (call $write_result (i32.const 4096)
        (call $code (i32.const 1025) (i32.const 0) (i32.const 16) (i32.const 4096)))
      (return (i32.const 0))))
    ;; 21: bad pointer
    (if (i32.eq (local.get $op) (i32.const 21)) (then
      (call $load (i32.const -1) (i32.const 4096))
      (return (i32.const 0))))
    ;; 22: emit_log with 5 topics
    (if (i32.eq (local.get $op) (i32.const 22)) (then
      (call $emit_log (i32.const 1025) (i32.const 160) (i32.const 5))
      (return (i32.const 0))))
    ;; 26: load key=1025, then call target=1057 (no value) data=1077..
    (if (i32.eq (local.get $op) (i32.const 26)) (then
      (call $load (i32.const 1025) (i32.const 6000))
      (call $write_result (i32.const 4096) (call $status_and_data
        (call $call (i32.const 1057) (i32.const 1077) (i32.sub (local.get $len) (i32.const 53))
                    (i32.const 8192) (i64.const -1) (i32.const 4000))))
      (return (i32.const 0))))
    ;; 27: load key=1025, then store value=1057 there and flush
    (if (i32.eq (local.get $op) (i32.const 27)) (then
      (call $load (i32.const 1025) (i32.const 6000))
      (call $cache (i32.const 1025) (i32.const 1057))
      (call $flush (i32.const 0))
      (return (i32.const 0))))
    ;; 28: key=1025: store v1=1057, flush, store v2=1089, flush
    (if (i32.eq (local.get $op) (i32.const 28)) (then
      (call $cache (i32.const 1025) (i32.const 1057))
      (call $flush (i32.const 0))
      (call $cache (i32.const 1025) (i32.const 1089))
      (call $flush (i32.const 0))
      (return (i32.const 0))))
    ;; 30: store key=1025 value=1057, flush, log key (no topics), revert
    (if (i32.eq (local.get $op) (i32.const 30)) (then
      (call $cache (i32.const 1025) (i32.const 1057))
      (call $flush (i32.const 0))
      (call $emit_log (i32.const 1025) (i32.const 32) (i32.const 0))
      (return (i32.const 1))))
    ;; 31: delegate call target=1025 data=1045..
    (if (i32.eq (local.get $op) (i32.const 31)) (then
      (call $write_result (i32.const 4096) (call $status_and_data
        (call $delegate_call (i32.const 1025) (i32.const 1045) (i32.sub (local.get $len) (i32.const 21))
                             (i64.const -1) (i32.const 4000))))
      (return (i32.const 0))))
    ;; 32: call target=1025 value=1045 with gas=u64 at 1077 (LE), data=1085..
    (if (i32.eq (local.get $op) (i32.const 32)) (then
      (call $write_result (i32.const 4096) (call $status_and_data
        (call $call (i32.const 1025) (i32.const 1085) (i32.sub (local.get $len) (i32.const 61))
                    (i32.const 1045) (i64.load (i32.const 1077)) (i32.const 4000))))
      (return (i32.const 0))))
    ;; anything else: revert with no data
    (i32.const 1))
)
