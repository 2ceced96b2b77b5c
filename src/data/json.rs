//! The JSON documents of the open data, as typed shapes serialized straight to bytes (building
//! `serde_json::Value` trees first was a tenth of a build). serde_json's own maps sort their
//! keys, and the published files have always had sorted keys, so every struct here declares
//! its fields in alphabetical order; a test checks each shape against a sorted re-serialization.

use crate::model::{self, Block, Cell, Report, Table, Unit};
use serde::{Serialize, Serializer};

/// A table cell: a number, a text or null.
struct CellJson<'a>(&'a Cell);

impl Serialize for CellJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Cell::Number(n) => s.serialize_f64(*n),
            Cell::Text(t) => s.serialize_str(t),
            Cell::Empty(_) => s.serialize_none(),
        }
    }
}

fn cells(row: &[Cell]) -> Vec<CellJson<'_>> {
    row.iter().map(CellJson).collect()
}

#[derive(Serialize)]
pub(super) struct ColumnJson<'a> {
    grupo: &'a Option<String>,
    nombre: &'a str,
    tipo: &'static str,
}

/// One table, alone (`<unidad>-<tabla>.json`) or inside the whole report.
#[derive(Serialize)]
pub(super) struct TableJson<'a> {
    columnas: Vec<ColumnJson<'a>>,
    filas: Vec<Vec<CellJson<'a>>>,
    fuente: &'a Option<String>,
    id: &'a str,
    informe: &'a str,
    numero: &'a Option<String>,
    titulo: &'a str,
    total: Option<Vec<CellJson<'a>>>,
    unidad: &'a str,
}

pub(super) fn table<'a>(t: &'a Table, u: &'a Unit, r: &'a Report) -> TableJson<'a> {
    TableJson {
        columnas: t
            .columns
            .iter()
            .map(|c| ColumnJson {
                grupo: &c.group,
                nombre: &c.name,
                tipo: if c.numeric { "número" } else { "texto" },
            })
            .collect(),
        filas: t.rows.iter().map(|row| cells(row)).collect(),
        fuente: &t.source,
        id: &t.id,
        informe: &r.id,
        numero: &t.label,
        titulo: &t.title,
        total: t.total.as_deref().map(cells),
        unidad: &u.name,
    }
}

#[derive(Serialize)]
struct NoteJson<'a> {
    texto: &'a str,
    tipo: &'static str,
}

#[derive(Serialize)]
struct GoalJson<'a> {
    cantidad: Option<f64>,
    texto: &'a Option<String>,
    unidad: &'a Option<String>,
}

#[derive(Serialize)]
struct ProgressJson {
    calculado: bool,
    logrado: Option<f64>,
    porcentaje: f64,
    porcentaje_publicado: Option<f64>,
    programado: Option<f64>,
}

#[derive(Serialize)]
struct EventJson<'a> {
    desglose: &'a Option<String>,
    fin: Option<String>,
    hombres: Option<u32>,
    inicio: String,
    mujeres: Option<u32>,
    nombre: &'a str,
    participantes: u32,
    sujetos_obligados: Option<u32>,
}

#[derive(Serialize)]
struct LineJson<'a> {
    avance: Option<ProgressJson>,
    descripcion: &'a str,
    eventos: Vec<EventJson<'a>>,
    inicio: String,
    meta: GoalJson<'a>,
    numero: u32,
    tablas: Vec<TableJson<'a>>,
    termino: String,
    titulo: &'a Option<String>,
}

#[derive(Serialize)]
struct UnitJson<'a> {
    estrategia: &'a str,
    lineas: Vec<LineJson<'a>>,
    objetivo: &'a str,
    slug: &'a str,
    unidad: &'a str,
}

