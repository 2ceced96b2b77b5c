//! The only module that touches `std::fs`: every error names the path it failed on.
//!
//! clippy's `disallowed-methods` keeps the rest of the crate from calling `std::fs` directly.
#![allow(
    clippy::disallowed_methods,
    reason = "this module is the sanctioned wrapper"
)]

use crate::error::{Error, Result};
use std::fs;
use std::path::Path;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(io(path))
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    fs::write(path, bytes).map_err(io(path))
}

/// Writes a file, whose folder exists, through `write` (buffered) as it is made; returns its
/// size.
pub(crate) fn write_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<u64> {
    let file = fs::File::create(path).map_err(io(path))?;
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, file);
    write(&mut w).map_err(io(path))?;
    let file = w.into_inner().map_err(|e| io(path)(e.into_error()))?;
    Ok(file.metadata().map_err(io(path))?.len())
}

/// Writes a file whose folder already exists (the parallel writer makes folders first).
pub(crate) fn write_in_place(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(io(path))
}

/// Replaces a file so that a reader (the preview server) sees the old bytes or the new ones,
/// never half of them: written beside it, then renamed over it.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.{}.nuevo", std::process::id()));
    fs::write(&tmp, bytes).map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io(path)(e)
    })
}

/// Removes a file; one already gone is not an error.
pub(crate) fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

/// Removes the folders of `rel` (a file path under `root`) that are left empty, deepest first.
pub(crate) fn remove_empty_parents(root: &Path, rel: &Path) {
    let mut dir = rel.parent();
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
        // Fails, and stops, at the first folder that still holds something.
        if fs::remove_dir(root.join(d)).is_err() {
            break;
        }
        dir = d.parent();
    }
}

pub(crate) fn hard_link(original: &Path, link: &Path) -> Result<()> {
    fs::hard_link(original, link).map_err(io(link))
}

pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(io(path))
}

pub(crate) fn remove_dir_all(path: &Path) -> Result<()> {
    fs::remove_dir_all(path).map_err(io(path))
}

pub(crate) fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(io(from))
}

pub(crate) fn symlink_metadata(path: &Path) -> std::io::Result<fs::Metadata> {
    fs::symlink_metadata(path)
}

pub(crate) fn metadata(path: &Path) -> std::io::Result<fs::Metadata> {
    fs::metadata(path)
}

/// Hard-links `old` at `new` when `old` is a regular file that holds exactly `bytes` and that
/// no other name links to; `false` (and nothing at `new`) otherwise, for the caller to write
/// the file. What is compared is what gets linked: the file is opened without following a
/// link, read through that handle, and the new name is checked to be that same file. Always
/// `false` on systems other than Linux, and when the file is not all in the page cache.
#[cfg(target_os = "linux")]
pub(crate) fn link_if_same(old: &Path, new: &Path, bytes: &[u8]) -> bool {
    struct Same<'a>(&'a [u8]);
    impl Check for Same<'_> {
        fn size(&mut self, size: u64) -> bool {
            size == self.0.len() as u64
        }
        fn chunk(&mut self, at: usize, chunk: &[u8]) -> bool {
            self.0.get(at..at + chunk.len()) == Some(chunk)
        }
        fn whole(self) -> bool {
            true
        }
    }
    // Only what the page cache holds: on a disk whose cache has let the old site go, reading
    // it back would cost more than writing the new file.
    link_checked(old, new, true, Same(bytes))
}

/// Hard-links `old` at `new` as [`link_if_same`] does, when `old` is `size` bytes that hash
/// to `hash`; unlike it, reads what the page cache does not hold: the caller's alternative is
/// to render the file again, which costs more than reading it.
#[cfg(target_os = "linux")]
pub(crate) fn link_if_hash(old: &Path, new: &Path, size: u64, hash: &blake3::Hash) -> bool {
    struct Hashed<'a>(blake3::Hasher, u64, &'a blake3::Hash);
    impl Check for Hashed<'_> {
        fn size(&mut self, size: u64) -> bool {
            size == self.1
        }
        fn chunk(&mut self, _: usize, chunk: &[u8]) -> bool {
            self.0.update(chunk);
            true
        }
        fn whole(self) -> bool {
            self.0.finalize() == *self.2
        }
    }
    link_checked(old, new, false, Hashed(blake3::Hasher::new(), size, hash))
}

