//! VALIDATE: rules that need more than one field or more than one file: published totals equal
//! the sums of their rows, published percentages equal achieved/target, dates are ordered and in
//! their year, identifiers are unique and references resolve.
//!
//! Errors stop the build; warnings are printed and the site is still written. Each diagnostic is
//! located by searching the file's source for the offending value, since serde_yaml forgets
//! positions once a document has been read.

use crate::content::value_position;
use crate::diagnostic::{Diagnostic, locate, locate_from};
use crate::model::{ActionLine, Block, Origin, Report, Site, Table, Unit, decimals_of};
use std::collections::{BTreeMap, BTreeSet};

pub fn validate(site: &Site) -> Vec<Diagnostic> {
    validate_reusing(site, &|_| None).0
}

/// [`validate`], taking from `kept` what checking the report at that index found when a
/// previous build checked the same model (`serve` keeps them: a report's own rules read that
/// report alone). Also returns what each report's own rules found, in the site's order.
pub fn validate_reusing(
    site: &Site,
    kept: &(dyn Fn(usize) -> Option<Vec<Diagnostic>> + Sync),
) -> (Vec<Diagnostic>, Vec<Vec<Diagnostic>>) {
    let mut out = Vec::new();
    let s = &site.settings;
    if s.language != "es-MX" {
        out.push(located(
            &s.origin,
            Diagnostic::error(
                "E-IDIOMA",
                &s.origin.file,
                format!("idioma `{}` no admitido", s.language),
            )
            .path("idioma")
            .hint("el sitio se publica en español de México: `idioma: es-MX`"),
            "idioma:",
        ));
    }
    if !(s.base_url.starts_with("https://")
        || s.base_url.starts_with("http://")
        || s.base_url.starts_with('/'))
    {
        out.push(located(
            &s.origin,
            Diagnostic::error(
                "E-URL",
                &s.origin.file,
                "`base_url` debe ser una dirección http(s) o una ruta que empiece con `/`",
            )
            .path("base_url"),
            "base_url:",
        ));
    }
    if let Some(g) = &site.glossary {
        let mut terms = BTreeSet::new();
        let mut anchors = BTreeSet::new();
        for t in &g.terms {
            for text in std::iter::once(&t.term).chain(&t.variants) {
                if text.trim().is_empty() {
                    out.push(
                        Diagnostic::error(
                            "E-ESQUEMA",
                            "glosario.yaml",
                            "un término del glosario (o una de sus variantes) está vacío",
                        )
                        .hint("escriba el término tal como aparece en el informe, o bórrelo"),
                    );
                    continue;
                }
                if !terms.insert(text.as_str()) {
                    out.push(Diagnostic::error(
                        "E-DUPLICADO",
                        "glosario.yaml",
                        format!("el término `{text}` aparece dos veces en el glosario"),
                    ));
                }
            }
            if !anchors.insert(t.anchor.as_str()) {
                out.push(Diagnostic::error(
                    "E-DUPLICADO",
                    "glosario.yaml",
                    format!("dos términos dan el mismo ancla `{}`", t.anchor),
                ));
            }
        }
    }
    // Reports are checked on every core; `collect` keeps their order.
    let per_report: Vec<Vec<Diagnostic>> = {
        use rayon::prelude::*;
        site.reports
            .par_iter()
            .enumerate()
            .map(|(i, r)| {
                kept(i).unwrap_or_else(|| {
                    let mut found = Vec::new();
                    report(r, &mut found);
                    found
                })
            })
            .collect()
    };
    let mut seen = BTreeSet::new();
    for (r, found) in site.reports.iter().zip(&per_report) {
        out.extend(found.iter().cloned());
        if !seen.insert((r.year, r.quarter)) {
            out.push(Diagnostic::error(
                "E-DUPLICADO",
                &r.origin.file,
                format!(
                    "hay dos informes del {} de {}",
                    r.quarter_name.to_lowercase(),
                    r.year
                ),
            ));
        }
    }
    (out, per_report)
}

fn located(origin: &Origin, d: Diagnostic, needle: &str) -> Diagnostic {
    let source = origin.text();
    match locate(&source, needle) {
        Some((line, col)) => d.at(&source, line, Some(col)),
        None => d,
    }
}

