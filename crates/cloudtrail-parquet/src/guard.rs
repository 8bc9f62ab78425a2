//! A wall around the Parquet decoder: a panic it raises on damaged bytes becomes an error
//! naming the file, and the scan goes on.
//!
//! The decoder (parquet 57) still panics on some damaged footers: an `unwrap` in its thrift
//! reader, a capacity overflow while building the schema, both found by flipping bits in
//! exported files. An export may have been tampered with like any evidence, so every call into
//! the decoder goes through [`decoding`]. A panic inside it is caught and kept quiet: the
//! process's panic hook is chained, once, so that it says nothing for a panic inside
//! [`decoding`] and speaks as before for every other one (a bug of ctl's own still shows).

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`decoding`].
    static DECODING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `decode` (a call into the Parquet decoder, nothing of ctl's own); a panic inside it is
/// returned as `Err` with its message.
pub fn decoding<T>(decode: impl FnOnce() -> T) -> Result<T, String> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !DECODING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = DECODING.with(|d| d.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(decode));
    DECODING.with(|d| d.set(outer));
    result.map_err(|payload| {
        let text = payload.downcast_ref::<&str>().map(|s| s.to_string());
        text.or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_else(|| "unknown failure".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_an_error_and_the_thread_goes_on() {
        assert_eq!(decoding(|| 7), Ok(7));
        let none: Option<u8> = std::hint::black_box(None);
        let err = decoding(|| none.expect("damaged footer")).unwrap_err();
        assert_eq!(err, "damaged footer");
        let err = decoding(|| -> u8 { panic!("length {} past the end", 9) }).unwrap_err();
        assert_eq!(err, "length 9 past the end");
        assert!(!DECODING.with(Cell::get), "the flag is reset after a panic");
        assert_eq!(decoding(|| decoding(|| 1).unwrap() + 1), Ok(2), "nested calls");
    }
}
