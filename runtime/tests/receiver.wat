;; A minimal ERC-1155 receiver as a Stylus program: answers any call with its
;; own selector (onERC1155Received -> 0xf23a6e61, onERC1155BatchReceived ->
;; 0xbc197c81) left-aligned in a 32-byte word, after storing slot 0 := the
;; number of calls it took (cache + flush). Re-entered, it reverts as the
;; stylus-sdk entrypoint does. Calldata starting with 0xff: revert (a receiver
;; that refuses).
(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "msg_reentrant" (func $msg_reentrant (result i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $load (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (import "vm_hooks" "pay_for_memory_grow" (func $pay_for_memory_grow (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $pay_for_memory_grow (i32.const 0))
    (if (call $msg_reentrant) (then (return (i32.const 1))))
    (call $read_args (i32.const 0))
    (if (i32.eq (i32.load8_u (i32.const 0)) (i32.const 255)) (then (return (i32.const 1))))
    ;; slot 0 (key at 4096, zero) += 1 (value word at 4128, low byte at 4159)
    (call $load (i32.const 4096) (i32.const 4128))
    (i32.store8 (i32.const 4159) (i32.add (i32.load8_u (i32.const 4159)) (i32.const 1)))
    (call $cache (i32.const 4096) (i32.const 4128))
    (call $flush (i32.const 0))
    (i32.store (i32.const 2048) (i32.load (i32.const 0)))
    (call $write_result (i32.const 2048) (i32.const 32))
    (i32.const 0)))