fn report(r: &Report, out: &mut Vec<Diagnostic>) {
    let o = &r.origin;
    let expected_dir = format!("{}-t{}", r.year, r.quarter);
    if r.id != expected_dir {
        out.push(
            Diagnostic::error(
                "E-CARPETA",
                &o.file,
                format!("la carpeta `{}` no coincide con `anio` y `trimestre`", r.id),
            )
            .hint(format!("renombre la carpeta a `{expected_dir}`")),
        );
    }
    if !(1..=4).contains(&r.quarter) {
        out.push(located(
            o,
            Diagnostic::error(
                "E-TRIMESTRE",
                &o.file,
                format!("trimestre {} fuera de rango", r.quarter),
            )
            .path("trimestre")
            .hint("use 1, 2, 3 o 4"),
            "trimestre:",
        ));
    }
    if chrono::Datelike::year(&r.cutoff) != r.year {
        out.push(located(
            o,
            Diagnostic::warning(
                "W-FECHA",
                &o.file,
                format!("la fecha de corte {} no es del año {}", r.cutoff, r.year),
            )
            .path("fecha_corte"),
            "fecha_corte:",
        ));
    }
    for (i, s) in r.summaries.iter().enumerate() {
        if s.unit_name.is_empty() {
            out.push(located(
                o,
                Diagnostic::error(
                    "E-REFERENCIA",
                    &o.file,
                    format!("la unidad `{}` no existe en este informe", s.unit_slug),
                )
                .path(format!("presentacion[{i}].unidad"))
                .hint("use el nombre del archivo de la unidad en unidades/, sin `.yaml`"),
                &format!("unidad: {}", s.unit_slug),
            ));
        }
    }
    for (i, e) in r.errata.iter().enumerate() {
        if let Some(slug) = &e.unit_slug
            && !r.units.iter().any(|u| &u.slug == slug)
        {
            out.push(located(
                o,
                Diagnostic::error("E-REFERENCIA", &o.file, format!("la fe de erratas menciona la unidad `{slug}`, que no existe en este informe"))
                    .path(format!("fe_de_erratas[{i}].unidad")),
                &format!("unidad: {slug}"),
            ));
        }
    }
    attachments(r, out);
    for u in &r.units {
        // These names are pages or folders of the quarter, so a unit cannot take them.
        if ["imprimir", "anual", "anexos"].contains(&u.slug.as_str()) {
            out.push(
                Diagnostic::error(
                    "E-CARPETA",
                    &u.origin.file,
                    format!(
                        "`{}` es un nombre reservado para una página del informe",
                        u.slug
                    ),
                )
                .hint("renombre el archivo de la unidad"),
            );
        }
    }
    let mut table_ids: BTreeMap<&str, &str> = BTreeMap::new();
    let charts = r.units.iter().flat_map(|u| {
        u.lines.iter().flat_map(move |l| {
            l.blocks.iter().filter_map(move |b| match b {
                Block::Chart(c) => Some((u, c.id.as_str())),
                _ => None,
            })
        })
    });
    let ids = r.tables().map(|(u, _, t)| (u, t.id.as_str())).chain(charts);
    for (u, id) in ids {
        if let Some(first) = table_ids.insert(id, &u.slug) {
            out.push(located(
                &u.origin,
                Diagnostic::error(
                    "E-DUPLICADO",
                    &u.origin.file,
                    format!("el id `{id}` ya se usa en la unidad `{first}`"),
                )
                .hint("cada tabla y gráfica de un informe necesita un id único"),
                &format!("id: {id}"),
            ));
        }
    }
    for u in &r.units {
        unit(u, r.year, out);
    }
}

