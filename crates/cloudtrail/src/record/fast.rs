//! Finding where a JSON object or array ends, 64 bytes at a time.
//!
//! The contract: this finds boundaries, it never decides validity. Given a `{` or `[` it
//! returns the position just after the bracket that closes it, counting brackets outside
//! strings (brackets are matched by count, not by kind); it checks nothing else. On a valid
//! value the result is exactly where [`cwl_filter::json::skip_value`] ends (tested below); on
//! anything else it returns some position within the input or [`Reason::Truncated`], and the
//! one reader's check of every record that is used ([`super::check_json`]) reports the damage.
//! Splitting a file into records only needs each record's extent, which is why this is used
//! there and for skipping nested values the event view does not read.
//!
//! How: for each 64-byte block it For each 64-byte block
//! builds bit masks of quotes, backslashes and brackets (AVX2 when the CPU has it, else SSE2
//! on x86_64, a loop elsewhere);
//! a block without backslashes gets its in-string mask from a prefix XOR of the quote mask, so
//! only the few brackets are looked at one by one. Blocks with backslashes (escaped quotes,
//! policy documents embedded as strings) are walked byte by byte, as is the tail.
//!
//! It never reads out of bounds and never panics; on input that is not JSON it returns some
//! position or a truncation error, and the caller's later validation reports the damage.

use cwl_filter::json::{Reason, SyntaxError};

const BLOCK: usize = 64;

/// Bit masks of one 64-byte block: bit `k` is byte `k`.
struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks(block: &[u8; BLOCK]) -> Masks {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut m = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
    for j in 0..4 {
        // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned load reads bytes
        // 16*j..16*j+16 of a 64-byte array.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * j) as *const __m128i);
            let bit = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << (16 * j);
            // '[' (0x5B) and '{' (0x7B) differ only in bit 5, as do ']' and '}'.
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            m.quote |= bit(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)));
            m.backslash |= bit(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)));
            m.open |= bit(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8)));
            m.close |= bit(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8)));
        }
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn masks(block: &[u8; BLOCK]) -> Masks {
    let mut m = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
    for (k, &b) in block.iter().enumerate() {
        let bit = 1u64 << k;
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            _ => {}
        }
    }
    m
}

/// Bit `k` of the result is the XOR of bits `0..=k` of `x`.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The scanner's state between blocks.
struct State {
    depth: u64,
    in_string: bool,
    /// The next byte is escaped (a `\` ended the previous block inside a string).
    escaped: bool,
}

impl State {
    /// One byte; true when it closes the outermost container.
    #[inline(always)]
    fn byte(&mut self, b: u8) -> bool {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            false
        } else {
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    return self.depth == 0;
                }
                _ => {}
            }
            false
        }
    }
}

/// The position just after the object or array that starts at `pos` (`buf[pos]` must be `{`
/// or `[`). Brackets are matched by count, not by kind.
pub fn skip_container(buf: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { skip_container_avx2(buf, pos) };
    }
    skip_with(buf, pos, masks)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn skip_container_avx2(buf: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    // A closure inside this function inherits its AVX2 feature, so the masks inline.
    skip_with(buf, pos, |block| masks_avx2(block))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn masks_avx2(block: &[u8; BLOCK]) -> Masks {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };
    let mut m = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
    for j in 0..2 {
        // SAFETY: AVX2 is enabled for this function; the unaligned load reads bytes
        // 32*j..32*j+32 of a 64-byte array.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * j) as *const __m256i) };
        let bit = |x: __m256i| u64::from(_mm256_movemask_epi8(x) as u32) << (32 * j);
        let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
        m.quote |= bit(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8)));
        m.backslash |= bit(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\\' as i8)));
        m.open |= bit(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'{' as i8)));
        m.close |= bit(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'}' as i8)));
    }
    m
}

