//! A file's bytes as a slice: memory-mapped, so a multi-GB checkpoint never
//! sits on the heap beside the matrix read from it. The mapping is shared
//! (`Arc`), so a table read in place from it
//! ([`MappedRows`](super::mapped_rows::MappedRows)) keeps it alive.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use super::load_error::LoadError;

/// A file's bytes: memory-mapped, or read when it cannot be mapped (pipes,
/// empty files).
pub(crate) enum FileBytes {
    Mapped(Arc<Mmap>),
    Read(Vec<u8>),
}

impl FileBytes {
    /// Maps (or reads) the file at `path`. Pages fault in as they are
    /// touched: a shard of which only the header and one tensor are read, or
    /// a fastText model's input matrix but not its output matrix;
    /// [`populate`](super::mapped_rows::populate) reads a file parsed from end
    /// to end in at once.
    pub(crate) fn open(path: &Path) -> Result<FileBytes, LoadError> {
        let file = File::open(path).map_err(|error| LoadError::io(path, error))?;
        FileBytes::of(path, file)
    }

    /// [`open`](FileBytes::open), except that a pipe (or any file that is
    /// not a regular one, such as a terminal) is left to be read as its bytes
    /// arrive: a table piped in need not sit in memory beside its matrix.
    pub(crate) fn open_or_pipe(path: &Path) -> Result<Result<FileBytes, File>, LoadError> {
        let io = |error| LoadError::io(path, error);
        let file = File::open(path).map_err(io)?;
        match file.metadata().map_err(io)?.is_file() {
            true => FileBytes::of(path, file).map(Ok),
            false => Ok(Err(file)),
        }
    }

    /// The bytes of `file`, opened from `path`.
    fn of(path: &Path, file: File) -> Result<FileBytes, LoadError> {
        let io = |error| LoadError::io(path, error);
        let len = file.metadata().map_err(io)?.len();
        if len > 0 {
            let options = memmap2::MmapOptions::new();
            // SAFETY: the map is read-only; it lives while the file is parsed,
            // and as long as a table read in place from it. Another process
            // truncating or rewriting the file meanwhile could change the
            // bytes under us (or fault on a truncated page); that is the
            // accepted contract of every mapped reader (ripgrep, safetensors),
            // and far cheaper than a heap copy of a multi-GB file.
            let mapped = unsafe { options.map(&file) };
            if let Ok(mapped) = mapped {
                return Ok(FileBytes::Mapped(Arc::new(mapped)));
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(io)?;
        Ok(FileBytes::Read(bytes))
    }

    /// The mapping, when the file is mapped (not read onto the heap).
    pub(crate) fn mapping(&self) -> Option<&Arc<Mmap>> {
        match self {
            FileBytes::Mapped(mapped) => Some(mapped),
            FileBytes::Read(_) => None,
        }
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(mapped) => mapped,
            FileBytes::Read(bytes) => bytes,
        }
    }
}
