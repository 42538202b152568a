//! Small helpers shared by several stages.

/// Runs blocking file work (hashing, writing, fsync) from async code without
/// copying the bytes into another task: on the multi-threaded runtime the
/// worker thread is handed over for the duration; elsewhere (single-threaded
/// tests) it simply runs inline.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}
