;; SipHash-2-4 (Aumasson & Bernstein) with native 64-bit lanes, and the keyed
;; digest's expansion to 32 bytes (keyed-digest.ts). scripts/build-siphash-wasm.mjs
;; compiles this file into siphash-wasm.ts; a test checks the two still match.
;;
;; Memory: 4 pages that never grow, so views on them stay valid. Bytes
;; [0, 2048) are the input area for values written by JavaScript; [2048,
;; 133120) the stage, where the snapshot copies a segment of COPY rows to hash
;; fields in place; from 133120 on, 48-byte slots of one digest each: its
;; 16-byte key, then its 32-byte output.
(module
  (memory (export "memory") 4 4)

  ;; SipHash-2-4 of in[0, len) under the key at `key`: `words` (1 or 2) 64-bit
  ;; little-endian words at `out`, as the reference writes them.
  (func $sip (export "sip")
    (param $key i32) (param $in i32) (param $len i32) (param $out i32) (param $words i32)
    (local $v0 i64) (local $v1 i64) (local $v2 i64) (local $v3 i64)
    (local $m i64) (local $p i32) (local $end i32) (local $r i32) (local $j i32)
    (local.set $v0 (i64.xor (i64.load (local.get $key)) (i64.const 0x736f6d6570736575)))
    (local.set $v1 (i64.xor (i64.load offset=8 (local.get $key)) (i64.const 0x646f72616e646f6d)))
    (local.set $v2 (i64.xor (i64.load (local.get $key)) (i64.const 0x6c7967656e657261)))
    (local.set $v3 (i64.xor (i64.load offset=8 (local.get $key)) (i64.const 0x7465646279746573)))
    (if (i32.eq (local.get $words) (i32.const 2))
      (then (local.set $v1 (i64.xor (local.get $v1) (i64.const 0xee)))))
    (local.set $p (local.get $in))
    (local.set $end (i32.add (local.get $in) (i32.and (local.get $len) (i32.const -8))))
    ;; One pass per 8-byte word, then one for the tail with the length in its top byte.
    (block $done
      (loop $words
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then (local.set $m (i64.load (local.get $p))))
          (else
            (local.set $m (i64.shl (i64.extend_i32_u (i32.and (local.get $len) (i32.const 0xff)))
                                   (i64.const 56)))
            (local.set $j (i32.const 0))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $j) (i32.and (local.get $len) (i32.const 7))))
                (local.set $m (i64.or (local.get $m)
                  (i64.shl (i64.load8_u (i32.add (local.get $p) (local.get $j)))
                           (i64.extend_i32_u (i32.shl (local.get $j) (i32.const 3))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tail)))))
        (local.set $v3 (i64.xor (local.get $v3) (local.get $m)))
        (local.set $r (i32.const 2))
        (loop $c_rounds
          (local.set $v0 (i64.add (local.get $v0) (local.get $v1)))
          (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 13)) (local.get $v0)))
          (local.set $v0 (i64.rotl (local.get $v0) (i64.const 32)))
          (local.set $v2 (i64.add (local.get $v2) (local.get $v3)))
          (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 16)) (local.get $v2)))
          (local.set $v0 (i64.add (local.get $v0) (local.get $v3)))
          (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 21)) (local.get $v0)))
          (local.set $v2 (i64.add (local.get $v2) (local.get $v1)))
          (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 17)) (local.get $v2)))
          (local.set $v2 (i64.rotl (local.get $v2) (i64.const 32)))
          (local.set $r (i32.sub (local.get $r) (i32.const 1)))
          (br_if $c_rounds (local.get $r)))
        (local.set $v0 (i64.xor (local.get $v0) (local.get $m)))
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $words)))
    (local.set $v2 (i64.xor (local.get $v2)
      (select (i64.const 0xee) (i64.const 0xff) (i32.eq (local.get $words) (i32.const 2)))))
    (local.set $j (i32.const 0))
    (loop $out_words
      (if (local.get $j) (then (local.set $v1 (i64.xor (local.get $v1) (i64.const 0xdd)))))
      (local.set $r (i32.const 4))
      (loop $d_rounds
        (local.set $v0 (i64.add (local.get $v0) (local.get $v1)))
        (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 13)) (local.get $v0)))
        (local.set $v0 (i64.rotl (local.get $v0) (i64.const 32)))
        (local.set $v2 (i64.add (local.get $v2) (local.get $v3)))
        (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 16)) (local.get $v2)))
        (local.set $v0 (i64.add (local.get $v0) (local.get $v3)))
        (local.set $v3 (i64.xor (i64.rotl (local.get $v3) (i64.const 21)) (local.get $v0)))
        (local.set $v2 (i64.add (local.get $v2) (local.get $v1)))
        (local.set $v1 (i64.xor (i64.rotl (local.get $v1) (i64.const 17)) (local.get $v2)))
        (local.set $v2 (i64.rotl (local.get $v2) (i64.const 32)))
        (local.set $r (i32.sub (local.get $r) (i32.const 1)))
        (br_if $d_rounds (local.get $r)))
      (i64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3)))
        (i64.xor (i64.xor (local.get $v0) (local.get $v1)) (i64.xor (local.get $v2) (local.get $v3))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $out_words (i32.lt_u (local.get $j) (local.get $words)))))

  ;; murmur3's 64-bit finalizer.
  (func $fmix64 (param $k i64) (result i64)
    (local.set $k (i64.xor (local.get $k) (i64.shr_u (local.get $k) (i64.const 33))))
    (local.set $k (i64.mul (local.get $k) (i64.const 0xff51afd7ed558ccd)))
    (local.set $k (i64.xor (local.get $k) (i64.shr_u (local.get $k) (i64.const 33))))
    (local.set $k (i64.mul (local.get $k) (i64.const 0xc4ceb9fe1a85ec53)))
    (i64.xor (local.get $k) (i64.shr_u (local.get $k) (i64.const 33))))

  ;; The keyed digest of the `len` bytes at `in` for the slot at `slot`: SipHash-2-4-128
  ;; into bytes 0..15 of its output, then w2 = fmix64(w0 ^ rotl(w1, 32)) and
  ;; w3 = fmix64(w1 ^ w2) into bytes 16..31.
  (func (export "digest") (param $slot i32) (param $in i32) (param $len i32)
    (local $w1 i64) (local $w2 i64)
    (call $sip (local.get $slot) (local.get $in) (local.get $len)
               (i32.add (local.get $slot) (i32.const 16)) (i32.const 2))
    (local.set $w1 (i64.load offset=24 (local.get $slot)))
    (local.set $w2 (call $fmix64 (i64.xor (i64.load offset=16 (local.get $slot))
                                          (i64.rotl (local.get $w1) (i64.const 32)))))
    (i64.store offset=32 (local.get $slot) (local.get $w2))
    (i64.store offset=40 (local.get $slot) (call $fmix64 (i64.xor (local.get $w1) (local.get $w2))))))
