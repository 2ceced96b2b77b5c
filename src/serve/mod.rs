//! `informe serve`: build, serve on loopback, watch `content/` and `theme/`, rebuild on
//! change and tell open pages to reload.
//!
//! The preview is built into its own temporary folder (with a loopback `base_url`), never into
//! `public/`, so a preview can never be uploaded by mistake. A failed rebuild keeps serving the
//! last good build and shows the located errors as an overlay; the next good build clears it.

pub mod http;
pub mod watch;

use crate::error::{Error, Result};
use crate::{BuildOptions, Incremental, fsx};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tiny_http::{Header, Request, Response};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub content_dir: PathBuf,
    pub theme_dir: PathBuf,
    pub bind: String,
    pub port: u16,
}

/// What the server knows about the last build.
#[derive(Debug, Default)]
struct Status {
    /// Located errors of the last attempt, when it failed.
    error: Option<String>,
    /// Whether any build has succeeded yet.
    has_site: bool,
}

#[derive(Default)]
struct Shared {
    status: Mutex<Status>,
    listeners: Mutex<Vec<Sender<()>>>,
    /// Held while the preview folder is being replaced or its pages linked for indexing.
    publishing: Mutex<()>,
    /// Counts successful builds, so an index made from older pages is thrown away.
    generation: AtomicU64,
}

impl Shared {
    fn broadcast(&self) {
        let mut l = self.listeners.lock().unwrap_or_else(|e| e.into_inner());
        l.retain(|tx| tx.send(()).is_ok());
    }
}

/// Renders a build error the way the terminal shows it.
pub fn describe_error(e: &Error) -> String {
    match e {
        Error::Content(diags) => diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        Error::Template(t) => format!("error en la plantilla: {t}\n{}", t.display_debug_info()),
        other => format!("error: {other}"),
    }
}

/// A successful build whose search index still has to be brought up to date.
type IndexJob = (u64, crate::BuildSummary);

/// Builds and tells the browsers to reload. A build that kept the old search index hands it
/// to the indexer thread: the page a webmaster edits reloads in the time of the pages alone,
/// and search catches up while they read it.
fn rebuild(
    builder: &mut Incremental,
    opts: &BuildOptions,
    shared: &Shared,
    log: &mut dyn Write,
    indexer: &Sender<IndexJob>,
) {
    let started = Instant::now();
    let result = {
        let _publishing = shared.publishing.lock().unwrap_or_else(|e| e.into_inner());
        match build_pool() {
            Some(pool) => pool.install(|| builder.build(opts)),
            None => builder.build(opts),
        }
    };
    {
        let mut st = shared.status.lock().unwrap_or_else(|e| e.into_inner());
        match &result {
            Ok(summary) => {
                for w in &summary.warnings {
                    let _ = writeln!(log, "{w}");
                }
                let _ = writeln!(
                    log,
                    "Compilado: {} páginas en {} ms",
                    summary.pages,
                    started.elapsed().as_millis()
                );
                st.error = None;
                st.has_site = true;
            }
            Err(e) => {
                let text = describe_error(e);
                let _ = writeln!(
                    log,
                    "{text}\nLa compilación falló; se sigue sirviendo el último sitio correcto."
                );
                st.error = Some(text);
            }
        }
    }
    if let Ok(summary) = result {
        let generation = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if summary.search_deferred {
            let _ = indexer.send((generation, summary));
        }
    }
    shared.broadcast();
}

/// The rebuilds' own threads. Pagefind, indexing in the background, also queues work on
/// rayon's global pool, and a rebuild whose parallel steps waited behind it took 1–1.6 s
/// instead of 50 ms (`benches/reload-latency.sh` with edits 0.5 s apart).
fn build_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().build().ok())
        .as_ref()
}

/// Lowers the calling thread's priority (Linux `nice` is per thread), so that a rebuild started
/// while the search index is being made gets the cores first.
fn yield_to_rebuilds() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::setpriority_process(None, 10);
    }
}

