//! PLAN: the model becomes a flat list of pages (output path, template, context). Pure: no
//! I/O, no rendering, so the URL scheme lives in one readable place.
//!
//! ```text
//! /                                 inicio.html
//! /institucion/                     institucion.html
//! /informes/<año>/t<n>/             informe.html
//! /informes/<año>/t<n>/<unidad>/    unidad.html
//! /informes/<año>/t<n>/anexos/<archivo>   the quarter's attachments, byte for byte
//! /404.html                         404.html
//! ```

use crate::charts::{self, ChartError};
use crate::data::{self, Download};
use crate::model::{Block, Note, Report, Site, Unit};
use crate::render::Artifact;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Page {
    /// Output file relative to the site root, e.g. `informes/2023/t2/index.html`.
    pub path: String,
    pub template: &'static str,
    context: Context,
}

/// A page's context, or what it is made from when the page is rendered.
#[derive(Debug, Clone)]
enum Context {
    Ready(Value),
    /// A yearly view: there is one per unit and year, and their contexts made up front were
    /// a twentieth of the peak memory at 10,000 pages.
    Year {
        view: YearView,
        common: Value,
    },
    /// The open-data page: this context, and every quarter's downloads, newest first (16 MB
    /// at 10,000 pages, held only while the page is rendered).
    Data(Value),
}

