//! PLAN: the model becomes a flat list of pages (output path, template, context). Pure: no
//! I/O, no rendering, so the URL scheme lives in one readable place.
//!
//! ```text
//! /                                 inicio.html
//! /institucion/                     institucion.html
//! /informes/<año>/t<n>/             informe.html
//! /informes/<año>/t<n>/<unidad>/    unidad.html
//! /404.html                         404.html
//! ```

use crate::charts::{self, ChartError};
use crate::data::{self, Download};
use crate::model::{Block, Report, Site, Unit};
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
    pub context: Value,
}

#[derive(Debug, Clone, Serialize)]
struct Crumb {
    title: String,
    url: String,
}

/// One entry of the list of reports, for navigation and the home page.
#[derive(Debug, Clone, Serialize)]
struct ReportLink {
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
    pub pages: Vec<Page>,
    pub files: Vec<Artifact>,
}

pub fn plan(site: &Site) -> Result<Plan, ChartError> {
    let exports = data::export(site);
    let settings = ser(&site.settings);
    let institution = ser(&site.institution);
    let links: Vec<ReportLink> = site.reports.iter().map(link).collect();
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
    };
    let home = Crumb {
        title: "Inicio".into(),
        url: "/".into(),
    };

    let mut pages = vec![
        Page {
            path: "index.html".into(),
            template: "inicio.html",
            context: context! { page => context! {
                title => "Inicio", url => "/", kind => "inicio", breadcrumbs => ser(Vec::<Crumb>::new()),
            }, ..common.clone() },
        },
        Page {
            path: "institucion/index.html".into(),
            template: "institucion.html",
            context: context! { page => context! {
                title => "La institución", url => "/institucion/", kind => "institucion",
                breadcrumbs => ser(vec![home.clone()]),
            }, ..common.clone() },
        },
        Page {
            path: "datos/index.html".into(),
            template: "datos.html",
            context: context! { page => context! {
                title => "Datos abiertos", url => "/datos/", kind => "datos",
                breadcrumbs => ser(vec![home.clone()]),
            }, exports => ser(exports.iter().rev().collect::<Vec<_>>()), ..common.clone() },
        },
        Page {
            path: "buscar/index.html".into(),
            template: "buscar.html",
            context: context! { page => context! {
                title => "Buscar", url => "/buscar/", kind => "buscar",
                breadcrumbs => ser(vec![home.clone()]),
            }, ..common.clone() },
        },
        Page {
            path: "404.html".into(),
            template: "404.html",
            context: context! { page => context! {
                title => "Página no encontrada", url => "/404.html", kind => "404",
                breadcrumbs => ser(vec![home.clone()]),
            }, ..common.clone() },
        },
    ];

    for (i, (r, export)) in site.reports.iter().zip(&exports).enumerate() {
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
        for u in &r.units {
            let c = unit_charts(u)?;
            if let Some(p) = &u.progress_chart
                && let Some(svg) = c.get(&p.id)
            {
                quarter_charts.insert(p.id.clone(), svg.clone());
            }
            per_unit.push(c);
        }
        pages.push(Page {
            path: file_of(&r.url),
            template: "informe.html",
            context: context! { report => report.clone(),
                prev => ser(&prev), next => ser(&next),
                charts => quarter_charts,
                downloads => downloads.clone(),
                whole_data => ser(&export.whole),
                is_latest => is_latest,
                page => context! {
                    title => report_title, url => r.url.clone(), kind => "informe",
                    breadcrumbs => ser(vec![home.clone()]),
                },
                ..common.clone()
            },
        });
        for (u, charts) in r.units.iter().zip(per_unit) {
            pages.push(Page {
                path: file_of(&u.url),
                template: "unidad.html",
                context: context! { report => report.clone(),
                    unit => ser(u),
                    charts => charts,
                    downloads => downloads.clone(),
                    is_latest => is_latest,
                    page => context! {
                        title => format!("{} · {}", u.name, report_crumb.title), url => u.url.clone(),
                        kind => "unidad",
                        breadcrumbs => ser(vec![home.clone(), report_crumb.clone()]),
                    },
                    ..common.clone()
                },
            });
        }
    }
    let files = exports.into_iter().flat_map(|e| e.files).collect();
    Ok(Plan { pages, files })
}