/// What [`link_checked`] asks of a file before it links it.
#[cfg(target_os = "linux")]
trait Check {
    fn size(&mut self, size: u64) -> bool;
    /// The chunk at offset `at`; chunks come in order from the start.
    fn chunk(&mut self, at: usize, chunk: &[u8]) -> bool;
    /// Once the whole file has been read.
    fn whole(self) -> bool;
}

/// Hard-links `old` at `new` when `old` is a regular file no other name links to and `check`
/// accepts its size, each of its chunks and then the whole; with `cached_only`, only when the
/// page cache holds it.
#[cfg(target_os = "linux")]
fn link_checked(old: &Path, new: &Path, cached_only: bool, mut check: impl Check) -> bool {
    use rustix::fs::{Mode, OFlags, fstat, open};
    use rustix::io::{Errno, ReadWriteFlags, preadv2};
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let Ok(fd) = open(
        old,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    ) else {
        return false;
    };
    let Ok(st) = fstat(&fd) else { return false };
    let regular = rustix::fs::FileType::from_raw_mode(st.st_mode).is_file();
    if !regular || st.st_nlink != 1 || !u64::try_from(st.st_size).is_ok_and(|size| check.size(size))
    {
        return false;
    }
    /// The device of the last file system that could not say, so its other files skip the
    /// call that fails.
    static NO_NOWAIT: AtomicU64 = AtomicU64::new(u64::MAX);
    let dev = st.st_dev;
    let mut flags = if cached_only && NO_NOWAIT.load(Relaxed) != dev {
        ReadWriteFlags::NOWAIT
    } else {
        ReadWriteFlags::empty()
    };
    let mut at = 0;
    let same = SCRATCH.with_borrow_mut(|buf| {
        loop {
            // NOWAIT reads only what the page cache holds (EAGAIN otherwise). A file system
            // that cannot say (tmpfs, on Linux 6.18: EOPNOTSUPP) is read plainly; tmpfs holds
            // everything in memory anyway.
            let slices = &mut [std::io::IoSliceMut::new(buf)];
            let read = match preadv2(&fd, slices, at as u64, flags) {
                Err(Errno::OPNOTSUPP) if flags == ReadWriteFlags::NOWAIT => {
                    NO_NOWAIT.store(dev, Relaxed);
                    flags = ReadWriteFlags::empty();
                    continue;
                }
                read => read,
            };
            match read {
                Ok(0) => break true,
                Ok(n) if check.chunk(at, &buf[..n]) => {
                    at += n;
                    // A regular file reads short only at its end: no call to be told so
                    // (half the reads of a rebuild's pages).
                    if n < buf.len() {
                        break true;
                    }
                }
                Ok(_) => break false,
                Err(Errno::INTR) => {}
                Err(_) => break false,
            }
        }
    });
    // A file that grew or shrank while it was read is not what was checked.
    if !same || at as i64 != st.st_size || !check.whole() {
        return false;
    }
    // The very file that was read is linked, through its handle (`AT_EMPTY_PATH`: Linux 6.10
    // allows it to the process that opened the file, earlier ones only with a capability).
    let by_handle = rustix::fs::linkat(
        &fd,
        "",
        rustix::fs::CWD,
        new,
        rustix::fs::AtFlags::EMPTY_PATH,
    );
    by_handle.is_ok() || link_if_still(old, new, &st)
}

/// Links `old` at `new` by name, when the file there is still the one `st` describes.
#[cfg(target_os = "linux")]
fn link_if_still(old: &Path, new: &Path, st: &rustix::fs::Stat) -> bool {
    if fs::hard_link(old, new).is_err() {
        return false;
    }
    let linked = fs::symlink_metadata(new).is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.ino() == st.st_ino && m.dev() == st.st_dev
    });
    if !linked {
        // `old` was replaced between the comparison and the link: what is at `new` is not
        // what was compared.
        let _ = fs::remove_file(new);
    }
    linked
}