impl Page {
    /// What the page's template reads; `exports` are the ones the plan was made from.
    pub fn context(&self, exports: &[data::QuarterData]) -> Value {
        match &self.context {
            Context::Ready(v) => v.clone(),
            Context::Data(v) => context! {
                exports => ser(exports.iter().rev().collect::<Vec<_>>()),
                ..v.clone()
            },
            Context::Year { view, common } => context! {
                page => context! {
                    title => format!("{}: avance de {}", view.name, view.year),
                    url => view.url.clone(), kind => "anual",
                    breadcrumbs => ser(vec![home()]),
                },
                view => ser(view),
                ..common.clone()
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct Crumb {
    title: String,
    url: String,
}

/// One entry of the list of reports, for navigation and the home page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ReportLink {
    id: String,
    year: i32,
    quarter: u8,
    quarter_name: String,
    period: String,
    title: String,
    url: String,
}

#[derive(Debug, Clone, Serialize)]
struct YearGroup {
    year: i32,
    reports: Vec<ReportLink>,
}

fn link(r: &Report) -> ReportLink {
    ReportLink {
        id: r.id.clone(),
        year: r.year,
        quarter: r.quarter,
        quarter_name: r.quarter_name.clone(),
        period: r.period.clone(),
        title: r.title.clone(),
        url: r.url.clone(),
    }
}

/// minijinja 3 converts serde values only through the explicit `Serde` wrapper.
fn ser<T: Serialize>(v: T) -> Value {
    Value::from(Serde(v))
}

fn file_of(url: &str) -> String {
    format!("{}index.html", url.trim_start_matches('/'))
}

/// Every chart of a unit page drawn to SVG, keyed by chart id (the unit's progress chart
/// under `avance-<slug>`).
fn unit_charts(u: &Unit) -> Result<BTreeMap<String, Value>, ChartError> {
    let mut out = BTreeMap::new();
    for l in &u.lines {
        for b in &l.blocks {
            if let Block::Chart(c) = b {
                out.insert(c.id.clone(), Value::from_safe_string(charts::svg(c)?));
            }
        }
    }
    if let Some(c) = &u.progress_chart {
        out.insert(c.id.clone(), Value::from_safe_string(charts::svg(c)?));
    }
    Ok(out)
}

/// Everything to produce: templated pages and ready-made files (data downloads).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The site-wide pages and yearly views of the selected groups, with their contexts.
    pub pages: Vec<Page>,
    /// The selected quarters, by index in `Site::reports`. Their pages are made only when they
    /// are rendered ([`Plan::quarter_pages`]): contexts and charts held for every quarter at
    /// once were most of a build's memory.
    pub quarters: Vec<usize>,
    pub files: Vec<Artifact>,
    /// Every page of the site in plan order, selected or not.
    pub paths: Vec<String>,
    /// The files of the groups left out (unchanged since the last build).
    pub kept_files: Vec<String>,
    /// What every page's context shares.
    common: Value,
}

impl Plan {
    /// The pages of `site.reports[i]` (one of [`Plan::quarters`]), made now; `exports` are
    /// the ones the plan was made from.
    pub fn quarter_pages(
        &self,
        site: &Site,
        exports: &[data::QuarterData],
        i: usize,
    ) -> Result<Vec<Page>, ChartError> {
        report_pages(site, i, &exports[i], &self.common, &home())
    }

    /// The path of every page to make, those made up front and the quarters' alike.
    pub fn page_paths<'a>(&'a self, site: &'a Site) -> impl Iterator<Item = String> + 'a {
        self.pages.iter().map(|p| p.path.clone()).chain(
            self.quarters
                .iter()
                .flat_map(|&i| report_paths(&site.reports[i])),
        )
    }
}

fn home() -> Crumb {
    Crumb {
        title: "Inicio".into(),
        url: "/".into(),
    }
}

/// Which part of the site a page or file belongs to: an incremental rebuild re-plans only the
/// groups whose inputs changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Pages made from the site-wide inputs alone (settings, institution, glossary, the list
    /// of quarters): home, institution, search, 404, glossary, robots.txt.
    Site,
    /// The open-data page: every quarter's downloads.
    Data,
    /// What lists every page or every quarter's details: corrections, sitemap, feed.
    Listings,
    /// A quarter's pages, data downloads and attachments, by index in `Site::reports`.
    Report(usize),
    /// The yearly per-unit views of a year.
    Year(i32),
}

/// An attachment as the quarter page lists it.
#[derive(Debug, Clone, Serialize)]
struct AttachmentLink {
    title: String,
    description: Option<String>,
    media_type: &'static str,
    /// «Descargar Informe firmado (PDF, 120 KB)».
    download: Download,
}

fn attachment_links(r: &Report) -> Vec<AttachmentLink> {
    r.attachments
        .iter()
        .map(|a| AttachmentLink {
            title: a.title.clone(),
            description: a.description.clone(),
            media_type: a.media_type,
            download: data::download(a.url.clone(), a.format, a.size, &a.title),
        })
        .collect()
}

/// A note with where it applies, for the site-wide corrections page.
#[derive(Debug, Clone, Serialize)]
struct NoteRef {
    place: String,
    url: String,
    label: &'static str,
    text: String,
}

#[derive(Debug, Clone, Serialize)]
struct ErrataGroup {
    title: String,
    url: String,
    errata: Vec<crate::model::Erratum>,
    notes: Vec<NoteRef>,
}

fn errata_groups(site: &Site) -> Vec<ErrataGroup> {
    site.reports
        .iter()
        .rev()
        .map(|r| {
            let mut notes: Vec<NoteRef> = r
                .notes
                .iter()
                .map(|n| NoteRef {
                    place: "Informe completo".into(),
                    url: format!("{}#notas", r.url),
                    label: n.label,
                    text: n.text.clone(),
                })
                .collect();
            // Places and links are worded only where there are notes: most lines have none,
            // and `serve` makes this page again on every edit.
            let mut add = |place: &dyn Fn() -> String, url: &dyn Fn() -> String, list: &[Note]| {
                notes.extend(list.iter().map(|n| NoteRef {
                    place: place(),
                    url: url(),
                    label: n.label,
                    text: n.text.clone(),
                }));
            };
            for u in &r.units {
                add(&|| u.name.clone(), &|| u.url.clone(), &u.notes);
                for l in &u.lines {
                    add(
                        &|| format!("{}, línea de acción {}", u.name, l.number),
                        &|| format!("{}#{}", u.url, l.anchor),
                        &l.notes,
                    );
                    for b in &l.blocks {
                        if let Block::Table(t) = b {
                            add(
                                &|| format!("{}, {}", u.name, t.label.as_ref().unwrap_or(&t.title)),
                                &|| format!("{}#{}", u.url, t.id),
                                &t.notes,
                            );
                        }
                    }
                }
            }
            ErrataGroup {
                title: format!("{} de {}", r.quarter_name, r.year),
                url: r.url.clone(),
                errata: r.errata.clone(),
                notes,
            }
        })
        .collect()
}

/// One row of a unit's yearly view: a line and its progress in Q1–Q4.
#[derive(Debug, Clone, Serialize)]
struct YearRow {
    number: u32,
    label: String,
    goal: crate::model::Goal,
    quarters: Vec<Option<crate::model::HistoryPoint>>,
}

#[derive(Debug, Clone, Serialize)]
struct YearView {
    year: i32,
    slug: String,
    name: String,
    url: String,
    rows: Vec<YearRow>,
}

/// The year and output path of every yearly view, in plan order.
pub(crate) fn year_paths(site: &Site) -> Vec<(i32, String)> {
    year_views(site, &|_| false)
        .into_iter()
        .map(|v| (v.year, file_of(&v.url)))
        .collect()
}

/// Every unit's action lines through the quarters of each year.
/// Views of the years `full` rejects have their address only (no rows): an incremental
/// rebuild lists them in the sitemap without making them.
fn year_views(site: &Site, full: &dyn Fn(i32) -> bool) -> Vec<YearView> {
    let mut views: BTreeMap<(i32, String), YearView> = BTreeMap::new();
    for r in &site.reports {
        for u in &r.units {
            let view = views
                .entry((r.year, u.slug.clone()))
                .or_insert_with(|| YearView {
                    year: r.year,
                    slug: u.slug.clone(),
                    name: u.name.clone(),
                    url: format!("/informes/{}/anual/{}/", r.year, u.slug),
                    rows: Vec::new(),
                });
            if !full(r.year) {
                continue;
            }
            // The latest quarter's name and goal win: reports are visited oldest first.
            view.name = u.name.clone();
            for l in &u.lines {
                let row = match view.rows.iter_mut().position(|x| x.number == l.number) {
                    Some(i) => &mut view.rows[i],
                    None => {
                        view.rows.push(YearRow {
                            number: l.number,
                            label: l.short_label.clone(),
                            goal: l.goal.clone(),
                            quarters: vec![None; 4],
                        });
                        let last = view.rows.len() - 1;
                        &mut view.rows[last]
                    }
                };
                row.label = l.short_label.clone();
                row.goal = l.goal.clone();
                if let Some(p) = l.history.iter().find(|p| p.quarter == r.quarter) {
                    row.quarters[usize::from(r.quarter.clamp(1, 4)) - 1] = Some(p.clone());
                }
            }
            view.rows.sort_by_key(|x| x.number);
        }
    }
    views.into_values().collect()
}

/// `/informes/2023/t2/` → `informes/2023/t2/index.html`.
fn url_of(path: &str) -> String {
    format!("/{}", path.trim_end_matches("index.html"))
}

/// The Atom feed of published reports, newest first.
fn feed(site: &Site) -> Artifact {
    use atom_syndication::{Entry, Feed, FixedDateTime, Link, Text};
    let abs = |p: &str| format!("{}{p}", site.settings.base_url.trim_end_matches('/'));
    let at = |d: chrono::NaiveDate| -> FixedDateTime {
        let utc = chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("zero offset"));
        d.and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_local_timezone(utc)
            .single()
            .unwrap_or_else(|| unreachable!("fixed offsets are unambiguous"))
    };
    let entries: Vec<Entry> = site
        .reports
        .iter()
        .rev()
        .map(|r| Entry {
            id: abs(&r.url),
            title: Text::plain(format!(
                "{} ({} de {})",
                r.title,
                r.quarter_name.to_lowercase(),
                r.year
            )),
            updated: at(r.updated),
            links: vec![Link {
                href: abs(&r.url),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                hreflang: Some("es-MX".into()),
                ..Link::default()
            }],
            summary: Some(Text::plain(format!(
                "Periodo que se informa: {} de {}. Fecha de corte: {}.",
                r.period,
                r.year,
                crate::format::date_long(r.cutoff)
            ))),
            ..Entry::default()
        })
        .collect();
    let feed = Feed {
        id: abs("/"),
        title: Text::plain(site.settings.title.clone()),
        subtitle: Some(Text::plain(site.settings.description.clone())),
        updated: site
            .reports
            .iter()
            .map(|r| r.updated)
            .max()
            .map(at)
            .unwrap_or_else(|| at(chrono::NaiveDate::default())),
        lang: Some("es-MX".into()),
        links: vec![
            Link {
                href: abs("/feed.xml"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Link::default()
            },
            Link {
                href: abs("/"),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    Artifact {
        path: "feed.xml".into(),
        bytes: feed.to_string().into_bytes(),
    }
}

/// The navigation entries of every report, oldest first: every page shows some of them, so an
/// incremental rebuild redoes everything when they change.
pub(crate) fn report_links(site: &Site) -> Vec<ReportLink> {
    site.reports.iter().map(link).collect()
}

/// The output path of every page of a report, in plan order: print, overview, units.
pub(crate) fn report_paths(r: &Report) -> Vec<String> {
    let mut paths = vec![
        format!("{}imprimir/index.html", r.url.trim_start_matches('/')),
        file_of(&r.url),
    ];
    paths.extend(r.units.iter().map(|u| file_of(&u.url)));
    paths
}

fn attachment_path(a: &crate::model::Attachment) -> &str {
    a.url.trim_start_matches('/')
}

/// The attachments of the reports at `indices` in `site.reports`.
pub(crate) fn attachment_files_of(
    site: &Site,
    indices: impl Iterator<Item = usize>,
) -> Vec<Artifact> {
    indices
        .flat_map(|i| attachment_files(&site.reports[i]))
        .collect()
}

fn attachment_files(r: &Report) -> impl Iterator<Item = Artifact> + '_ {
    r.attachments.iter().map(|a| Artifact {
        path: attachment_path(a).to_owned(),
        bytes: a.bytes.to_vec(),
    })
}

/// The pages of one quarter (print, overview, units), in plan order.
fn report_pages(
    site: &Site,
    i: usize,
    export: &data::QuarterData,
    common: &Value,
    home: &Crumb,
) -> Result<Vec<Page>, ChartError> {
    let r = &site.reports[i];
    // The one list of this quarter's paths, so the plan and the pages cannot disagree.
    let mut paths = report_paths(r).into_iter();
    let mut path = || {
        paths
            .next()
            .unwrap_or_else(|| unreachable!("report_paths lists every page of the quarter"))
    };
    let mut pages = Vec::with_capacity(r.units.len() + 2);
    let report = ser(r);
    let downloads: BTreeMap<&str, &Vec<Download>> = export
        .datasets
        .iter()
        .map(|d| (d.key.as_str(), &d.downloads))
        .collect();
    let downloads = ser(&downloads);
    let prev = i.checked_sub(1).map(|j| link(&site.reports[j]));
    let next = site.reports.get(i + 1).map(link);
    let is_latest = i + 1 == site.reports.len();
    let report_title = format!("{} {}", r.quarter_name, r.year);
    let report_crumb = Crumb {
        title: report_title.clone(),
        url: r.url.clone(),
    };
    let mut quarter_charts = BTreeMap::new();
    let mut per_unit = Vec::with_capacity(r.units.len());
    // Charts are the costly part of planning: draw each unit's in parallel.
    let drawn: Vec<BTreeMap<String, Value>> = {
        use rayon::prelude::*;
        r.units
            .par_iter()
            .map(unit_charts)
            .collect::<Result<_, _>>()?
    };
    for (u, c) in r.units.iter().zip(drawn) {
        if let Some(p) = &u.progress_chart
            && let Some(svg) = c.get(&p.id)
        {
            quarter_charts.insert(p.id.clone(), svg.clone());
        }
        per_unit.push(c);
    }
    let all_charts: BTreeMap<String, Value> = per_unit
        .iter()
        .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    pages.push(Page {
        path: path(),
        template: "imprimir.html",
        context: Context::Ready(context! { report => report.clone(),
            charts => all_charts,
            downloads => downloads.clone(),
            is_latest => is_latest,
            page => context! {
                title => format!("{report_title}: versión para imprimir"),
                url => format!("{}imprimir/", r.url), kind => "imprimir",
                breadcrumbs => ser(vec![home.clone(), report_crumb.clone()]),
            },
            ..common.clone()
        }),
    });
    pages.push(Page {
        path: path(),
        template: "informe.html",
        context: Context::Ready(context! { report => report.clone(),
            prev => ser(&prev), next => ser(&next),
            charts => quarter_charts,
            downloads => downloads.clone(),
            whole_data => ser(&export.whole),
            attachments => ser(attachment_links(r)),
            is_latest => is_latest,
            page => context! {
                title => report_title, url => r.url.clone(), kind => "informe",
                breadcrumbs => ser(vec![home.clone()]),
            },
            ..common.clone()
        }),
    });
    // The report's value already holds every unit: shared, not serialized again.
    let units = report.get_attr("units").unwrap_or_default();
    for (k, (u, charts)) in r.units.iter().zip(per_unit).enumerate() {
        pages.push(Page {
            path: path(),
            template: "unidad.html",
            context: Context::Ready(context! { report => report.clone(),
                unit => units.get_item_by_index(k).unwrap_or_default(),
                charts => charts,
                downloads => downloads.clone(),
                is_latest => is_latest,
                page => context! {
                    title => format!("{} · {}", u.name, report_crumb.title), url => u.url.clone(),
                    kind => "unidad",
                    breadcrumbs => ser(vec![home.clone(), report_crumb.clone()]),
                },
                ..common.clone()
            }),
        });
    }
    Ok(pages)
}

/// The whole site.
pub fn plan(site: &Site, exports: &mut [data::QuarterData]) -> Result<Plan, ChartError> {
    plan_parts(site, exports, &|_| true)
}

/// Pages listed as they are planned: every page's path, and the pages of the selected groups.
struct Listed<'a> {
    pages: Vec<Page>,
    paths: Vec<String>,
    select: &'a dyn Fn(Group) -> bool,
}

impl Listed<'_> {
    /// Lists `path` and, when `group` is selected, makes its page from `template` and the
    /// context `make` returns.
    fn add(
        &mut self,
        group: Group,
        path: &str,
        template: &'static str,
        make: impl FnOnce() -> Value,
    ) {
        self.add_page(group, path, template, || Context::Ready(make()));
    }

    fn add_page(
        &mut self,
        group: Group,
        path: &str,
        template: &'static str,
        make: impl FnOnce() -> Context,
    ) {
        self.paths.push(path.to_owned());
        if (self.select)(group) {
            self.pages.push(Page {
                path: path.to_owned(),
                template,
                context: make(),
            });
        }
    }
}

/// The pages and files of the groups `select` accepts; `exports` are every quarter's data
/// downloads, oldest first. Every page's and file's path is listed all the same.
pub fn plan_parts(
    site: &Site,
    exports: &mut [data::QuarterData],
    select: &dyn Fn(Group) -> bool,
) -> Result<Plan, ChartError> {
    let settings = ser(&site.settings);
    let institution = ser(&site.institution);
    let links = report_links(site);
    let mut years: Vec<YearGroup> = Vec::new();
    for l in links.iter().rev() {
        match years.last_mut() {
            Some(g) if g.year == l.year => g.reports.push(l.clone()),
            _ => years.push(YearGroup {
                year: l.year,
                reports: vec![l.clone()],
            }),
        }
    }
    let latest = links.last().cloned();
    let common = context! {
        site => settings,
        institution => institution,
        years => ser(&years),
        latest => ser(&latest),
        glossary_enabled => site.glossary.is_some(),
    };
    let home = home();

    // Every page's path is listed, but only the selected groups' pages are made.
    let mut listed = Listed {
        pages: Vec::new(),
        paths: Vec::new(),
        select,
    };
    let about = |title: &str, url: &str, kind: &str| {
        context! { title => title, url => url, kind => kind, breadcrumbs => ser(vec![home.clone()]) }
    };
    listed.add(Group::Site, "index.html", "inicio.html", || {
        context! { page => context! {
            title => "Inicio", url => "/", kind => "inicio", breadcrumbs => ser(Vec::<Crumb>::new()),
        }, ..common.clone() }
    });
    listed.add(Group::Site, "institucion/index.html", "institucion.html", || {
        context! { page => about("La institución", "/institucion/", "institucion"), ..common.clone() }
    });
    listed.add_page(Group::Data, "datos/index.html", "datos.html", || {
        Context::Data(
            context! { page => about("Datos abiertos", "/datos/", "datos"), ..common.clone() },
        )
    });
    listed.add(Group::Site, "buscar/index.html", "buscar.html", || {
        context! { page => about("Buscar", "/buscar/", "buscar"), ..common.clone() }
    });
    listed.add(Group::Site, "404.html", "404.html", || {
        context! { page => about("Página no encontrada", "/404.html", "404"), ..common.clone() }
    });

    let mut files: Vec<Artifact> = Vec::new();
    let mut kept_files: Vec<String> = Vec::new();
    let mut quarters = Vec::new();
    for (i, (r, export)) in site.reports.iter().zip(exports.iter_mut()).enumerate() {
        listed.paths.extend(report_paths(r));
        if !select(Group::Report(i)) {
            kept_files.extend(export.files.iter().map(|f| f.path.clone()));
            kept_files.extend(r.attachments.iter().map(|a| attachment_path(a).to_owned()));
            continue;
        }
        // The bytes are moved, not copied (148 MB at 10,000 pages): nothing reads them after
        // the plan. The paths stay, for a later rebuild in place that keeps this quarter.
        files.extend(export.files.iter_mut().map(|f| Artifact {
            path: f.path.clone(),
            bytes: std::mem::take(&mut f.bytes),
        }));
        // Attachments are copied as read; they are in no sitemap and no data package.
        files.extend(attachment_files(r));
        quarters.push(i);
    }
    for v in year_views(site, &|year| select(Group::Year(year))) {
        let (group, path) = (Group::Year(v.year), file_of(&v.url));
        listed.add_page(group, &path, "anual.html", || Context::Year {
            view: v,
            common: common.clone(),
        });
    }
    if let Some(g) = &site.glossary {
        listed.add(Group::Site, "glosario/index.html", "glosario.html", || {
            context! {
                page => about("Glosario y guía de lectura", "/glosario/", "glosario"),
                glossary => ser(g),
                ..common.clone()
            }
        });
    }
    listed.add(
        Group::Listings,
        "fe-de-erratas/index.html",
        "erratas.html",
        || {
            context! {
                page => about("Fe de erratas y notas editoriales", "/fe-de-erratas/", "erratas"),
                groups => ser(errata_groups(site)),
                ..common.clone()
            }
        },
    );
    // The sitemap lists every HTML page but the 404.
    let urls: Vec<String> = listed
        .paths
        .iter()
        .filter(|p| p.ends_with("index.html"))
        .map(|p| url_of(p))
        .collect();
    listed.add(Group::Listings, "sitemap.xml", "sitemap.xml", || {
        context! { urls => urls, ..common.clone() }
    });
    listed.add(Group::Site, "robots.txt", "robots.txt", || common.clone());
    let Listed { pages, paths, .. } = listed;
    let feed = feed(site);
    if select(Group::Listings) {
        files.push(feed);
    } else {
        kept_files.push(feed.path);
    }
    Ok(Plan {
        pages,
        quarters,
        files,
        paths,
        kept_files,
        common,
    })
}