/// Indexes the latest build's pages, one job at a time; jobs queued meanwhile collapse into
/// the newest. The bundle is swapped in only if no build replaced the pages in between.
fn indexer_loop(rx: &Receiver<IndexJob>, output: &Path, shared: &Shared) {
    let mut log = std::io::stderr();
    let scratch = output.with_file_name(format!(
        "{}{INDEX_SCRATCH_SUFFIX}",
        output.file_name().unwrap_or_default().to_string_lossy()
    ));
    // Rebuilds after an edit come first: the index may lag a little more, the page should not.
    yield_to_rebuilds();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .start_handler(|_| yield_to_rebuilds())
        .build()
        .ok();
    // Kept between jobs: an edit re-reads only the pages it changed.
    let mut live: Option<crate::search::LiveIndex> = None;
    while let Ok(mut job) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            job = newer;
        }
        let (generation, summary) = job;
        let started = Instant::now();
        let mut read = 0;
        let mut update = || -> Result<Vec<crate::render::Artifact>> {
            let live = match &mut live {
                Some(live) => live,
                None => live.insert(crate::search::LiveIndex::new(scratch.clone())?),
            };
            let (bundle, pages) = live.update(
                output,
                &summary.search_pages,
                &summary.base_path,
                &shared.publishing,
            )?;
            read = pages;
            Ok(bundle)
        };
        // One core for the index, so a build started meanwhile keeps the other.
        let result = match &pool {
            Some(pool) => pool.install(update),
            None => update(),
        }
        .and_then(|bundle| {
            // Written and deleted outside the lock: only the swap waits for (and holds up)
            // a rebuild, which otherwise stalled for the second it took to write the index.
            let fresh = crate::search::write_bundle(output, bundle)?;
            let old = {
                let _publishing = shared.publishing.lock().unwrap_or_else(|e| e.into_inner());
                if shared.generation.load(Ordering::SeqCst) == generation {
                    crate::search::swap_bundle(output, &fresh)?
                } else {
                    Some(fresh)
                }
            };
            match old {
                Some(old) => fsx::remove_dir_all(&old),
                None => Ok(()),
            }
        });
        match result {
            Ok(()) => {
                let _ = writeln!(
                    log,
                    "Índice de búsqueda actualizado en {} ms ({read} páginas leídas)",
                    started.elapsed().as_millis()
                );
            }
            Err(e) => {
                let _ = writeln!(log, "no se pudo actualizar la búsqueda: {e}");
            }
        }
    }
}

/// Runs until the process is stopped. Prints the address on its first line of output.
pub fn serve(opts: &ServeOptions, out: &mut dyn Write) -> Result<()> {
    let server = tiny_http::Server::http((opts.bind.as_str(), opts.port)).map_err(|e| {
        Error::Usage(format!(
            "no se pudo escuchar en {}:{}: {e}",
            opts.bind, opts.port
        ))
    })?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Usage("dirección de escucha no válida".into()))?;
    remove_dead_previews(&std::env::temp_dir());
    let output = std::env::temp_dir().join(format!("{PREVIEW_PREFIX}{}", std::process::id()));
    let build_opts = BuildOptions {
        content_dir: opts.content_dir.clone(),
        theme_dir: opts.theme_dir.clone(),
        output_dir: output.clone(),
        base_url: Some(format!("http://{addr}/")),
        search: crate::SearchIndex::KeepPrevious,
        ..BuildOptions::default()
    };
    let shared = Arc::new(Shared::default());
    let _ = writeln!(out, "Sirviendo en http://{addr}/ (Ctrl+C para terminar)");
    let _ = out.flush();
    let (index_tx, index_rx) = mpsc::channel();
    // Rebuilds after an edit render only the quarters it changed (see `incremental`).
    let mut builder = Incremental::new();
    rebuild(&mut builder, &build_opts, &shared, out, &index_tx);
    let _ = out.flush();
    let index_shared = Arc::clone(&shared);
    let index_output = output.clone();
    std::thread::spawn(move || indexer_loop(&index_rx, &index_output, &index_shared));

    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        // Reading files during a build raises access events on Linux; only changes count,
        // or every build would trigger the next one.
        if let Ok(ev) = res
            && watch::is_change(&ev.kind)
        {
            let step = watch::step(&ev.kind);
            for p in ev.paths {
                let _ = tx.send((p, step));
            }
        }
    })
    .map_err(|e| Error::Usage(format!("no se pudo vigilar el contenido: {e}")))?;
    for dir in [&opts.content_dir, &opts.theme_dir] {
        notify::Watcher::watch(&mut watcher, dir, notify::RecursiveMode::Recursive)
            .map_err(|e| Error::Usage(format!("no se pudo vigilar {}: {e}", dir.display())))?;
    }

    let watch_shared = Arc::clone(&shared);
    let watch_output = output.clone();
    std::thread::spawn(move || {
        watch_loop(
            &rx,
            &mut builder,
            &build_opts,
            &watch_shared,
            &watch_output,
            &index_tx,
        );
    });

    for request in server.incoming_requests() {
        let shared = Arc::clone(&shared);
        let root = output.clone();
        std::thread::spawn(move || handle(request, &root, &shared));
    }
    drop(watcher);
    Ok(())
}

const PREVIEW_PREFIX: &str = "informe-vista-previa-";
const INDEX_SCRATCH_SUFFIX: &str = ".indice";

