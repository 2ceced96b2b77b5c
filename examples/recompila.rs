//! Times `serve`'s rebuild after an edit, without the server, the watcher or the background
//! search index around it: the number to profile when reload latency is the question.
//!
//! ```sh
//! cargo run --release --example sintetico -- --paginas 1000 --salida /dev/shm/s1k
//! cargo run --release --example recompila -- --content /dev/shm/s1k/informe/content \
//!     --theme theme --salida /dev/shm/recompila [--ediciones 30] [--pausa 4000]
//! ```
//!
//! Builds once into `--salida` as `serve` does (search index kept from the previous build), then
//! rewrites the last quarter's last unit with a new first sentence in its objective, rebuilds,
//! and repeats; the unit file is restored at the end. Prints the median and range of the
//! rebuilds. `INFORME_TIEMPOS=1` adds each rebuild's phases. `--pausa MS` waits that long
//! before each edit, as a webmaster does between saves: a rebuild after an idle spell finds
//! the caches cold, and serve's reloads are timed that way (`benches/reload-latency.sh`).

// A command-line tool that writes files: it prints its summary, and the project's `fsx` (the
// only module allowed to touch std::fs, for located errors) is private to the library.
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use informe::{BuildOptions, Incremental, SearchIndex};

// The allocator of the `informe` binary, so the figures are serve's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    informe::memory::keep_freed_memory();
    let mut content = None;
    let mut theme = PathBuf::from("theme");
    let mut output = None;
    let mut edits = 30usize;
    let mut pause = std::time::Duration::ZERO;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--content" => content = Some(PathBuf::from(value)),
            "--theme" => theme = PathBuf::from(value),
            "--salida" => output = Some(PathBuf::from(value)),
            "--ediciones" => edits = value.parse()?,
            "--pausa" => pause = std::time::Duration::from_millis(value.parse()?),
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let content = content.ok_or("--content is required")?;
    let opts = BuildOptions {
        content_dir: content.clone(),
        theme_dir: theme,
        output_dir: output.ok_or("--salida is required")?,
        base_url: None,
        search: SearchIndex::KeepPrevious,
        ..BuildOptions::default()
    };
    let mut units: Vec<PathBuf> = walkdir::WalkDir::new(content.join("informes"))
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("unidades")))
        .collect();
    units.sort();
    let unit = units.pop().ok_or("no unit files under informes/")?;
    let original = std::fs::read_to_string(&unit)?;
    let anchor = "objetivo: |\n  ";
    if !original.contains(anchor) {
        return Err(format!("{}: no `objetivo: |` block to edit", unit.display()).into());
    }

    let mut builder = Incremental::new();
    let first = builder.build(&opts)?;
    println!("first build: {} pages in {:?}", first.pages, first.elapsed);
    let mut times = Vec::with_capacity(edits);
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        for i in 0..edits {
            std::thread::sleep(pause);
            let edited = original.replacen(anchor, &format!("{anchor}Edición de prueba {i}. "), 1);
            std::fs::write(&unit, edited)?;
            let t = Instant::now();
            builder.build(&opts)?;
            times.push(t.elapsed());
        }
        Ok(())
    })();
    std::fs::write(&unit, &original)?;
    result?;
    times.sort();
    if let (Some(min), Some(max)) = (times.first(), times.last()) {
        println!(
            "{} rebuilds after an edit to {}: min {:.1} ms, median {:.1} ms, max {:.1} ms",
            times.len(),
            unit.display(),
            min.as_secs_f64() * 1e3,
            times[times.len() / 2].as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
