//! Whole-buffer gzip inflation, the hot path of every command.
//!
//! [`Inflater`] owns a libdeflate decompressor and an output buffer that is reused from file to
//! file. It inflates one gzip member at a time and says where the member ended, so callers can
//! tell a clean file from one with bytes appended after its first member (which the AWS CLI
//! reports as tampering) and can read every member of a concatenated file as `zcat` does.
//!
//! libdeflate is used through its C API directly because the Rust wrapper does not expose the
//! consumed input length of a gzip member (`libdeflate_gzip_decompress_ex`).

use std::ffi::c_void;
use std::ptr::NonNull;

use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE,
    libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// The first two bytes of every gzip member.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The default limit of an [`Inflater`]'s output: larger output is refused rather than
/// allocated (a decompression-bomb guard; see [`Inflater::with_limit`]).
pub const MAX_INFLATED: usize = 4 << 30;

/// Why a gzip member could not be inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InflateError {
    /// Bad header, corrupt deflate data, CRC or length mismatch, or a truncated stream.
    #[error("corrupt or truncated gzip data")]
    BadData,
    /// The data inflates to more than the inflater's limit (bytes).
    #[error("gzip data inflates to more than the limit of {} MiB", limit >> 20)]
    TooLarge { limit: usize },
}

/// One inflated gzip member, borrowed from the [`Inflater`]'s buffer.
#[derive(Debug)]
pub struct Member<'a> {
    /// The uncompressed bytes.
    pub data: &'a [u8],
    /// How many input bytes the member occupied (header, deflate stream and trailer).
    pub consumed: usize,
}

/// A reusable gzip decompressor with its own output buffer; one per worker thread.
pub struct Inflater {
    raw: NonNull<libdeflate_decompressor>,
    out: Vec<u8>,
    /// The most bytes one call may produce.
    limit: usize,
}

// SAFETY: a libdeflate decompressor holds no thread-local state; it may move between threads as
// long as it is used by one at a time, which `&mut self` on every use guarantees.
unsafe impl Send for Inflater {}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    /// A new decompressor with an empty buffer.
    ///
    /// # Panics
    /// Only if libdeflate cannot allocate its small state (out of memory).
    pub fn new() -> Inflater {
        // SAFETY: plain allocation call with no preconditions.
        let raw = unsafe { libdeflate_alloc_decompressor() };
        let raw = NonNull::new(raw).expect("libdeflate: out of memory");
        Inflater { raw, out: Vec::new(), limit: MAX_INFLATED }
    }

    /// A decompressor that refuses to produce more than `limit` bytes in one call (at most
    /// [`MAX_INFLATED`]): it never allocates more than that for its output.
    pub fn with_limit(limit: usize) -> Inflater {
        let mut inflater = Inflater::new();
        inflater.limit = limit.min(MAX_INFLATED);
        inflater
    }

    /// Inflates the first gzip member at the start of `input`.
    ///
    /// On success the member's bytes are valid until the next call. Bytes of `input` after
    /// `consumed` are not looked at. A truncated member is [`InflateError::BadData`].
    pub fn first_member(&mut self, input: &[u8]) -> Result<Member<'_>, InflateError> {
        self.first_member_within(input, &mut |_| true)
    }

    /// As [`Inflater::first_member`], asking `may_grow(extra)` before the output buffer grows
    /// by `extra` bytes: when it says no, the member is [`InflateError::TooLarge`] (so a memory
    /// budget can bound it).
    pub fn first_member_within(
        &mut self,
        input: &[u8],
        may_grow: &mut dyn FnMut(usize) -> bool,
    ) -> Result<Member<'_>, InflateError> {
        let mut capacity = initial_capacity(input).min(self.limit);
        loop {
            if self.out.len() < capacity {
                if capacity > self.out.capacity() {
                    if !may_grow(capacity - self.out.capacity()) {
                        return Err(InflateError::TooLarge { limit: self.limit });
                    }
                    // Inflation starts over in the larger buffer: the old one is freed first,
                    // not copied, so a growing buffer never holds twice its size.
                    self.out = Vec::new();
                    self.out.reserve_exact(capacity);
                }
                self.out.resize(capacity, 0);
            }
            let mut consumed = 0usize;
            let mut written = 0usize;
            // SAFETY: both pointers come from live slices whose lengths are passed alongside;
            // libdeflate writes at most `self.out.len()` bytes and only reports lengths.
            let result = unsafe {
                libdeflate_gzip_decompress_ex(
                    self.raw.as_ptr(),
                    input.as_ptr() as *const c_void,
                    input.len(),
                    self.out.as_mut_ptr() as *mut c_void,
                    self.out.len(),
                    &mut consumed,
                    &mut written,
                )
            };
            if result == libdeflate_result_LIBDEFLATE_SUCCESS {
                return Ok(Member { data: &self.out[..written], consumed });
            }
            if result != libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE {
                return Err(InflateError::BadData);
            }
            if capacity >= self.limit {
                return Err(InflateError::TooLarge { limit: self.limit });
            }
            capacity = (capacity * 2).min(self.limit);
        }
    }

    /// Inflates every gzip member of `input` back to back, as `zcat` does, appending to `out`.
    ///
    /// Trailing zero padding after the last member is tolerated (as gzip does); any other
    /// trailing bytes are an error. `may_grow(extra)` is asked before this inflater's buffer or
    /// `out` grows by `extra` bytes, as in [`Inflater::first_member_within`].
    pub fn all_members(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        may_grow: &mut dyn FnMut(usize) -> bool,
    ) -> Result<(), InflateError> {
        let mut rest = input;
        let limit = self.limit;
        loop {
            let member = self.first_member_within(rest, may_grow)?;
            let needed = out.len() + member.data.len();
            if needed > limit || (needed > out.capacity() && !may_grow(needed - out.capacity())) {
                return Err(InflateError::TooLarge { limit });
            }
            out.reserve_exact(member.data.len());
            out.extend_from_slice(member.data);
            rest = &rest[member.consumed..];
            if rest.iter().all(|&b| b == 0) {
                return Ok(());
            }
        }
    }
}

