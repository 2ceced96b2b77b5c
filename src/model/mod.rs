//! MODEL: the typed report, English-named, built from the raw mirror. Derived numbers
//! (computed percentages, event totals, URLs, header rows) are computed here once so every
//! page, and later every data file, shows the same figure.
//!
//! Templates read these structs through `Serialize`; Markdown stays Markdown here and is
//! turned into HTML by the `markdown` template filter at render time.

pub mod chart;
mod table;
mod texts;

use crate::content::{RawContent, raw};
use chrono::NaiveDate;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

pub use chart::{Chart, ChartData, ChartKind, Series};
pub use table::{Cell, Column, HeaderCell, Table};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    pub settings: Settings,
    pub institution: Institution,
    pub glossary: Option<Glossary>,
    /// Oldest first.
    pub reports: Vec<Report>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub title: String,
    pub description: String,
    pub base_url: String,
    /// Path part of `base_url` without the trailing slash (`/informe`, or empty at the root).
    pub base_path: String,
    pub language: String,
    #[serde(skip)]
    pub origin: Origin,
}

/// Where a record came from, so validation can point at the file and line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origin {
    pub file: PathBuf,
    pub source: crate::content::Source,
}

impl Origin {
    /// The file's text as parsed, to locate a problem in it (see [`crate::content::Source`]).
    pub fn text(&self) -> Arc<String> {
        self.source.text(&self.file)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Glossary {
    /// «¿Cómo leer este informe?», Markdown.
    pub guide: Option<String>,
    /// Sorted as written in content.
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub term: String,
    pub name: Option<String>,
    pub definition: String,
    pub variants: Vec<String>,
    /// `termino-sesaech`: the term's anchor on the glossary page.
    pub anchor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Institution {
    pub name: String,
    pub short_name: String,
    pub motto: String,
    pub mission: String,
    pub vision: String,
    pub principles_intro: Option<String>,
    pub principles: Vec<Principle>,
    pub structure: Structure,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principle {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Structure {
    pub intro: String,
    pub organs: Vec<Organ>,
    pub note: Option<String>,
    pub figure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organ {
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `2023-t2`.
    pub id: String,
    pub year: i32,
    pub quarter: u8,
    /// «Segundo trimestre».
    pub quarter_name: String,
    pub period: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub cutoff: NaiveDate,
    pub legal_basis: String,
    pub summaries: Vec<Summary>,
    pub notes: Vec<Note>,
    /// Sorted by `orden`, then slug.
    pub units: Vec<Unit>,
    /// Site-relative URL path, `/informes/2023/t2/`.
    pub url: String,
    pub events: EventTotals,
    /// Last update of the published information (transparency metadata).
    pub updated: NaiveDate,
    pub responsible_area: Option<String>,
    /// Corrections made after publication («fe de erratas»).
    pub errata: Vec<Erratum>,
    /// Documents attached to the quarter, in the order of `anexos`.
    pub attachments: Vec<Attachment>,
    #[serde(skip)]
    pub origin: Origin,
}

/// A document attached to a quarter, published byte for byte under the quarter's URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub title: String,
    pub description: Option<String>,
    /// As checked by the loader, relative to the quarter's folder: `anexos/informe-firmado.pdf`.
    pub path: String,
    /// The name it is published under (the last component of `path`).
    pub file_name: String,
    /// `PDF`, `XLSX`…
    pub format: &'static str,
    pub media_type: &'static str,
    pub size: usize,
    /// Site-relative URL, `/informes/2023/t2/anexos/informe-firmado.pdf`.
    pub url: String,
    /// The file's contents, read by the loader.
    #[serde(skip)]
    pub bytes: Arc<[u8]>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Erratum {
    pub date: NaiveDate,
    pub unit_slug: Option<String>,
    pub change: String,
    pub reason: String,
}

/// The same page in another quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterLink {
    pub label: String,
    pub url: String,
    pub current: bool,
}

/// An action line's progress in one quarter of its year. Templates also get `percent_text`
/// (see the `texts` module).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    /// The page showing the history is the one of the point whose `quarter` is its report's.
    pub quarter: u8,
    pub label: String,
    pub url: String,
    pub percent: Option<f64>,
    pub decimals: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub unit_slug: String,
    /// The unit's name, resolved from its file (empty when the slug does not resolve).
    pub unit_name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub slug: String,
    pub name: String,
    pub short_name: Option<String>,
    pub order: u32,
    pub objective: String,
    pub strategy: String,
    pub lines: Vec<ActionLine>,
    pub notes: Vec<Note>,
    pub url: String,
    pub events: EventTotals,
    /// Progress of every action line, drawn on the quarter and unit pages.
    pub progress_chart: Option<Box<Chart>>,
    /// This unit in every published quarter, oldest first (this one marked `current`).
    pub other_quarters: Vec<QuarterLink>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionLine {
    pub number: u32,
    /// `linea-3`: stable across rebuilds and quarters.
    pub anchor: String,
    pub title: Option<String>,
    /// The title, or the start of the description when there is none, for overviews.
    pub short_label: String,
    pub description: String,
    pub goal: Goal,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub progress: Option<Progress>,
    pub blocks: Vec<Block>,
    pub events: Vec<Event>,
    pub event_totals: EventTotals,
    pub notes: Vec<Note>,
    /// Progress of this line (same unit, same number) in each published quarter of the year;
    /// one history, shared by the line of each of those quarters (at 10,000 pages a copy
    /// per line was a tenth of the model).
    pub history: Arc<[HistoryPoint]>,
    /// Percentage points gained since the previous published quarter of the same year.
    pub change: Option<f64>,
    /// Why `avance` could not be read (half of logrado/programado…); reported by `validate`.
    #[serde(skip)]
    pub progress_problem: Option<&'static str>,
}

/// Templates also get `label` (see the `texts` module).
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    /// The goal as published, when it is not just quantity + unit.
    pub text: Option<String>,
}

/// Templates also get `percent_text`, `achieved_text` and `target_text` (see the `texts`
/// module).
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The figure shown: computed from achieved/target when both are given, else declared.
    pub percent: f64,
    pub declared: Option<f64>,
    pub achieved: Option<f64>,
    pub target: Option<f64>,
    pub computed: bool,
    /// Decimal places to show: those of the declared figure, or 2.
    pub decimals: usize,
    /// `percent` clamped to 0–100 and rounded, for the width of the progress bar.
    pub bar_width: f64,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Text { markdown: String },
    Figure { caption: String },
    Table(Table),
    Figures(FigureGroup),
    Chart(Box<Chart>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureGroup {
    pub title: String,
    pub source: Option<String>,
    pub items: Vec<FigureItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureItem {
    pub concept: String,
    pub value: f64,
    pub unit: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub name: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub participants: u32,
    pub women: Option<u32>,
    pub men: Option<u32>,
    /// Who the women/men split counts when it is not every participant («acreditadas»).
    pub breakdown: Option<String>,
    pub entities: Option<u32>,
}

/// Sums over events, computed by the generator, never typed by hand.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct EventTotals {
    pub events: usize,
    pub participants: u32,
    pub women: u32,
    pub men: u32,
    /// Some event's women/men split counts a subgroup (e.g. people accredited), so the split
    /// totals do not add up to `participants`.
    pub partial_breakdown: bool,
}

impl EventTotals {
    fn add(&mut self, other: &EventTotals) {
        self.events += other.events;
        self.participants += other.participants;
        self.women += other.women;
        self.men += other.men;
        self.partial_breakdown |= other.partial_breakdown;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// `aclaracion` or `nota-editorial`.
    pub kind: &'static str,
    /// «Aclaración» or «Nota editorial».
    pub label: &'static str,
    pub text: String,
}

const QUARTER_NAMES: [&str; 4] = [
    "Primer trimestre",
    "Segundo trimestre",
    "Tercer trimestre",
    "Cuarto trimestre",
];

impl Site {
    /// Builds the typed model. Cross-record problems are left for `validate`; this never fails.
    pub fn from_raw(raw: RawContent, base_url_override: Option<&str>) -> Site {
        Self::from_raw_reusing(raw, base_url_override, &|_| None).0
    }

    /// [`Site::from_raw`], taking the model of the `i`-th raw report from `reuse` when it has
    /// one (a previous build's, made from the same files). A reused report keeps its
    /// cross-quarter links until they are checked here against every report. Also returns,
    /// for each report of the site (in its order), whether those links changed: a reused
    /// report whose links did not change is the same model as before.
    ///
    /// The model takes the parsed text rather than copying it (at 10,000 pages the copies
    /// were 200 MB); a parse still shared, with `serve`'s parse cache, is copied.
    pub fn from_raw_reusing(
        raw: RawContent,
        base_url_override: Option<&str>,
        reuse: &(dyn Fn(usize) -> Option<Report> + Sync),
    ) -> (Site, Vec<bool>) {
        let reports: Vec<Report> = {
            use rayon::prelude::*;
            raw.reports
                .into_par_iter()
                .enumerate()
                .map(|(i, r)| reuse(i).unwrap_or_else(|| Report::from_raw(r)))
                .collect()
        };
        Self::from_reports(
            RawContent {
                site: raw.site,
                institution: raw.institution,
                glossary: raw.glossary,
                reports,
            },
            base_url_override,
        )
    }

    /// The site of reports already modelled (as [`crate::content::load_mapped`] with
    /// [`Report::from_raw`] makes them): settings, institution and glossary from their files,
    /// and the cross-quarter links. Returns, for each report in the site's order, whether its
    /// links changed.
    pub fn from_reports(
        raw: RawContent<Report>,
        base_url_override: Option<&str>,
    ) -> (Site, Vec<bool>) {
        let RawContent {
            site,
            institution,
            glossary,
            reports,
        } = raw;
        let (origin, s) = taken(site);
        let base_url = base_url_override.map_or(s.base_url, str::to_owned);
        let settings = Settings {
            title: s.titulo,
            description: s.descripcion,
            base_path: base_path(&base_url),
            base_url,
            language: s.idioma,
            origin,
        };
        let (_, i) = taken(institution);
        let institution = Institution {
            name: i.nombre,
            short_name: i.siglas,
            motto: i.lema,
            mission: i.mision,
            vision: i.vision,
            principles_intro: i.principios_introduccion,
            principles: i
                .principios
                .into_iter()
                .map(|p| Principle {
                    name: p.nombre,
                    text: p.texto,
                })
                .collect(),
            structure: Structure {
                intro: i.estructura.introduccion,
                organs: i
                    .estructura
                    .organos
                    .into_iter()
                    .map(|o| Organ {
                        name: o.nombre,
                        kind: o.tipo,
                    })
                    .collect(),
                note: i.estructura.nota,
                figure: i.estructura.figura,
            },
        };
        let mut reports = reports;
        reports.sort_by(|a, b| (a.year, a.quarter, &a.id).cmp(&(b.year, b.quarter, &b.id)));
        let relinked = link_quarters(&mut reports);
        let glossary = glossary.map(|g| {
            let (_, g) = taken(g);
            Glossary {
                guide: g.guia,
                terms: g
                    .terminos
                    .into_iter()
                    .map(|t| Term {
                        anchor: format!("termino-{}", anchor_slug(&t.termino)),
                        term: t.termino,
                        name: t.nombre,
                        definition: t.definicion,
                        variants: t.variantes,
                    })
                    .collect(),
            }
        });
        let site = Site {
            settings,
            institution,
            glossary,
            reports,
        };
        (site, relinked)
    }
}

/// `PI-PEA` → `pi-pea`, `Órgano de Gobierno` → `organo-de-gobierno`: stable ASCII anchors.
pub fn anchor_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'ä' => 'a',
            'é' | 'è' | 'ë' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ö' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Cross-quarter links: each unit's other quarters, and each line's history within its year
/// with the change since the previous published quarter. Returns, per report, whether any of
/// them changed. Links that are already right (a report kept from the previous build, in a
/// year the edit did not touch) are compared where they are, not made again: a rebuild
/// after an edit allocates for the edited year only.
fn link_quarters(reports: &mut [Report]) -> Vec<bool> {
    enum Relink {
        Others(usize, usize, Vec<QuarterLink>),
        Line(usize, usize, usize, Arc<[HistoryPoint]>, Option<f64>),
    }
    // «Segundo trimestre de 2023».
    let labels: Vec<String> = reports
        .iter()
        .map(|r| format!("{} de {}", r.quarter_name, r.year))
        .collect();
    // Every unit by slug, and every action line by (year, slug, number); stable sorts keep
    // the reports' (quarter) order within each group.
    let mut units: Vec<(&str, usize, usize)> = Vec::new();
    for (ri, r) in reports.iter().enumerate() {
        for (ui, u) in r.units.iter().enumerate() {
            units.push((&u.slug, ri, ui));
        }
    }
    units.sort_by(|a, b| a.0.cmp(b.0));
    // (year, unit slug's rank among the slugs, line number), then report, unit and line
    // indexes. Ranks sort as the slugs do, and this sort compares integers instead of slug
    // text: `serve` makes it on every rebuild, where it was 2 % of the CPU (`perf`, 1,000 pages).
    type LineAt = ((i32, usize, u32), usize, usize, usize);
    let rank: std::collections::HashMap<&str, usize> = units
        .chunk_by(|a, b| a.0 == b.0)
        .enumerate()
        .map(|(rank, group)| (group[0].0, rank))
        .collect();
    let mut lines: Vec<LineAt> = Vec::new();
    for (ri, r) in reports.iter().enumerate() {
        for (ui, u) in r.units.iter().enumerate() {
            let slug = rank[u.slug.as_str()];
            for (li, l) in u.lines.iter().enumerate() {
                lines.push(((r.year, slug, l.number), ri, ui, li));
            }
        }
    }
    lines.sort_by_key(|l| l.0);
    // Each group's links are made on every core; they are set afterwards, one by one.
    use rayon::prelude::*;
    let reports_now: &[Report] = reports;
    let unit_groups: Vec<&[(&str, usize, usize)]> = units.chunk_by(|a, b| a.0 == b.0).collect();
    let relink_unit = |&group: &&[(&str, usize, usize)]| {
        let reports = reports_now;
        let mut relinks = Vec::new();
        // A unit's quarters in report order, so each year's are contiguous: the span of its
        // year, found once per year (scanning the whole group for every quarter made this
        // quadratic in the number of quarters).
        let mut spans = Vec::with_capacity(group.len());
        for year in group.chunk_by(|a, b| reports[a.1].year == reports[b.1].year) {
            let start = spans.len();
            spans.extend(std::iter::repeat_n((start, start + year.len()), year.len()));
        }
        for (here, &(_, ri, ui)) in group.iter().enumerate() {
            // The quarters of the same year, plus the nearest one on each side: a page links
            // to a bounded number of others however many years the site holds (listing every
            // quarter on every unit page grows the site quadratically).
            let (start, end) = spans[here];
            let from = if here == start {
                start.saturating_sub(1)
            } else {
                start
            };
            let to = if here + 1 == end {
                (end + 1).min(group.len())
            } else {
                end
            };
            let wanted = group[from..to].iter().map(|&(_, rj, uj)| (rj, uj));
            let link =
                |(rj, uj): (usize, usize)| (&labels[rj], &reports[rj].units[uj].url, rj == ri);
            let current = &reports[ri].units[ui].other_quarters;
            let same = current.len() == wanted.clone().count()
                && current
                    .iter()
                    .zip(wanted.clone().map(link))
                    .all(|(q, (label, url, here))| {
                        q.label == *label && q.url == *url && q.current == here
                    });
            if !same {
                let others = wanted
                    .map(link)
                    .map(|(label, url, current)| QuarterLink {
                        label: label.clone(),
                        url: url.clone(),
                        current,
                    })
                    .collect();
                relinks.push(Relink::Others(ri, ui, others));
            }
        }
        relinks
    };
    let line_groups: Vec<&[LineAt]> = lines.chunk_by(|a, b| a.0 == b.0).collect();
    let relink_line = |&group: &&[LineAt]| {
        let reports = reports_now;
        let mut relinks = Vec::new();
        let points = || {
            group.iter().map(|&(_, rj, uj, lj)| {
                let (r, u) = (&reports[rj], &reports[rj].units[uj]);
                let l = &u.lines[lj];
                (r, u, l, l.progress.as_ref())
            })
        };
        let history: std::cell::OnceCell<Arc<[HistoryPoint]>> = std::cell::OnceCell::new();
        for &(_, ri, ui, li) in group {
            let quarter = reports[ri].quarter;
            let line = &reports[ri].units[ui].lines[li];
            let same_history = line.history.len() == group.len()
                && line.history.iter().zip(points()).all(|(h, (r, u, l, p))| {
                    h.quarter == r.quarter
                        && h.label == r.quarter_name
                        && is_joined(&h.url, &u.url, '#', &l.anchor)
                        && h.percent == p.map(|p| p.percent)
                        && h.decimals == p.map_or(2, |p| p.decimals)
                });
            let previous = points().rev().find(|(r, ..)| r.quarter < quarter);
            let change = match (
                previous.and_then(|(.., p)| p).map(|p| p.percent),
                line.progress.as_ref(),
            ) {
                (Some(before), Some(now)) => Some(now.percent - before),
                _ => None,
            };
            if !same_history || change != line.change {
                let history = history.get_or_init(|| {
                    points()
                        .map(|(r, u, l, p)| HistoryPoint {
                            quarter: r.quarter,
                            label: r.quarter_name.clone(),
                            url: format!("{}#{}", u.url, l.anchor),
                            percent: p.map(|p| p.percent),
                            decimals: p.map_or(2, |p| p.decimals),
                        })
                        .collect()
                });
                relinks.push(Relink::Line(ri, ui, li, Arc::clone(history), change));
            }
        }
        relinks
    };
    let relinks: Vec<Relink> = unit_groups
        .par_iter()
        .flat_map_iter(relink_unit)
        .chain(line_groups.par_iter().flat_map_iter(relink_line))
        .collect();
    let mut changed = vec![false; reports.len()];
    for relink in relinks {
        match relink {
            Relink::Others(ri, ui, others) => {
                reports[ri].units[ui].other_quarters = others;
                changed[ri] = true;
            }
            Relink::Line(ri, ui, li, history, change) => {
                let line = &mut reports[ri].units[ui].lines[li];
                line.history = history;
                line.change = change;
                changed[ri] = true;
            }
        }
    }
    changed
}

/// `s == format!("{a}{sep}{b}")`, without making the string.
fn is_joined(s: &str, a: &str, sep: char, b: &str) -> bool {
    s.strip_prefix(a)
        .and_then(|rest| rest.strip_prefix(sep))
        .is_some_and(|rest| rest == b)
}

/// A parsed file's value and where it came from, taken from the parse (copied only when the
/// parse is shared, with `serve`'s cache).
fn taken<T: Clone>(parse: crate::content::Parse<T>) -> (Origin, T) {
    let crate::content::Sourced {
        path,
        source,
        value,
    } = Arc::unwrap_or_clone(parse);
    (Origin { file: path, source }, value)
}

/// `https://host/informe/` → `/informe`; `/` or no path → empty.
fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    path.trim_end_matches('/').to_owned()
}

impl Report {
    /// The model of one report's files; its links to other quarters are made with the site.
    pub fn from_raw(r: crate::content::RawReport) -> Report {
        report(r)
    }
}

fn report(r: crate::content::RawReport) -> Report {
    let crate::content::RawReport {
        dir_name,
        report,
        units,
        attachments,
    } = r;
    let (origin, v) = taken(report);
    let url = format!("/informes/{}/t{}/", v.anio, v.trimestre);
    let mut units: Vec<Unit> = units
        .into_iter()
        .map(|(slug, u)| unit(slug, u, &url))
        .collect();
    units.sort_by(|a, b| (a.order, &a.slug).cmp(&(b.order, &b.slug)));
    let quarter = format!(
        "{} de {}",
        QUARTER_NAMES
            .get(usize::from(v.trimestre).wrapping_sub(1))
            .map_or("trimestre", |s| s)
            .to_lowercase(),
        v.anio
    );
    resolve_charts(&mut units, &quarter);
    let mut events = EventTotals::default();
    for u in &units {
        events.add(&u.events);
    }
    let summaries = v
        .presentacion
        .into_iter()
        .map(|s| Summary {
            unit_name: units
                .iter()
                .find(|u| u.slug == s.unidad)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            unit_slug: s.unidad,
            text: s.texto,
        })
        .collect();
    let attachments = v
        .anexos
        .into_iter()
        .zip(attachments)
        .map(|(a, f)| Attachment {
            title: a.titulo,
            description: a.descripcion,
            size: f.bytes.len(),
            url: format!("{url}anexos/{}", f.file_name),
            path: f.path,
            file_name: f.file_name,
            format: f.format,
            media_type: f.media_type,
            bytes: f.bytes,
        })
        .collect();
    Report {
        id: dir_name,
        year: v.anio,
        quarter: v.trimestre,
        quarter_name: QUARTER_NAMES
            .get(usize::from(v.trimestre).wrapping_sub(1))
            .map_or_else(|| format!("Trimestre {}", v.trimestre), |s| (*s).to_owned()),
        period: v.periodo,
        title: v.titulo,
        subtitle: v.subtitulo,
        cutoff: v.fecha_corte,
        legal_basis: v.fundamento,
        summaries,
        notes: notes(v.notas),
        units,
        url,
        events,
        updated: v.actualizado.unwrap_or(v.fecha_corte),
        responsible_area: v.area_responsable,
        errata: v
            .fe_de_erratas
            .into_iter()
            .map(|e| Erratum {
                date: e.fecha,
                unit_slug: e.unidad,
                change: e.cambio,
                reason: e.motivo,
            })
            .collect(),
        attachments,
        origin,
    }
}

/// Charts need the unit's tables and the quarter's events, so they are resolved once every
/// unit of the report has been built.
fn resolve_charts(units: &mut [Unit], quarter: &str) {
    let events: Vec<Event> = units
        .iter()
        .flat_map(|u| u.lines.iter().flat_map(|l| l.events.iter().cloned()))
        .collect();
    for u in units.iter_mut() {
        let tables: Vec<Table> = u
            .lines
            .iter()
            .flat_map(|l| l.blocks.iter())
            .filter_map(|b| match b {
                Block::Table(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        let table_refs: Vec<&Table> = tables.iter().collect();
        for l in &mut u.lines {
            for b in &mut l.blocks {
                if let Block::Chart(c) = b
                    && let Some(decl) = c.decl.take()
                {
                    **c = chart::resolve(&decl, &table_refs, &events);
                    c.decl = None;
                }
            }
        }
        u.progress_chart = Some(Box::new(chart::progress_chart(u, quarter)));
    }
}

fn unit(slug: String, u: crate::content::Parse<raw::Unit>, report_url: &str) -> Unit {
    let (origin, v) = taken(u);
    let lines: Vec<ActionLine> = v.lineas.into_iter().map(line).collect();
    let mut events = EventTotals::default();
    for l in &lines {
        events.add(&l.event_totals);
    }
    Unit {
        url: format!("{report_url}{slug}/"),
        slug,
        name: v.unidad,
        short_name: v.siglas,
        order: v.orden,
        objective: v.objetivo,
        strategy: v.estrategia,
        lines,
        notes: notes(v.notas),
        events,
        progress_chart: None,
        other_quarters: Vec::new(),
        origin,
    }
}

fn line(l: raw::ActionLine) -> ActionLine {
    let events: Vec<Event> = l
        .eventos
        .into_iter()
        .map(|e| Event {
            name: e.nombre,
            start: e.inicio,
            end: e.fin,
            participants: e.participantes,
            women: e.mujeres,
            men: e.hombres,
            breakdown: e.desglose,
            entities: e.sujetos_obligados,
        })
        .collect();
    let event_totals = EventTotals {
        events: events.len(),
        participants: events.iter().map(|e| e.participants).sum(),
        women: events.iter().filter_map(|e| e.women).sum(),
        men: events.iter().filter_map(|e| e.men).sum(),
        partial_breakdown: events.iter().any(|e| e.breakdown.is_some()),
    };
    ActionLine {
        number: l.numero,
        anchor: format!("linea-{}", l.numero),
        short_label: short_label(l.titulo.as_deref(), &l.descripcion),
        title: l.titulo,
        description: l.descripcion,
        goal: Goal {
            quantity: l.meta.cantidad,
            unit: l.meta.unidad,
            text: l.meta.texto,
        },
        start: l.inicio,
        end: l.termino,
        progress_problem: l.avance.as_ref().and_then(progress_problem),
        progress: l.avance.and_then(progress),
        blocks: l.actividades.into_iter().map(block).collect(),
        events,
        event_totals,
        notes: notes(l.notas),
        history: Arc::default(),
        change: None,
    }
}

/// At most 12 words of the description, cut at a colon when the report titles a line that way.
fn short_label(title: Option<&str>, description: &str) -> String {
    if let Some(t) = title {
        return t.to_owned();
    }
    let head = description.split(':').next().unwrap_or(description);
    let words: Vec<&str> = head.split_whitespace().collect();
    if words.len() > 12 {
        format!("{}…", words[..12].join(" "))
    } else {
        words.join(" ")
    }
}

fn progress_problem(p: &raw::Progress) -> Option<&'static str> {
    match (p.porcentaje, p.logrado, p.programado) {
        (_, Some(_), None) => Some("hay `logrado` sin `programado`"),
        (_, None, Some(_)) => Some("hay `programado` sin `logrado`"),
        (_, Some(_), Some(t)) if t <= 0.0 => Some("`programado` debe ser mayor que cero"),
        (None, None, None) => Some("el avance no tiene `porcentaje` ni `logrado`/`programado`"),
        _ => None,
    }
}

/// Number of decimal places a published figure was written with (42.15 → 2, 16 → 0).
pub fn decimals_of(value: f64) -> usize {
    let s = format!("{value}");
    s.split_once('.').map_or(0, |(_, d)| d.len())
}

fn progress(p: raw::Progress) -> Option<Progress> {
    let computed = match (p.logrado, p.programado) {
        (Some(a), Some(t)) if t > 0.0 => Some(a / t * 100.0),
        _ => None,
    };
    let percent = computed.or(p.porcentaje)?;
    Some(Progress {
        percent,
        declared: p.porcentaje,
        achieved: p.logrado,
        target: p.programado,
        computed: computed.is_some(),
        decimals: p.porcentaje.map_or(2, decimals_of),
        bar_width: (percent.clamp(0.0, 100.0) * 100.0).round() / 100.0,
        text: p.texto,
    })
}

fn block(b: raw::Block) -> Block {
    match b {
        raw::Block::Text(markdown) => Block::Text { markdown },
        raw::Block::Figure(caption) => Block::Figure { caption },
        raw::Block::Table(t) => Block::Table(Table::from_raw(t)),
        raw::Block::Chart(c) => Block::Chart(Box::new(chart::resolve(&c, &[], &[]))),
        raw::Block::Figures(g) => Block::Figures(FigureGroup {
            title: g.titulo,
            source: g.fuente,
            items: g
                .elementos
                .into_iter()
                .map(|i| FigureItem {
                    concept: i.concepto,
                    value: i.valor,
                    unit: i.unidad,
                    detail: i.detalle,
                })
                .collect(),
        }),
    }
}

fn notes(ns: Vec<raw::Note>) -> Vec<Note> {
    ns.into_iter()
        .map(|n| {
            let (kind, label) = match n.tipo {
                raw::NoteKind::Clarification => ("aclaracion", "Aclaración"),
                raw::NoteKind::EditorialNote => ("nota-editorial", "Nota editorial"),
            };
            Note {
                kind,
                label,
                text: n.texto,
            }
        })
        .collect()
}

impl Report {
    pub fn tables(&self) -> impl Iterator<Item = (&Unit, &ActionLine, &Table)> {
        self.units.iter().flat_map(|u| {
            u.lines.iter().flat_map(move |l| {
                l.blocks.iter().filter_map(move |b| match b {
                    Block::Table(t) => Some((u, l, t)),
                    _ => None,
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_from_url() {
        assert_eq!(base_path("https://sesaech.gob.mx/informe/"), "/informe");
        assert_eq!(base_path("https://sesaech.gob.mx"), "");
        assert_eq!(base_path("https://sesaech.gob.mx/"), "");
        assert_eq!(base_path("/sub/dir/"), "/sub/dir");
    }

    #[test]
    fn computed_progress_wins_and_keeps_declared_precision() {
        let p = progress(raw::Progress {
            porcentaje: Some(42.15),
            logrado: Some(102.0),
            programado: Some(242.0),
            texto: None,
        })
        .unwrap();
        assert!(p.computed);
        assert_eq!(p.decimals, 2);
        assert!((p.percent - 42.148_760_330_578_5).abs() < 1e-9);
    }
}
