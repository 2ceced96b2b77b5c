//! The webmaster's other commands: `check`, `new` and `schema`.

use crate::harness::{TestSite, copy_tree, repo_root};
use assert_cmd::Command;
use std::path::Path;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn informe(dir: &Path, args: &[&str]) -> Out {
    let out = Command::cargo_bin("informe")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A site whose theme is a private copy, so a test can break the theme too.
fn with_theme(site: &TestSite) -> std::path::PathBuf {
    let theme = site.dir.path().join("theme");
    copy_tree(&repo_root().join("theme"), &theme);
    theme
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn check_is_quiet_on_the_shipped_report_except_its_known_discrepancies() {
    let site = TestSite::shipped();
    with_theme(&site);
    let out = informe(site.dir.path(), &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("0 errores, 3 avisos"), "{}", out.stdout);
    assert!(!site.output().exists(), "check writes nothing");
    let codes: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("aviso[").and_then(|r| r.split(']').next()))
        .collect();
    assert_eq!(codes, ["W-FECHA", "W-FECHA", "W-META"], "{}", out.stderr);
}

#[test]
fn check_finds_broken_links_missing_anchors_and_vague_link_text() {
    let site = TestSite::fixture("minimo");
    with_theme(&site);
    site.edit(
        "informes/2023-t2/unidades/datos.yaml",
        "Mantener los equipos.",
        "Mantener los equipos. Vea [el plan](/informe/plan/), [la línea 9](#linea-9) y [aquí](/informe/institucion/).",
    );
    let out = informe(site.dir.path(), &["check"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for expected in [
        "error[E-ENLACE]: el enlace `/informe/plan/` apunta a `plan/index.html`, que no existe en el sitio",
        "error[E-ANCLA]: el enlace `#linea-9` apunta al ancla `#linea-9`, que no existe",
        "aviso[W-A11Y-ENLACE]: el texto de enlace «aquí» no dice a dónde lleva",
        "--> informes/2023/t2/datos/index.html",
    ] {
        assert!(
            out.stderr.contains(expected),
            "missing {expected:?}:\n{}",
            out.stderr
        );
    }
}

#[test]
fn check_lints_the_theme_for_accessibility() {
    let site = TestSite::fixture("minimo");
    let theme = with_theme(&site);
    edit(
        &theme.join("static/estilo.css"),
        "--tenue: #4a4a4a;",
        "--tenue: #b0b0b0;",
    );
    edit(
        &theme.join("templates/base.html"),
        r#"<html lang="{{ site.language }}">"#,
        "<html>",
    );
    edit(
        &theme.join("templates/parciales/tabla.html"),
        r#"<caption id="{{ t.id }}-titulo">"#,
        r#"<caption id="{{ t.id }}-titulo" hidden>"#,
    );
    edit(
        &theme.join("templates/institucion.html"),
        "<h2 id=\"mision\">Misión</h2>",
        "<h4 id=\"mision\">Misión</h4><p id=\"vision\"></p>",
    );
    let out = informe(site.dir.path(), &["check"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for expected in [
        "error[E-A11Y-CONTRASTE]: contraste de 2.",
        "estilo.css:",
        "error[E-A11Y-IDIOMA]",
        "aviso[W-A11Y-ENCABEZADOS]: el encabezado «Misión» salta de h1 a h4",
        "error[E-A11Y-ID]: el id `vision` aparece 2 veces",
    ] {
        assert!(
            out.stderr.contains(expected),
            "missing {expected:?}:\n{}",
            out.stderr
        );
    }
    // A hidden caption is still a caption: the lint judges structure, the browser suite judges
    // what is announced. Removing it altogether is caught:
    edit(
        &theme.join("templates/parciales/tabla.html"),
        r#"<caption id="{{ t.id }}-titulo" hidden>"#,
        "<span>",
    );
    edit(
        &theme.join("templates/parciales/tabla.html"),
        "{{ t.title }}</caption>",
        "{{ t.title }}</span>",
    );
    let out = informe(site.dir.path(), &["check"]);
    assert!(
        out.stderr
            .contains("(dentro de `#tabla-1`) no tiene `<caption>`"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_reports_content_rules_with_their_codes() {
    let site = TestSite::fixture("minimo");
    with_theme(&site);
    site.edit(
        "informes/2023-t2/unidades/datos.yaml",
        "total: [Total, 24, 7]",
        "total: [Total, 24, 8]",
    );
    let out = informe(site.dir.path(), &["check"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("error[E-SUMA]: tabla `tabla-1`, columna «Ejecutados»"),
        "{}",
        out.stderr
    );
}

#[test]
fn new_scaffolds_the_next_quarter_and_refuses_to_overwrite() {
    let site = TestSite::fixture("minimo");
    with_theme(&site);
    let out = informe(site.dir.path(), &["new", "2023", "3"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report =
        std::fs::read_to_string(site.content().join("informes/2023-t3/informe.yaml")).unwrap();
    assert!(
        report.contains("trimestre: 3") && report.contains("periodo: Julio - Septiembre"),
        "{report}"
    );
    assert!(report.contains("fecha_corte: 2023-09-30"));
    assert!(
        report.contains("titulo: Tercer Informe de Prueba"),
        "{report}"
    );
    let unit = std::fs::read_to_string(site.content().join("informes/2023-t3/unidades/datos.yaml"))
        .unwrap();
    assert!(
        unit.contains("cantidad: 24") && unit.contains("unidad: Mantenimientos"),
        "goals carried over"
    );
    assert!(
        !unit.contains("avance:") && !unit.contains("eventos:"),
        "progress emptied: {unit}"
    );

    let again = informe(site.dir.path(), &["new", "2023", "3"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("ya existe"), "{}", again.stderr);

    let built = site.build();
    assert_eq!(built.code, 0, "{}", built.stderr);
    let q3 = site.text("informes/2023/t3/index.html");
    assert!(
        q3.contains("Trimestre anterior: segundo trimestre de 2023"),
        "{q3}"
    );
    assert!(
        site.text("informes/2023/t3/datos/index.html")
            .contains("Sin avance reportado en este trimestre")
    );
}

#[test]
fn new_moves_dates_into_a_new_year() {
    let site = TestSite::fixture("minimo");
    let out = informe(site.dir.path(), &["new", "2024", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let unit = std::fs::read_to_string(site.content().join("informes/2024-t1/unidades/datos.yaml"))
        .unwrap();
    assert!(
        unit.contains("inicio: 2024-01-01") && unit.contains("termino: 2024-12-31"),
        "{unit}"
    );
}

#[test]
fn shipped_content_validates_against_the_emitted_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let out = informe(dir.path(), &["schema", "--dir", "esquemas"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let schema = |name: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("esquemas").join(name)).unwrap(),
        )
        .unwrap()
    };
    let content = repo_root().join("content");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let name = match path.file_name().unwrap().to_str().unwrap() {
            "sitio.yaml" => "sitio.schema.json",
            "institucion.yaml" => "institucion.schema.json",
            "informe.yaml" => "informe.schema.json",
            "glosario.yaml" => "glosario.schema.json",
            _ => "unidad.schema.json",
        };
        let doc: serde_json::Value =
            serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema(name)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        checked += 1;
    }
    assert!(checked >= 9, "{checked}");

    // And the schema rejects what the loader rejects: an unknown key.
    let bad: serde_json::Value = serde_json::json!({"titulo": "t", "descripcion": "d", "base_url": "/", "idioma": "es-MX", "color": "rojo"});
    assert!(
        !jsonschema::validator_for(&schema("sitio.schema.json"))
            .unwrap()
            .is_valid(&bad)
    );
}
