//! A Parquet file read at offsets: one handle, opened once, serves every row group of the
//! file on every thread.
//!
//! The Parquet crate's own reader for a [`File`] duplicates the handle, seeks and closes it for
//! every page it reads (four system calls a page, thousands in a selective query); this one
//! makes one positional read a page, and no handle is shared through a cursor.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use parquet::errors::{ParquetError, Result};
use parquet::file::reader::{ChunkReader, Length};

/// An open file whose bytes are read at given offsets; cheap to clone.
#[derive(Debug, Clone)]
pub struct PositionalFile {
    file: Arc<File>,
    len: u64,
}

impl PositionalFile {
    /// Opens `path` for reading.
    pub fn open(path: &Path) -> io::Result<PositionalFile> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(PositionalFile { file: Arc::new(file), len })
    }
}

impl Length for PositionalFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for PositionalFile {
    type T = io::BufReader<Cursor>;

    fn get_read(&self, start: u64) -> Result<Self::T> {
        Ok(io::BufReader::new(Cursor { file: Arc::clone(&self.file), at: start }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        let end = start.checked_add(length as u64).filter(|&end| end <= self.len);
        if end.is_none() {
            return Err(ParquetError::EOF(format!("{length} bytes at {start} are past the end ({} bytes)", self.len)));
        }
        let mut buffer = vec![0; length];
        read_exact_at(&self.file, &mut buffer, start)?;
        Ok(buffer.into())
    }
}

/// A reader of a [`PositionalFile`] from an offset on.
#[derive(Debug)]
pub struct Cursor {
    file: Arc<File>,
    at: u64,
}

impl Read for Cursor {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_at(&self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

/// Fills `buf` from `offset` on, or fails with [`io::ErrorKind::UnexpectedEof`].
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    // Positional on Windows too: the offset is the request's, whatever the handle's cursor.
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ranges_and_refuses_past_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = PositionalFile::open(&path).unwrap();
        assert_eq!(file.len(), 10);
        assert_eq!(&file.get_bytes(2, 3).unwrap()[..], b"234");
        assert_eq!(&file.get_bytes(0, 10).unwrap()[..], b"0123456789");
        assert!(file.get_bytes(8, 3).is_err());
        assert!(file.get_bytes(u64::MAX, 1).is_err());
        let mut rest = String::new();
        file.get_read(7).unwrap().read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "789");
        // Readers do not share a cursor.
        let (mut a, mut b) = (file.get_read(1).unwrap(), file.get_read(5).unwrap());
        let (mut x, mut y) = ([0; 2], [0; 2]);
        a.read_exact(&mut x).unwrap();
        b.read_exact(&mut y).unwrap();
        assert_eq!((&x, &y), (b"12", b"56"));
    }
}