impl Inflater {
    /// Bytes held by the output buffer.
    pub fn capacity(&self) -> usize {
        self.out.capacity()
    }

    /// Gives back the output buffer's memory above `bytes`.
    pub fn shrink_to(&mut self, bytes: usize) {
        self.out.truncate(bytes);
        self.out.shrink_to(bytes);
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: `raw` came from libdeflate_alloc_decompressor and is freed exactly once.
        unsafe { libdeflate_free_decompressor(self.raw.as_ptr()) }
    }
}

/// Whether `bytes` start like a gzip member.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// A first guess of the inflated size: the gzip trailer's ISIZE when it is plausible.
fn initial_capacity(input: &[u8]) -> usize {
    let floor = (input.len() * 4).max(4096);
    if input.len() >= 18 {
        let tail: [u8; 4] = input[input.len() - 4..].try_into().unwrap_or_default();
        let isize = u32::from_le_bytes(tail) as usize;
        // ISIZE is the size modulo 2^32 of the *last* member; trust it only when it is in the
        // range deflate can reach (at most ~1032:1) and not smaller than the input could give.
        if isize >= input.len() / 2 && isize <= input.len().saturating_mul(1032) {
            return (isize + 1).min(MAX_INFLATED);
        }
    }
    floor.min(MAX_INFLATED)
}

/// Gzip for unit tests of modules that read it.
#[cfg(test)]
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflates_one_member_and_reports_its_length() {
        let gz = gzip(b"hello world");
        let mut inf = Inflater::new();
        let m = inf.first_member(&gz).unwrap();
        assert_eq!(m.data, b"hello world");
        assert_eq!(m.consumed, gz.len());
    }

    #[test]
    fn reports_where_the_first_member_ends() {
        let mut gz = gzip(b"first");
        let first_len = gz.len();
        gz.extend(gzip(b"second"));
        let mut inf = Inflater::new();
        assert_eq!(inf.first_member(&gz).unwrap().consumed, first_len);
        let mut all = Vec::new();
        inf.all_members(&gz, &mut all, &mut |_| true).unwrap();
        assert_eq!(all, b"firstsecond");
    }

    #[test]
    fn grows_past_a_lying_size_trailer() {
        let data = vec![b'a'; 1 << 20];
        let mut gz = gzip(&data);
        let n = gz.len();
        gz[n - 4..].copy_from_slice(&7u32.to_le_bytes());
        // The trailer now lies about the size: libdeflate must refuse it, not overflow.
        assert_eq!(Inflater::new().first_member(&gz).unwrap_err(), InflateError::BadData);
    }

    #[test]
    fn truncated_and_garbage_inputs_are_bad_data() {
        let gz = gzip(b"some text that is long enough to matter");
        let mut inf = Inflater::new();
        for cut in 0..gz.len() {
            assert!(inf.first_member(&gz[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(inf.first_member(b"not gzip at all").unwrap_err(), InflateError::BadData);
    }
}
