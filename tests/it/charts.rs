//! Charts declared in content: drawn to SVG with the fonts the build ships, accessible, with
//! their data one click away, and the same bytes on every machine (the snapshots are compared
//! on CI machines that have no font packages at all).

use crate::harness::TestSite;

const UNIT: &str = "informes/2023/t2/datos/index.html";

fn built() -> TestSite {
    let site = TestSite::fixture("minimo");
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    site
}

/// The `<figure>` of chart `id`, from its opening tag to its closing one.
fn figure(html: &str, id: &str) -> String {
    let start = html
        .find(&format!(r#"<figure class="grafica" id="{id}""#))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = start + html[start..].find("</figure>").unwrap() + "</figure>".len();
    html[start..end].to_owned()
}

/// A whole label: the text of one `<text>` element.
fn label(text: &str) -> String {
    format!(">{text}</text>")
}

fn svg(fig: &str) -> String {
    let start = fig.find("<svg").unwrap();
    let end = fig.find("</svg>").unwrap() + "</svg>".len();
    fig[start..end].to_owned()
}

#[test]
fn grouped_bars_svg_snapshot_and_labels() {
    let site = built();
    let fig = figure(&site.page(UNIT), "grafica-1");
    let s = svg(&fig);
    assert!(s.contains(r#"role="img""#));
    assert!(s.contains(r#"<title id="grafica-1-svg-titulo">Se ejecutaron 7 de los 24 mantenimientos programados</title>"#), "{s}");
    assert!(
        s.contains("Programados: 24 mantenimientos en total"),
        "text alternative from data: {s}"
    );
    assert!(
        s.contains("Programados (total: 24)") && s.contains("Ejecutados (total: 7)"),
        "legend totals"
    );
    for l in ["10", "14", "4", "3", "Enero", "Febrero"] {
        assert!(s.contains(&label(l)), "missing direct label {l}");
    }
    insta::assert_snapshot!("chart_grouped_bars", s);
}

#[test]
fn ranking_is_sorted_and_highlights_without_relying_on_colour() {
    let site = built();
    let s = svg(&figure(&site.page(UNIT), "grafica-2"));
    let order: Vec<usize> = ["Jalisco", "Aguascalientes", "Chiapas", "Durango"]
        .iter()
        .map(|n| s.find(&label(n)).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "sorted from highest: {order:?}"
    );
    assert!(
        s.contains(&label("95 (lugar 3)")),
        "the highlighted bar says its place in text"
    );
    assert!(
        s.contains("Chiapas ocupa el lugar 3 de 4, con 95 puntos"),
        "{s}"
    );
    insta::assert_snapshot!("chart_ranking", s);
}

#[test]
fn training_totals_are_computed_by_the_generator() {
    let site = built();
    let fig = figure(&site.page(UNIT), "grafica-3");
    let s = svg(&fig);
    assert!(
        s.contains("Mujeres (total: 206)") && s.contains("Hombres (total: 245)"),
        "{s}"
    );
    assert!(
        s.contains("2 eventos formativos en el trimestre, con 976 participantes en total"),
        "{s}"
    );
    assert!(
        fig.contains("el desglose por sexo cuenta a las personas acreditadas"),
        "{fig}"
    );
    insta::assert_snapshot!("chart_training", s);
}

#[test]
fn progress_chart_on_unit_and_quarter_pages() {
    let site = built();
    let unit = figure(&site.page(UNIT), "avance-datos");
    let quarter = figure(&site.page("informes/2023/t2/index.html"), "avance-datos");
    assert_eq!(svg(&unit), svg(&quarter));
    let s = svg(&unit);
    assert!(
        s.contains(&label("29.17 %")) && s.contains(&label("sin avance reportado")),
        "{s}"
    );
    assert!(
        s.contains("Línea 1, 29.17\u{a0}% y Línea 2, sin avance reportado"),
        "{s}"
    );
    insta::assert_snapshot!("chart_progress", s);
}

#[test]
fn every_chart_is_a_captioned_figure_with_its_data_table_one_click_away() {
    let site = built();
    let html = site.page(UNIT);
    for id in ["grafica-1", "grafica-2", "grafica-3", "avance-datos"] {
        let fig = figure(&html, id);
        assert!(fig.contains("<figcaption>"), "{id}");
        // Left out of search: it repeats what the page's own tables and lines say.
        assert!(
            fig.contains("<details class=\"grafica-datos\" data-pagefind-ignore>"),
            "{id}"
        );
        assert!(
            fig.contains("<th scope=\"row\">"),
            "{id}: the data is a real table"
        );
        assert!(fig.contains("<desc id="), "{id}");
    }
    let fig = figure(&html, "grafica-1");
    assert!(
        fig.contains("Ver los datos de la Gráfica 1 en una tabla"),
        "{fig}"
    );
    assert!(
        fig.contains(r#"<td class="num">14</td><td class="num">3</td>"#),
        "{fig}"
    );
}