/// Each attachment needs a title (it is the link's text) and a file name of its own, since all
/// are published in one folder; names are compared ignoring case, as some file systems do.
fn attachments(r: &Report, out: &mut Vec<Diagnostic>) {
    let o = &r.origin;
    let mut names: BTreeMap<String, &str> = BTreeMap::new();
    for (i, a) in r.attachments.iter().enumerate() {
        // Located only when there is something to report (see `line`): at the `archivo` value,
        // or at `key` when the entry has one.
        let at_key = |d: Diagnostic, key: &str| {
            let source = o.text();
            let at = value_position(&source, &format!("anexos[{i}].{key}"))
                .or_else(|| value_position(&source, &format!("anexos[{i}].archivo")));
            match at {
                Some((line, col)) => d.at(&source, line, Some(col)),
                None => d,
            }
        };
        let at = |d: Diagnostic| at_key(d, "archivo");
        if a.title.trim().is_empty() {
            let at = |d: Diagnostic| at_key(d, "titulo");
            out.push(at(Diagnostic::error(
                "E-ANEXO",
                &o.file,
                format!("el anexo `{}` no tiene título", a.path),
            )
            .path(format!("anexos[{i}].titulo"))
            .hint(
                "el título es el texto del enlace de descarga: p. ej. `titulo: Informe firmado`",
            )));
        }
        if let Some(first) = names.insert(a.file_name.to_lowercase(), &a.path) {
            out.push(at(Diagnostic::error(
                "E-DUPLICADO",
                &o.file,
                format!(
                    "los anexos `{first}` y `{}` se publicarían con el mismo nombre `{}`",
                    a.path, a.file_name
                ),
            )
            .path(format!("anexos[{i}].archivo"))
            .hint("todos los anexos del trimestre se publican en una carpeta: renombre uno de los archivos")));
        }
    }
}

fn unit(u: &Unit, year: i32, out: &mut Vec<Diagnostic>) {
    let o = &u.origin;
    let mut numbers = BTreeSet::new();
    for (i, l) in u.lines.iter().enumerate() {
        let at = |d: Diagnostic, needle: &str| located(o, d, needle);
        if !numbers.insert(l.number) {
            let line_needle = format!("numero: {}", l.number);
            out.push(at(
                Diagnostic::error(
                    "E-DUPLICADO",
                    &o.file,
                    format!("la línea de acción {} está repetida", l.number),
                )
                .path(format!("lineas[{i}].numero")),
                &line_needle,
            ));
        }
        line(u, l, i, year, out);
    }
}

fn line(u: &Unit, l: &ActionLine, i: usize, year: i32, out: &mut Vec<Diagnostic>) {
    let o = &u.origin;
    let p = |rest: &str| format!("lineas[{i}]{rest}");
    // Positions are searched from the line's own `numero:` onwards so a repeated value in an
    // earlier line does not steal the location.
    // Searched only when there is something to report: most lines have nothing, and the
    // search is linear in the file.
    let at = |d: Diagnostic, needle: &str| -> Diagnostic {
        let source = o.text();
        let from = locate(&source, &format!("numero: {}", l.number)).map_or(1, |(ln, _)| ln);
        match locate_from(&source, from, needle).or_else(|| locate_from(&source, from, "numero:")) {
            Some((ln, col)) => d.at(&source, ln, Some(col)),
            None => d,
        }
    };
    if l.start > l.end {
        out.push(at(
            Diagnostic::error(
                "E-FECHAS",
                &o.file,
                format!(
                    "la fecha de inicio {} es posterior a la de término {}",
                    l.start, l.end
                ),
            )
            .path(p(".inicio")),
            "inicio:",
        ));
    }
    for (key, d) in [("inicio", l.start), ("termino", l.end)] {
        if chrono::Datelike::year(&d) != year {
            out.push(at(
                Diagnostic::warning(
                    "W-FECHA",
                    &o.file,
                    format!("la fecha {d} no es del año del informe ({year})"),
                )
                .path(p(&format!(".{key}"))),
                &format!("{key}:"),
            ));
        }
    }
    if l.goal.quantity.is_none() && l.goal.unit.is_none() && l.goal.text.is_none() {
        out.push(at(
            Diagnostic::error("E-META", &o.file, "la meta está vacía")
                .path(p(".meta"))
                .hint("escriba `cantidad` y `unidad`, o `texto`"),
            "meta:",
        ));
    }
    if let Some(pr) = &l.progress {
        if let (Some(dec), true) = (pr.declared, pr.computed) {
            let places = decimals_of(dec);
            let factor = 10f64.powi(places as i32);
            let rounded = (pr.percent * factor).round() / factor;
            if (rounded - dec).abs() > 1e-9 {
                out.push(at(
                    Diagnostic::error("E-PORCENTAJE", 
                        &o.file,
                        format!(
                            "el avance publicado ({dec} %) no coincide con logrado/programado ({} de {} = {rounded} %)",
                            pr.achieved.unwrap_or_default(),
                            pr.target.unwrap_or_default()
                        ),
                    )
                    .path(p(".avance.porcentaje")),
                    "porcentaje:",
                ));
            }
        }
        if !(0.0..=100.0).contains(&pr.percent) {
            out.push(at(
                Diagnostic::warning(
                    "W-AVANCE",
                    &o.file,
                    format!("avance de {} % fuera de 0–100", pr.percent),
                )
                .path(p(".avance")),
                "avance:",
            ));
        }
        if let (Some(t), Some(q)) = (pr.target, l.goal.quantity)
            && (t - q).abs() > 1e-9
        {
            out.push(at(
                Diagnostic::warning(
                    "W-META",
                    &o.file,
                    format!("la meta es de {q} pero el avance se calcula sobre {t} programados"),
                )
                .path(p(".avance.programado")),
                "programado:",
            ));
        }
    }
    if let Some(m) = l.progress_problem {
        out.push(at(
            Diagnostic::error("E-AVANCE", &o.file, m)
                .path(p(".avance"))
                .hint("escriba `porcentaje`, o `logrado` y `programado`"),
            "avance:",
        ));
    }
    for b in &l.blocks {
        match b {
            Block::Table(t) => table(u, t, out),
            Block::Chart(c) => {
                if let Some(problem) = &c.problem {
                    out.push(located(
                        o,
                        Diagnostic::error(
                            "E-GRAFICA",
                            &o.file,
                            format!("gráfica `{}`: {problem}", c.id),
                        ),
                        &format!("id: {}", c.id),
                    ));
                }
            }
            _ => {}
        }
    }
    for (k, e) in l.events.iter().enumerate() {
        if let (Some(w), Some(m), None) = (e.women, e.men, &e.breakdown)
            && w + m != e.participants
        {
            out.push(at(
                Diagnostic::error("E-PARTICIPANTES", 
                    &o.file,
                    format!("{w} mujeres + {m} hombres = {} ≠ {} participantes", w + m, e.participants),
                )
                .path(p(&format!(".eventos[{k}]")))
                .hint("si el desglose cuenta a otro grupo (p. ej. personas acreditadas), indíquelo con `desglose`"),
                &format!("participantes: {}", e.participants),
            ));
        }
        if let Some(fin) = e.end
            && fin < e.start
        {
            out.push(at(
                Diagnostic::error("E-FECHAS", &o.file, "el evento termina antes de empezar")
                    .path(p(&format!(".eventos[{k}].fin"))),
                "fin:",
            ));
        }
    }
}

