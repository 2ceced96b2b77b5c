//! The `informe` command line: parses flags, calls the library, prints diagnostics, and maps
//! outcomes onto exit codes (0 success, 1 content or template errors, 2 I/O or usage).

use clap::{Parser, Subcommand};
use informe::{BuildOptions, Error, SearchIndex};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

// The build allocates millions of small strings (YAML values, template output, search words);
// glibc's malloc and free took about a fifth of a 1,000-page build's CPU in `perf`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "informe",
    version,
    about = "Genera el sitio del Informe Trimestral del Desempeño de la SESAECH"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Genera el sitio estático en la carpeta de salida.
    Build {
        /// Carpeta del contenido YAML.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// Carpeta del tema (templates/ y static/).
        #[arg(long, default_value = "theme")]
        theme: PathBuf,
        /// Carpeta de salida; se reemplaza completa solo si la compilación termina bien.
        #[arg(long, default_value = "public")]
        output: PathBuf,
        /// Dirección pública del sitio; sustituye a `base_url` de sitio.yaml.
        #[arg(long)]
        base_url: Option<String>,
        /// No genera el índice de búsqueda (compilaciones rápidas de prueba y mediciones); la
        /// página «Buscar» de ese sitio no encontrará nada. No lo use para publicar.
        #[arg(long)]
        sin_busqueda: bool,
        /// Páginas por parte del índice de búsqueda (aproximado: un trimestre nunca se
        /// divide). Cada parte se indexa por separado y se reutiliza si sus páginas no
        /// cambiaron; menos páginas por parte ocupan menos memoria al compilar, y más partes
        /// son más descargas al buscar.
        #[arg(long, default_value_t = informe::search::DEFAULT_PART_PAGES,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        paginas_por_parte: usize,
    },
    /// Revisa el contenido, los enlaces, las anclas y la accesibilidad sin escribir nada.
    Check {
        #[arg(long, default_value = "content")]
        content: PathBuf,
        #[arg(long, default_value = "theme")]
        theme: PathBuf,
    },
    /// Prepara el siguiente trimestre a partir del más reciente (mismas unidades, líneas y metas).
    New {
        /// Año del nuevo informe.
        anio: i32,
        /// Trimestre (1 a 4).
        trimestre: u8,
        #[arg(long, default_value = "content")]
        content: PathBuf,
    },
    /// Escribe los esquemas JSON del contenido, para validar y autocompletar en el editor.
    Schema {
        /// Carpeta donde escribir los esquemas.
        #[arg(long, default_value = "content/.esquemas")]
        dir: PathBuf,
    },
    /// Sirve una vista previa con recarga automática mientras edita el contenido.
    Serve {
        #[arg(long, default_value = "content")]
        content: PathBuf,
        #[arg(long, default_value = "theme")]
        theme: PathBuf,
        /// Puerto (0 elige uno libre).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Dirección en la que escuchar; por seguridad, solo la máquina local por omisión.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
    },
}

