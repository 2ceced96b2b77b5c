//! `anexos`: a quarter's attached documents are published byte for byte and listed on the
//! quarter page; a path that would leave the quarter's folder (or name something that is not a
//! plain file of an accepted format and size) is refused at its line, and `public/` is kept.

use crate::harness::{TestSite, repo_root, tree};
use assert_cmd::Command;
use std::os::unix::fs::symlink;
use std::path::Path;

const REPORT: &str = "informes/2023-t2/informe.yaml";
const ATTACHED: &str = "informes/2023-t2/anexos/informe-firmado.pdf";
/// The fixture's `archivo` line, and where its value starts.
const ARCHIVO: &str = "    archivo: anexos/informe-firmado.pdf\n";
const AT: &str = "informe.yaml:17:14 (en `anexos[0].archivo`)";
/// The last line of the fixture's report, after which more attachments are listed.
const LAST: &str = "    descripcion: El informe con las firmas de quienes lo presentan.\n";

fn cli(site: &TestSite, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("informe")
        .unwrap()
        .current_dir(site.dir.path())
        .args(args)
        .arg("--content")
        .arg(site.content())
        .arg("--theme")
        .arg(repo_root().join("theme"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn an_attachment_is_copied_byte_for_byte_and_listed_with_its_format_and_size() {
    let site = TestSite::fixture("minimo");
    // A second, larger attachment, to read its size in the link.
    let csv: Vec<u8> = b"mes,programados\r\n"
        .iter()
        .copied()
        .chain((0..120 * 1024 - 17).map(|i| b"0123456789,\r\n"[i % 13]))
        .collect();
    std::fs::write(site.content().join("informes/2023-t2/cuadro.csv"), &csv).unwrap();
    site.edit(
        REPORT,
        LAST,
        &format!("{LAST}  - titulo: Cuadro de mantenimientos\n    archivo: ./cuadro.csv\n"),
    );
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("W-ARCHIVO"), "{}", run.stderr);

    let out = site.output().join("informes/2023/t2/anexos");
    assert_eq!(
        std::fs::read(out.join("informe-firmado.pdf")).unwrap(),
        std::fs::read(site.content().join(ATTACHED)).unwrap(),
        "published byte for byte"
    );
    assert_eq!(std::fs::read(out.join("cuadro.csv")).unwrap(), csv);

    let page = site.page("informes/2023/t2/index.html");
    assert!(
        page.contains(r#"<h2 id="anexos">Documentos anexos</h2>"#),
        "{page}"
    );
    assert!(
        page.contains(
            r#"<a href="/informe/informes/2023/t2/anexos/informe-firmado.pdf" type="application/pdf" download>Descargar Informe firmado (PDF, 1 KB)</a>"#
        ),
        "{page}"
    );
    let text = site.text("informes/2023/t2/index.html");
    assert!(
        text.contains("Descargar Cuadro de mantenimientos (CSV, 120 KB)"),
        "{text}"
    );
    assert!(
        text.contains("El informe con las firmas de quienes lo presentan."),
        "{text}"
    );

    // Not a page: in no sitemap; not open data: in no data package.
    assert!(!site.page("sitemap.xml").contains("anexos"));
    for (path, bytes) in tree(&site.output().join("datos")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("informe-firmado"),
            "{path}"
        );
    }
    // `check` resolves the links to the attachments.
    let (code, text) = cli(&site, &["check"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("0 errores"), "{text}");
}

/// Writes `archivo: <value>` in the fixture, prepares the content with `setup`, builds over
/// the good site, and checks the refusal: exit 1, `code`, located at the value, `message` in
/// the text, and `public/` exactly as it was.
struct Case {
    value: &'static str,
    code: &'static str,
    message: &'static str,
    setup: fn(&Path),
}

fn no_setup(_: &Path) {}

fn quarter(content: &Path) -> std::path::PathBuf {
    content.join("informes/2023-t2")
}

#[test]
fn hostile_paths_are_refused_at_their_line_and_public_is_kept() {
    let cases = [
        Case {
            value: "../../sitio.yaml",
            code: "E-RUTA",
            message: "usa `..`",
            setup: no_setup,
        },
        Case {
            value: "anexos/../../../x.pdf",
            code: "E-RUTA",
            message: "usa `..`",
            setup: no_setup,
        },
        Case {
            value: "/etc/passwd",
            code: "E-RUTA",
            message: "`/etc/passwd` es una ruta absoluta",
            setup: no_setup,
        },
        Case {
            value: r"'C:\Windows\win.ini'",
            code: "E-RUTA",
            message: "es una ruta de Windows",
            setup: no_setup,
        },
        Case {
            value: "C:/Windows/win.ini",
            code: "E-RUTA",
            message: "es una ruta de Windows",
            setup: no_setup,
        },
        Case {
            value: r"'..\..\x.pdf'",
            code: "E-RUTA",
            message: r"usa `\`, como en Windows",
            setup: no_setup,
        },
        Case {
            value: r"'\\servidor\recurso\x.pdf'",
            code: "E-RUTA",
            message: r"usa `\`, como en Windows",
            setup: no_setup,
        },
        Case {
            value: "file:///etc/passwd",
            code: "E-RUTA",
            message: "es una dirección (`file:`)",
            setup: no_setup,
        },
        Case {
            value: "https://ejemplo.org/informe.pdf",
            code: "E-RUTA",
            message: "es una dirección (`https:`)",
            setup: no_setup,
        },
        Case {
            value: "''",
            code: "E-RUTA",
            message: "la ruta del anexo está vacía",
            setup: no_setup,
        },
        Case {
            value: "anexos/falta.pdf",
            code: "E-RUTA",
            message: "no existe el archivo `anexos/falta.pdf`",
            setup: no_setup,
        },
        Case {
            value: "faltan/x.pdf",
            code: "E-RUTA",
            message: "no existe la carpeta `faltan`",
            setup: no_setup,
        },
        Case {
            value: "anexos",
            code: "E-RUTA",
            message: "`anexos` es una carpeta, no un archivo",
            setup: no_setup,
        },
        Case {
            // A link inside the quarter's folder that points at /etc/passwd.
            value: "anexos/passwd.txt",
            code: "E-RUTA",
            message: "`anexos/passwd.txt` es un enlace simbólico",
            setup: |c| symlink("/etc/passwd", quarter(c).join("anexos/passwd.txt")).unwrap(),
        },
        Case {
            // Even a link to a file of the same folder is not followed.
            value: "anexos/copia.pdf",
            code: "E-RUTA",
            message: "`anexos/copia.pdf` es un enlace simbólico",
            setup: |c| symlink("informe-firmado.pdf", quarter(c).join("anexos/copia.pdf")).unwrap(),
        },
        Case {
            value: "fuera/secreto.pdf",
            code: "E-RUTA",
            message: "`fuera` es un enlace simbólico",
            setup: |c| {
                let target = c.parent().unwrap().join("afuera");
                symlink(&target, quarter(c).join("fuera")).unwrap();
            },
        },
        Case {
            value: "anexos/tuberia.pdf",
            code: "E-RUTA",
            message: "no es un archivo regular",
            setup: |c| {
                let status = std::process::Command::new("mkfifo")
                    .arg(quarter(c).join("anexos/tuberia.pdf"))
                    .status()
                    .unwrap();
                assert!(status.success());
            },
        },
        Case {
            value: "anexos/programa.exe",
            code: "E-ANEXO",
            message: "el formato del archivo `programa.exe` (`.exe`) no se admite",
            setup: |c| std::fs::write(quarter(c).join("anexos/programa.exe"), b"MZ").unwrap(),
        },
        Case {
            value: "anexos/pagina.html",
            code: "E-ANEXO",
            message: "(`.html`) no se admite",
            setup: |c| {
                std::fs::write(quarter(c).join("anexos/pagina.html"), b"<script>").unwrap();
            },
        },
        Case {
            value: "anexos/grande.pdf",
            code: "E-ANEXO",
            message: "pesa 21 MiB; el máximo para un anexo es 20 MiB",
            setup: |c| {
                let f = std::fs::File::create(quarter(c).join("anexos/grande.pdf")).unwrap();
                f.set_len(21 * 1024 * 1024).unwrap();
            },
        },
        Case {
            value: "anexos/vacio.pdf",
            code: "E-ANEXO",
            message: "está vacío",
            setup: |c| std::fs::write(quarter(c).join("anexos/vacio.pdf"), b"").unwrap(),
        },
    ];

    let site = TestSite::fixture("minimo");
    // The folder the `fuera` link points at, beside content/.
    std::fs::create_dir(site.dir.path().join("afuera")).unwrap();
    std::fs::write(
        site.dir.path().join("afuera/secreto.pdf"),
        b"%PDF-1.4 fuera",
    )
    .unwrap();
    assert_eq!(site.build().code, 0);
    let before = tree(&site.output());
    let original = std::fs::read_to_string(site.content().join(REPORT)).unwrap();
    let pristine = tree(&quarter(&site.content()));

    for case in &cases {
        std::fs::write(
            site.content().join(REPORT),
            original.replacen(ARCHIVO, &format!("    archivo: {}\n", case.value), 1),
        )
        .unwrap();
        (case.setup)(&site.content());
        let run = site.build();
        let label = case.value;
        assert_eq!(run.code, 1, "{label}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("error[{}]", case.code)),
            "{label}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(AT), "{label}: {}", run.stderr);
        assert!(run.stderr.contains(case.message), "{label}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("17 |     archivo: {}", case.value)),
            "{label}: the source line is shown: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("no se modificó"),
            "{label}: {}",
            run.stderr
        );
        assert_eq!(before, tree(&site.output()), "{label}: public/ changed");

        // Undo the setup: remove what the case added to the quarter's folder.
        for entry in walkdir::WalkDir::new(quarter(&site.content()))
            .contents_first(true)
            .into_iter()
            .map(Result::unwrap)
        {
            let rel = entry
                .path()
                .strip_prefix(quarter(&site.content()))
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel.is_empty() || pristine.contains_key(&rel) || entry.file_type().is_dir() {
                continue;
            }
            std::fs::remove_file(entry.path()).unwrap();
        }
    }

    // A refused build into a folder that does not exist yet creates nothing.
    std::fs::write(
        site.content().join(REPORT),
        original.replacen(ARCHIVO, "    archivo: ../../sitio.yaml\n", 1),
    )
    .unwrap();
    let fresh = site.dir.path().join("nuevo");
    assert_eq!(site.build_to(&fresh, &[]).code, 1);
    assert!(
        !fresh.exists(),
        "a failed build created {}",
        fresh.display()
    );
}

#[test]
fn two_attachments_with_the_same_name_are_refused_at_the_second() {
    let site = TestSite::fixture("minimo");
    let copy = site.content().join("informes/2023-t2/otros");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(
        site.content().join(ATTACHED),
        copy.join("Informe-Firmado.pdf"),
    )
    .unwrap();
    assert_eq!(site.build().code, 0);
    let before = tree(&site.output());
    site.edit(
        REPORT,
        LAST,
        &format!("{LAST}  - titulo: Otra copia\n    archivo: otros/Informe-Firmado.pdf\n"),
    );
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[E-DUPLICADO]"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("informe.yaml:20:14 (en `anexos[1].archivo`)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("se publicarían con el mismo nombre"),
        "{}",
        run.stderr
    );
    assert_eq!(before, tree(&site.output()));
}

#[test]
fn an_attachment_needs_a_title() {
    let site = TestSite::fixture("minimo");
    site.edit(REPORT, "titulo: Informe firmado", "titulo: ' '");
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error[E-ANEXO]: el anexo `anexos/informe-firmado.pdf` no tiene título"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("informe.yaml:16:13 (en `anexos[0].titulo`)"),
        "{}",
        run.stderr
    );
}

#[test]
fn files_no_attachment_names_are_reported_as_before() {
    // A stray document is a warning and is not published.
    let site = TestSite::fixture("minimo");
    let dir = site.content().join("informes/2023-t2/anexos");
    std::fs::write(dir.join("borrador.docx"), b"PK").unwrap();
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("aviso[W-ARCHIVO]: archivo no reconocido; se ignora")
            && run.stderr.contains("anexos/borrador.docx"),
        "{}",
        run.stderr
    );
    assert!(
        !site
            .output()
            .join("informes/2023/t2/anexos/borrador.docx")
            .exists()
    );

    // A stray symbolic link is an error, as anywhere in content/.
    std::fs::remove_file(dir.join("borrador.docx")).unwrap();
    symlink("/etc", dir.join("sistema")).unwrap();
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error[E-ARCHIVO]: enlace simbólico en el contenido")
            && run.stderr.contains("anexos/sistema"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_new_quarter_does_not_carry_the_attachments_over() {
    let site = TestSite::fixture("minimo");
    let (code, text) = {
        let out = Command::cargo_bin("informe")
            .unwrap()
            .current_dir(site.dir.path())
            .args(["new", "2023", "3", "--content"])
            .arg(site.content())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(code, 0, "{text}");
    let report =
        std::fs::read_to_string(site.content().join("informes/2023-t3/informe.yaml")).unwrap();
    assert!(!report.contains("anexos"), "{report}");
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !site
            .page("informes/2023/t3/index.html")
            .contains("Documentos anexos")
    );
    assert!(
        site.page("informes/2023/t2/index.html")
            .contains("Documentos anexos")
    );
}

#[test]
fn the_schema_describes_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("informe")
        .unwrap()
        .current_dir(dir.path())
        .args(["schema", "--dir", "esquemas"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("esquemas/informe.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let fixture = repo_root()
        .join("tests/fixtures/minimo/content")
        .join(REPORT);
    let mut doc: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    assert!(validator.is_valid(&doc), "the fixture validates");
    for bad in [
        "/etc/passwd",
        r"C:\Windows\win.ini",
        r"..\..\x.pdf",
        "file:///etc/passwd",
    ] {
        doc["anexos"][0]["archivo"] = bad.into();
        assert!(!validator.is_valid(&doc), "{bad} is refused by the schema");
    }
}