/// The whole report (`informe-<id>.json`).
#[derive(Serialize)]
pub(super) struct ReportJson<'a> {
    anio: i32,
    fecha_corte: String,
    fundamento: &'a str,
    id: &'a str,
    notas: Vec<NoteJson<'a>>,
    periodo: &'a str,
    titulo: &'a str,
    trimestre: u8,
    unidades: Vec<UnitJson<'a>>,
}

fn line<'a>(l: &'a model::ActionLine, u: &'a Unit, r: &'a Report) -> LineJson<'a> {
    LineJson {
        avance: l.progress.as_ref().map(|p| ProgressJson {
            calculado: p.computed,
            logrado: p.achieved,
            porcentaje: p.percent,
            porcentaje_publicado: p.declared,
            programado: p.target,
        }),
        descripcion: &l.description,
        eventos: l
            .events
            .iter()
            .map(|e| EventJson {
                desglose: &e.breakdown,
                fin: e.end.map(|d| d.to_string()),
                hombres: e.men,
                inicio: e.start.to_string(),
                mujeres: e.women,
                nombre: &e.name,
                participantes: e.participants,
                sujetos_obligados: e.entities,
            })
            .collect(),
        inicio: l.start.to_string(),
        meta: GoalJson {
            cantidad: l.goal.quantity,
            texto: &l.goal.text,
            unidad: &l.goal.unit,
        },
        numero: l.number,
        tablas: l
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(table(t, u, r)),
                _ => None,
            })
            .collect(),
        termino: l.end.to_string(),
        titulo: &l.title,
    }
}

pub(super) fn report(r: &Report) -> ReportJson<'_> {
    ReportJson {
        anio: r.year,
        fecha_corte: r.cutoff.to_string(),
        fundamento: &r.legal_basis,
        id: &r.id,
        notas: r
            .notes
            .iter()
            .map(|n| NoteJson {
                texto: &n.text,
                tipo: n.kind,
            })
            .collect(),
        periodo: &r.period,
        titulo: &r.title,
        trimestre: r.quarter,
        unidades: r
            .units
            .iter()
            .map(|u| UnitJson {
                estrategia: &u.strategy,
                lineas: u.lines.iter().map(|l| line(l, u, r)).collect(),
                objetivo: &u.objective,
                slug: &u.slug,
                unidad: &u.name,
            })
            .collect(),
    }
}

/// A field of a CSV file in the datapackage.
#[derive(Serialize)]
pub(super) struct FieldJson {
    pub(super) description: String,
    pub(super) name: String,
    pub(super) title: String,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
}

#[derive(Serialize)]
pub(super) struct SchemaJson {
    pub(super) fields: Vec<FieldJson>,
}

/// A CSV file in the datapackage (a Frictionless tabular data resource).
#[derive(Serialize)]
pub(super) struct ResourceJson {
    pub(super) description: String,
    pub(super) encoding: &'static str,
    pub(super) format: &'static str,
    pub(super) mediatype: &'static str,
    pub(super) name: String,
    pub(super) path: String,
    pub(super) profile: &'static str,
    pub(super) schema: SchemaJson,
    pub(super) title: String,
}

impl ResourceJson {
    /// A UTF-8 CSV file `<name>.csv`.
    pub(super) fn csv(
        name: String,
        title: String,
        description: String,
        fields: Vec<FieldJson>,
    ) -> Self {
        ResourceJson {
            description,
            encoding: "utf-8",
            format: "csv",
            mediatype: "text/csv",
            path: format!("{name}.csv"),
            name,
            profile: "tabular-data-resource",
            schema: SchemaJson { fields },
            title,
        }
    }
}

/// `datapackage.json`.
#[derive(Serialize)]
pub(super) struct PackageJson {
    pub(super) description: String,
    pub(super) name: String,
    pub(super) resources: Vec<ResourceJson>,
    pub(super) title: String,
}

/// Pretty-printed, with a final line break.
pub(super) fn bytes<T: Serialize>(v: &T) -> Vec<u8> {
    // Writing to a Vec cannot fail, and every value here is a plain tree.
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}