#[inline(always)]
fn skip_with(buf: &[u8], pos: usize, masks: impl Fn(&[u8; BLOCK]) -> Masks) -> Result<usize, SyntaxError> {
    let mut st = State { depth: 0, in_string: false, escaped: false };
    let mut i = pos;
    while let Some(block) = buf.get(i..i + BLOCK) {
        let block: &[u8; BLOCK] = block.try_into().expect("a 64-byte slice");
        let m = masks(block);
        if m.backslash == 0 && !st.escaped {
            let carry = if st.in_string { u64::MAX } else { 0 };
            let string = prefix_xor(m.quote) ^ carry;
            let mut brackets = (m.open | m.close) & !string;
            while brackets != 0 {
                let k = brackets.trailing_zeros();
                if m.open >> k & 1 == 1 {
                    st.depth += 1;
                } else {
                    st.depth = st.depth.saturating_sub(1);
                    if st.depth == 0 {
                        return Ok(i + k as usize + 1);
                    }
                }
                brackets &= brackets - 1;
            }
            st.in_string = string >> 63 == 1;
        } else {
            for (k, &b) in block.iter().enumerate() {
                if st.byte(b) {
                    return Ok(i + k + 1);
                }
            }
        }
        i += BLOCK;
    }
    for (k, &b) in buf[i.min(buf.len())..].iter().enumerate() {
        if st.byte(b) {
            return Ok(i + k + 1);
        }
    }
    Err(SyntaxError { offset: buf.len(), reason: Reason::Truncated })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwl_filter::json::skip_value;

    /// The fast scanner agrees with the validating one at every alignment.
    fn agrees(doc: &[u8]) {
        for pad in 0..70 {
            let mut buf = vec![b' '; pad];
            buf.extend_from_slice(doc);
            buf.extend_from_slice(b" ,{\"tail\":1}");
            let expected = skip_value(&buf, pad).unwrap();
            assert_eq!(skip_container(&buf, pad), Ok(expected), "pad {pad} in {}", String::from_utf8_lossy(doc));
            assert_eq!(skip_with(&buf, pad, masks), Ok(expected), "portable masks, pad {pad}");
            assert!(skip_container(&buf[..expected - 1], pad).is_err(), "cut before the end");
        }
    }

    #[test]
    fn agrees_with_the_validator() {
        agrees(br#"{"a":"}","b":["]",{"c":"\"}\\"}],"d":"x\\\"{"}"#);
        agrees(br#"[{"policy":"{\"Version\":\"2012\",\"S\":[{\"E\":\"A\"}]}"},"\\\\",{}]"#);
        let long: String =
            (0..40).map(|i| format!(r#"{{"k{i}":"v\\\\{i}\"}}]","n":[{i},{{}}]}}"#)).collect::<Vec<_>>().join(",");
        agrees(format!("[{long}]").as_bytes());
        // A backslash run ending exactly at a block boundary.
        for n in 50..140 {
            let s = format!(r#"{{"a":"{}\\\\","b":"{}\"}}","c":{{}}}}"#, "x".repeat(n), "y".repeat(n % 7));
            agrees(s.as_bytes());
        }
    }

    #[test]
    fn real_records_agree() {
        let Some(path) =
            crate::shared_data("real_records_agree", "cloudtrail-samples/panther-analysis-tests/events.jsonl")
        else {
            return;
        };
        let text = std::fs::read(&path).expect("the samples are readable");
        let mut lines = 0;
        for line in text.split(|&b| b == b'\n').filter(|l| l.first() == Some(&b'{')) {
            assert_eq!(skip_container(line, 0), Ok(line.len()));
            assert_eq!(skip_value(line, 0), Ok(line.len()), "a real record is valid under the contract");
            lines += 1;
        }
        assert!(lines > 0, "{} holds records", path.display());
    }

    #[test]
    fn garbage_never_panics() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let alphabet = b"{}[]\"\\ a,:";
        for _ in 0..2000 {
            let len = (x % 300) as usize;
            let mut buf = vec![b'{'];
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            if let Ok(end) = skip_container(&buf, 0) {
                assert!(end <= buf.len());
            }
        }
    }
}