#[cfg(target_os = "linux")]
thread_local! {
    /// One read buffer per writer thread: a page is read in one or two calls.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 128 * 1024]);
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn link_if_same(_old: &Path, _new: &Path, _bytes: &[u8]) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn link_if_hash(_old: &Path, _new: &Path, _size: u64, _hash: &blake3::Hash) -> bool {
    false
}

/// Atomically exchanges two existing paths. `Ok(false)` when the system or file system cannot
/// (then the caller falls back to two renames).
#[cfg(target_os = "linux")]
pub(crate) fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => Ok(false),
        Err(e) => Err(Error::Io {
            path: a.to_path_buf(),
            source: e.into(),
        }),
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn exchange(_a: &Path, _b: &Path) -> Result<bool> {
    Ok(false)
}

/// Fails unless this process may list `dir` and create and delete entries in it, as a
/// recursive delete needs. Always `Ok` on systems other than Linux.
#[cfg(target_os = "linux")]
pub(crate) fn check_dir_deletable(dir: &Path) -> Result<()> {
    use rustix::fs::{Access, AtFlags, CWD, accessat};
    // Plain faccessat (no AT_EACCESS): faccessat2 is refused by some container seccomp
    // profiles, and `informe` is never setuid, so the real and effective ids are the same.
    let mode = Access::READ_OK | Access::WRITE_OK | Access::EXEC_OK;
    accessat(CWD, dir, mode, AtFlags::empty()).map_err(|e| Error::Io {
        path: dir.to_path_buf(),
        source: e.into(),
    })
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn check_dir_deletable(_dir: &Path) -> Result<()> {
    Ok(())
}

pub(crate) fn read_dir_names(path: &Path) -> Result<Vec<std::ffi::OsString>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(path).map_err(io(path))? {
        names.push(entry.map_err(io(path))?.file_name());
    }
    names.sort();
    Ok(names)
}

pub(crate) fn canonicalize(path: &Path) -> Result<std::path::PathBuf> {
    fs::canonicalize(path).map_err(io(path))
}

/// Feeds a file to `hasher` a buffer at a time (the program's own file is tens of megabytes).
pub(crate) fn hash_file(path: &Path, hasher: &mut blake3::Hasher) -> Result<()> {
    hasher
        .update_reader(fs::File::open(path).map_err(io(path))?)
        .map_err(io(path))?;
    Ok(())
}

/// Reads a regular file, at most `limit` bytes plus one (so the caller sees that it is too
/// large), without following a symbolic link in its last component (Linux: `O_NOFOLLOW`) and
/// without blocking on a FIFO (`O_NONBLOCK`): the file may have been replaced since it was
/// checked.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    let file = opts.open(path).map_err(io(path))?;
    if !file.metadata().map_err(io(path))?.is_file() {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "no es un archivo regular",
            ),
        });
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    Ok(bytes)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The way a taken file is linked where the system refuses to link it through its handle
    /// (Linux before 6.10, without a capability): by name, kept only if it is still the file
    /// that was read.
    #[test]
    fn linking_by_name_keeps_only_the_file_that_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("viejo.html"), dir.path().join("nuevo.html"));
        fs::write(&old, "leído").unwrap();
        let read = rustix::fs::stat(&old).unwrap();
        assert!(link_if_still(&old, &new, &read));
        assert_eq!(fs::read_to_string(&new).unwrap(), "leído");

        fs::remove_file(&new).unwrap();
        let replacement = dir.path().join("otro.html");
        fs::write(&replacement, "cambiado").unwrap();
        fs::rename(&replacement, &old).unwrap();
        assert!(!link_if_still(&old, &new, &read));
        assert!(
            !new.exists(),
            "what replaced the file read is not left linked"
        );
    }
}
