//! The `informe` command line: parses flags, calls the library, prints diagnostics, and maps
//! outcomes onto exit codes (0 success, 1 content or template errors, 2 I/O or usage).

use clap::{Parser, Subcommand};
use informe::{BuildOptions, Error};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            content,
            theme,
            output,
            base_url,
        } => build(BuildOptions {
            content_dir: content,
            theme_dir: theme,
            output_dir: output,
            base_url,
        }),
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
    let mut err = std::io::stderr().lock();
    match informe::build(&opts) {
        Ok(summary) => {
            for w in &summary.warnings {
                let _ = writeln!(err, "{w}");
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
            ExitCode::SUCCESS
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