/// mimalloc asks for transparent huge pages, so the kernel cleared 2 MiB at each first touch
/// of a heap that uses a fraction of them: a tenth of a build's samples. Without them a
/// 1,341-page build peaks at 59 MiB instead of 84, with less system time. The kernel's switch
/// applies to every later fault, so it is set before anything allocates: in `main` it came
/// after the runtime's first allocation had already faulted in, and cleared, two huge pages
/// (a tenth of a 137-page build's CPU). mimalloc's own option is read even earlier, when it
/// starts. A kernel that refuses only costs the speed.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static NO_HUGE_PAGES: extern "C" fn() = {
    extern "C" fn disable() {
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
    disable
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Serve { .. } = cli.command {
        informe::memory::keep_freed_memory();
    }
    match cli.command {
        Command::Build {
            content,
            theme,
            output,
            base_url,
            sin_busqueda,
            paginas_por_parte,
        } => build(BuildOptions {
            content_dir: content,
            theme_dir: theme,
            output_dir: output,
            base_url,
            search: if sin_busqueda {
                SearchIndex::Skip
            } else {
                SearchIndex::Build
            },
            search_part_pages: paginas_por_parte,
        }),
        Command::Check { content, theme } => check(BuildOptions {
            content_dir: content,
            theme_dir: theme,
            ..BuildOptions::default()
        }),
        Command::New {
            anio,
            trimestre,
            content,
        } => match informe::scaffold::new_quarter(&content, anio, trimestre) {
            Ok(files) => {
                let mut out = std::io::stdout();
                for f in &files {
                    let _ = writeln!(out, "creado {}", f.display());
                }
                let _ = writeln!(
                    out,
                    "Trimestre {trimestre} de {anio} listo: complete `avance`, `actividades` y la presentación de cada unidad."
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::Schema { dir } => match informe::schema::write(&dir) {
            Ok(files) => {
                let mut out = std::io::stdout();
                for f in &files {
                    let _ = writeln!(out, "escrito {}", f.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::Serve {
            content,
            theme,
            port,
            bind,
        } => {
            let opts = informe::serve::ServeOptions {
                content_dir: content,
                theme_dir: theme,
                bind,
                port,
            };
            match informe::serve::serve(&opts, &mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn build(opts: BuildOptions) -> ExitCode {
    // The lock is taken once the work is done: held across it, a worker thread that writes
    // to stderr (a panic message) would wait for it forever and the command would hang.
    let outcome = informe::build(&opts);
    let mut err = std::io::stderr().lock();
    match outcome {
        Ok(summary) => {
            for w in &summary.warnings {
                let _ = writeln!(err, "{w}");
            }
            if opts.search == SearchIndex::Skip {
                let _ = writeln!(
                    err,
                    "aviso: sitio sin índice de búsqueda (--sin-busqueda); no lo publique así"
                );
            }
            let _ = writeln!(
                std::io::stdout(),
                "Sitio generado en {}: {} páginas, {} archivos, {} KB, {} avisos, {:.0?}",
                opts.output_dir.display(),
                summary.pages,
                summary.files,
                summary.bytes.div_ceil(1024),
                summary.warnings.len(),
                summary.elapsed
            );
            let (read_back, read) = summary.files_read_back;
            if read_back > 0 {
                let _ = writeln!(
                    std::io::stdout(),
                    "Archivos de contenido sin cambios, leídos de la lectura anterior: {read_back} de {read}"
                );
            }
            if summary.pages_reused > 0 {
                let _ = writeln!(
                    std::io::stdout(),
                    "Páginas sin cambios, tomadas del sitio anterior: {} de {}",
                    summary.pages_reused,
                    summary.pages
                );
            }
            let parts = summary.search_parts;
            let line = if parts.parts > 1 {
                format!(
                    "Índice de búsqueda en {} partes; sin cambios, tomadas del sitio anterior: {}",
                    parts.parts, parts.reused
                )
            } else if parts.reused == 1 {
                "Índice de búsqueda sin cambios, tomado del sitio anterior".to_owned()
            } else {
                String::new()
            };
            if !line.is_empty() {
                let _ = writeln!(std::io::stdout(), "{line}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => report(&mut err, &e, &opts),
    }
}

/// Reports an error of a command that writes no site.
fn fail(e: &Error) -> ExitCode {
    let mut err = std::io::stderr().lock();
    if let Error::Content(diags) = e {
        for d in diags {
            let _ = writeln!(err, "{d}");
        }
        return ExitCode::from(1);
    }
    let _ = writeln!(err, "error: {e}");
    ExitCode::from(2)
}

fn check(opts: BuildOptions) -> ExitCode {
    // The lock is taken once the work is done: held across it, a worker thread that writes
    // to stderr (a panic message) would wait for it forever and the command would hang.
    let outcome = informe::check(&opts);
    let mut err = std::io::stderr().lock();
    match outcome {
        Ok(summary) => {
            for d in &summary.diagnostics {
                let _ = writeln!(err, "{d}");
            }
            let errors = summary.errors();
            let _ = writeln!(
                std::io::stdout(),
                "Revisión: {} páginas, {} enlaces internos, {} anclas; {} errores, {} avisos",
                summary.counts.pages,
                summary.counts.links,
                summary.counts.anchors,
                errors,
                summary.diagnostics.len() - errors
            );
            if errors > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => report(&mut err, &e, &opts),
    }
}

fn report(err: &mut impl Write, e: &Error, opts: &BuildOptions) -> ExitCode {
    let code = match e {
        Error::Content(diags) => {
            for d in diags {
                let _ = writeln!(err, "{d}");
            }
            1
        }
        Error::Template(t) => {
            let _ = writeln!(err, "{}", t.display_debug_info());
            1
        }
        Error::Chart(c) => {
            let _ = writeln!(err, "error: {c}");
            1
        }
        Error::Search(_) => {
            let _ = writeln!(err, "error: {e}");
            1
        }
        Error::Io { .. } | Error::Usage(_) => {
            let _ = writeln!(err, "error: {e}");
            2
        }
    };
    let _ = writeln!(
        err,
        "error: la compilación falló ({e}); {} no se modificó",
        opts.output_dir.display()
    );
    ExitCode::from(code)
}
