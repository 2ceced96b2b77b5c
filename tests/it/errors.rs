//! Bad content: every problem is reported with file, line and YAML path, the exit code is 1,
//! and the published site is left exactly as it was.

use crate::harness::{TestSite, tree};

const UNIT: &str = "informes/2023-t2/unidades/datos.yaml";

/// Builds once, breaks the content, builds again: returns the second run after checking the
/// first site survived byte for byte.
fn rebuild_broken(site: &TestSite, break_it: impl FnOnce(&TestSite)) -> crate::harness::Run {
    assert_eq!(site.build().code, 0);
    let before = tree(&site.output());
    break_it(site);
    let run = site.build();
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_eq!(
        before,
        tree(&site.output()),
        "public/ changed after a failed build"
    );
    assert!(run.stderr.contains("no se modificó"), "{}", run.stderr);
    run
}

#[test]
fn syntax_error_is_located_and_public_is_unchanged() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(UNIT, "orden: 1", "orden: [1");
    });
    assert!(run.stderr.contains("datos.yaml:"), "{}", run.stderr);
    insta::assert_snapshot!("syntax_error", run.stderr);
}

#[test]
fn type_error_names_file_line_column_and_yaml_path() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(UNIT, "numero: 1", "numero: uno");
    });
    assert!(
        run.stderr
            .contains("datos.yaml:8:13 (en `lineas[0].numero`)"),
        "{}",
        run.stderr
    );
    insta::assert_snapshot!("type_error", run.stderr);
}

#[test]
fn unknown_key_is_an_error_with_its_path() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(UNIT, "    avance:\n", "    avanse:\n");
    });
    assert!(
        run.stderr.contains("clave desconocida `avanse`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("lineas[0]"), "{}", run.stderr);
}

#[test]
fn declared_total_that_does_not_add_up_is_an_error() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(UNIT, "total: [Total, 24, 7]", "total: [Total, 25, 7]");
    });
    assert!(
        run.stderr
            .contains("columna «Programados»: el total publicado es 25 pero las filas suman 24"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("datos.yaml:32:11"),
        "located at the total row: {}",
        run.stderr
    );
}

#[test]
fn declared_percentage_must_match_achieved_over_target() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(UNIT, "porcentaje: 29.17", "porcentaje: 30");
    });
    assert!(
        run.stderr
            .contains("el avance publicado (30 %) no coincide"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`lineas[0].avance.porcentaje`"),
        "{}",
        run.stderr
    );
}

#[test]
fn women_plus_men_must_equal_participants_unless_a_subgroup_is_declared() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(UNIT, "mujeres: 3", "mujeres: 4");
    });
    assert!(
        run.stderr
            .contains("4 mujeres + 6 hombres = 10 ≠ 9 participantes"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_error_in_every_file_is_reported_in_one_run() {
    let site = TestSite::fixture("minimo");
    site.edit(UNIT, "orden: 1", "orden: uno");
    site.edit(
        "informes/2023-t2/informe.yaml",
        "trimestre: 2",
        "trimestre: dos",
    );
    site.edit("sitio.yaml", "idioma: es-MX", "idioma: es-MX\ncolor: rojo");
    let run = site.build();
    assert_eq!(run.code, 1);
    for needle in [
        "datos.yaml:2",
        "informe.yaml:2",
        "sitio.yaml:5",
        "clave desconocida `color`",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle}: {}",
            run.stderr
        );
    }
}

#[test]
fn presentation_must_name_an_existing_unit() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(
            "informes/2023-t2/informe.yaml",
            "unidad: datos",
            "unidad: dato",
        );
    });
    assert!(
        run.stderr
            .contains("la unidad `dato` no existe en este informe"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("informe.yaml:9"), "{}", run.stderr);
}

#[test]
fn invalid_utf8_and_empty_files_are_clear_errors() {
    let site = TestSite::fixture("minimo");
    std::fs::write(site.content().join(UNIT), b"unidad: Direcci\xf3n\n").unwrap();
    std::fs::write(site.content().join("sitio.yaml"), b"").unwrap();
    let run = site.build();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no está en UTF-8"), "{}", run.stderr);
    assert!(
        run.stderr.contains("el archivo está vacío"),
        "{}",
        run.stderr
    );
}

#[test]
fn chart_errors_are_located_like_any_content_error() {
    for (from, to, expected) in [
        (
            "origen: tabla-1",
            "origen: tabla-9",
            "gráfica `grafica-1`: no hay una tabla con id `tabla-9` en esta unidad",
        ),
        (
            "series: [Programados, Ejecutados]",
            "series: [Programados, Realizados]",
            "la tabla `tabla-1` no tiene la columna «Realizados»",
        ),
        (
            "resaltar: Chiapas",
            "resaltar: Oaxaca",
            "`resaltar: Oaxaca` no es una categoría de la tabla",
        ),
        (
            "tipo: barras-agrupadas",
            "tipo: pastel",
            "bloque o valor desconocido `pastel`",
        ),
    ] {
        let site = TestSite::fixture("minimo");
        let run = rebuild_broken(&site, |s| {
            s.edit(UNIT, from, to);
        });
        assert!(run.stderr.contains(expected), "{to}: {}", run.stderr);
        assert!(run.stderr.contains("datos.yaml:"), "{}", run.stderr);
    }
}

#[test]
fn a_chart_of_a_text_column_is_refused() {
    let site = TestSite::fixture("minimo");
    let run = rebuild_broken(&site, |s| {
        s.edit(UNIT, "- [Jalisco, 100]", "- [Jalisco, cien]");
    });
    assert!(
        run.stderr.contains(
            "la columna «Puntos» de la tabla `tabla-2` tiene texto en la fila 1 («cien»)"
        ),
        "{}",
        run.stderr
    );
}