/// A `serve` stopped with Ctrl+C or killed cannot clean up after itself: the next one removes
/// the previews of processes that no longer run, but only folders that carry the output marker.
fn remove_dead_previews(tmp: &Path) {
    let Ok(names) = fsx::read_dir_names(tmp) else {
        return;
    };
    for name in names {
        let name = name.to_string_lossy();
        let Some(pid) = name.strip_prefix(PREVIEW_PREFIX) else {
            continue;
        };
        // `<pid>` is a preview (it carries the output marker); `<pid>.indice` is the scratch
        // folder of its background indexer (hard links only, no marker).
        let (pid, scratch) = match pid.strip_suffix(INDEX_SCRATCH_SUFFIX) {
            Some(pid) => (pid, true),
            None => (pid, false),
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let alive = Path::new("/proc").join(pid).exists() || !Path::new("/proc/self").exists();
        let dir = tmp.join(name.as_ref());
        if !alive && (scratch || dir.join(crate::output::MARKER).is_file()) {
            let _ = fsx::remove_dir_all(&dir);
        }
    }
}

fn watch_loop(
    rx: &Receiver<(PathBuf, watch::Step)>,
    builder: &mut Incremental,
    opts: &BuildOptions,
    shared: &Shared,
    output: &Path,
    indexer: &Sender<IndexJob>,
) {
    let mut log = std::io::stderr();
    while let Ok(first) = rx.recv() {
        // Editors save in bursts (truncate, write, close; or move aside, write, rename) that
        // arrive within microseconds. The quiet spell adds to every reload, so it is short
        // unless a file is still being written.
        let mut burst = watch::Burst::default();
        let mut next = Some(first);
        while let Some((path, step)) = next {
            burst.add(path, step, output);
            next = rx.recv_timeout(burst.quiet_spell()).ok();
        }
        if burst.relevant {
            rebuild(builder, opts, shared, &mut log, indexer);
        }
    }
}

/// Adds headers; a value that is not valid in a header (never ours) is skipped.
fn with_headers<R: Read>(mut response: Response<R>, headers: &[(&str, &str)]) -> Response<R> {
    for (name, value) in headers {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    response
}

fn handle(request: Request, root: &Path, shared: &Shared) {
    if request.url() == http::EVENTS_PATH {
        events(request, shared);
        return;
    }
    if request.url() == http::SCRIPT_PATH {
        let response = Response::from_string(http::SCRIPT);
        let _ = request.respond(with_headers(
            response,
            &[
                ("Content-Type", "text/javascript; charset=utf-8"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        ));
        return;
    }
    let (error, has_site) = {
        let st = shared.status.lock().unwrap_or_else(|e| e.into_inner());
        (st.error.clone(), st.has_site)
    };
    if !has_site {
        let body = http::error_page(error.as_deref().unwrap_or("Compilando…"));
        let response = Response::from_string(body).with_status_code(500);
        let _ = request.respond(with_headers(
            response,
            &[("Content-Type", "text/html; charset=utf-8")],
        ));
        return;
    }
    let (status, path) = match http::resolve(root, request.url()) {
        http::Resolved::File(p) => (200, p),
        http::Resolved::Redirect(to) => {
            let _ = request.respond(with_headers(Response::empty(301), &[("Location", &to)]));
            return;
        }
        http::Resolved::Forbidden => {
            let _ = request.respond(Response::from_string("Prohibido").with_status_code(403));
            return;
        }
        http::Resolved::NotFound => (404, root.join("404.html")),
    };
    let bytes = fsx::read(&path).unwrap_or_default();
    let ctype = http::content_type(&path);
    let body = if ctype.starts_with("text/html") {
        http::inject(&String::from_utf8_lossy(&bytes), error.as_deref()).into_bytes()
    } else {
        bytes
    };
    let response = Response::from_data(body).with_status_code(status);
    let _ = request.respond(with_headers(
        response,
        &[
            ("Content-Type", ctype),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    ));
}

/// Server-sent events: one `data: recargar` per build. tiny_http buffers chunked bodies, so
/// the stream is taken over (`upgrade`) and written and flushed by hand.
fn events(request: Request, shared: &Shared) {
    let (tx, rx) = mpsc::channel();
    shared
        .listeners
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(tx);
    let response = with_headers(
        Response::empty(200),
        &[
            ("Content-Type", "text/event-stream"),
            ("Cache-Control", "no-store"),
        ],
    );
    let mut stream = request.upgrade("informe-eventos", response);
    if stream
        .write_all(b": conectado\n\n")
        .and_then(|()| stream.flush())
        .is_err()
    {
        return;
    }
    loop {
        match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(()) => {
                if stream
                    .write_all(b"data: recargar\n\n")
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // A comment keeps proxies from closing the idle stream and detects gone clients.
                if stream
                    .write_all(b": sigue\n\n")
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}