fn table(u: &Unit, t: &Table, out: &mut Vec<Diagnostic>) {
    let o = &u.origin;
    // Located only when there is something to report (see `line`).
    let at_key = |d: Diagnostic, key: &str| {
        let source = o.text();
        let id_line = locate(&source, &format!("id: {}", t.id)).map_or(1, |(ln, _)| ln);
        match locate_from(&source, id_line, key) {
            Some((ln, col)) => d.at(&source, ln, Some(col)),
            None => d,
        }
    };
    let at = |d: Diagnostic| at_key(d, &format!("id: {}", t.id));
    let n = t.columns.len();
    for (r, row) in t.rows.iter().enumerate() {
        if row.len() != n {
            out.push(at(Diagnostic::error(
                "E-FILA",
                &o.file,
                format!(
                    "tabla `{}`: la fila {} tiene {} celdas y la tabla {} columnas",
                    t.id,
                    r + 1,
                    row.len(),
                    n
                ),
            )));
        }
    }
    let Some(total) = &t.total else { return };
    if total.len() != n {
        out.push(at(Diagnostic::error(
            "E-FILA",
            &o.file,
            format!(
                "tabla `{}`: la fila de total tiene {} celdas y la tabla {} columnas",
                t.id,
                total.len(),
                n
            ),
        )));
        return;
    }
    for ((col, sum), cell) in t.columns.iter().zip(t.column_sums()).zip(total) {
        if let (Some(sum), Some(declared)) = (sum, cell.number())
            && (sum - declared).abs() > 1e-6
        {
            out.push(at_key(Diagnostic::error("E-SUMA", 
                &o.file,
                format!(
                    "tabla `{}`, columna «{}»: el total publicado es {declared} pero las filas suman {sum}",
                    t.id, col.name
                ),
            )
            .hint("corrija la fila o el total; si el informe publicó así el dato, registre una nota"), "total:"));
        }
    }
}
