//! The Spanish-keyed serde mirror of the content files, exactly as a webmaster writes them.
//!
//! No logic lives here: every struct rejects unknown keys so a typo is a located error, and
//! nothing is computed. `model` turns these into the typed, English-named report. The keys are
//! documented for webmasters in `docs/contenido.md`; keep both in step. Each type also
//! serializes, as the stored parses of `stored` keep it; reading that back must give the same
//! value, which `stored` checks before keeping one.
//!
//! Text fields that content writes as `|` blocks carry `deserialize_with = "…blocks::text"`
//! (see `blocks`): a block in a field without it is still read right, only slower, since the
//! whole file is then read again as written.

use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

// `content/sitio.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Ajustes del sitio (content/sitio.yaml)",
    description = "Título, descripción, dirección pública e idioma del sitio."
)]
pub struct Site {
    pub titulo: String,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub descripcion: String,
    pub base_url: String,
    pub idioma: String,
}

// `content/institucion.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Institución (content/institucion.yaml)",
    description = "Nombre, lema, misión, visión, principios rectores y estructura organizacional."
)]
pub struct Institution {
    pub nombre: String,
    pub siglas: String,
    pub lema: String,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub mision: String,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub vision: String,
    #[serde(default)]
    #[serde(deserialize_with = "super::blocks::optional_text")]
    #[schemars(with = "Option<String>")]
    pub principios_introduccion: Option<String>,
    pub principios: Vec<Principle>,
    pub estructura: Structure,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    pub nombre: String,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub texto: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Structure {
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub introduccion: String,
    pub organos: Vec<Organ>,
    #[serde(default)]
    #[serde(deserialize_with = "super::blocks::optional_text")]
    #[schemars(with = "Option<String>")]
    pub nota: Option<String>,
    #[serde(default)]
    pub figura: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organ {
    pub nombre: String,
    pub tipo: String,
}

// `content/informes/<año>-t<n>/informe.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Informe trimestral (content/informes/<año>-t<n>/informe.yaml)",
    description = "Datos del trimestre, fundamento legal, presentación por unidad y notas editoriales."
)]
pub struct Report {
    pub anio: i32,
    pub trimestre: u8,
    pub periodo: String,
    pub titulo: String,
    #[serde(default)]
    pub subtitulo: Option<String>,
    pub fecha_corte: NaiveDate,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub fundamento: String,
    pub presentacion: Vec<Summary>,
    #[serde(default)]
    pub notas: Vec<Note>,
    // Last update of the published information; the cut-off date when absent.
    #[serde(default)]
    pub actualizado: Option<NaiveDate>,
    // Area responsible for publishing the report (transparency metadata).
    #[serde(default)]
    pub area_responsable: Option<String>,
    #[serde(default)]
    pub fe_de_erratas: Vec<Erratum>,
    // Documents attached to the quarter (the signed report, an annex spreadsheet).
    #[serde(default)]
    pub anexos: Vec<Attachment>,
}

// A downloadable document attached to the quarter; the loader checks the path and reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub titulo: String,
    // Relative to the quarter's folder, with `/`: `anexos/informe-firmado.pdf`.
    #[schemars(
        description = "Ruta del archivo relativa a la carpeta del informe, con `/`: p. ej. `anexos/informe-firmado.pdf`",
        regex(pattern = r"^[^/\\:][^\\:]*$")
    )]
    pub archivo: String,
    #[serde(default)]
    pub descripcion: Option<String>,
}

// One correction made after publication: the published quarter keeps its URLs and shows this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    pub fecha: NaiveDate,
    // Slug of the unit the correction concerns; the whole report when absent.
    #[serde(default)]
    pub unidad: Option<String>,
    pub cambio: String,
    pub motivo: String,
}

// `content/glosario.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Glosario (content/glosario.yaml)",
    description = "Guía de lectura y términos que el sitio enlaza en su primera aparición en cada página."
)]
pub struct Glossary {
    #[serde(default)]
    #[serde(deserialize_with = "super::blocks::optional_text")]
    #[schemars(with = "Option<String>")]
    pub guia: Option<String>,
    pub terminos: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub termino: String,
    #[serde(default)]
    pub nombre: Option<String>,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub definicion: String,
    #[serde(default)]
    pub variantes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub unidad: String,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub texto: String,
}

// `content/informes/<año>-t<n>/unidades/<slug>.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Unidad administrativa (content/informes/<año>-t<n>/unidades/<slug>.yaml)",
    description = "Objetivo, estrategia y líneas de acción de una unidad en un trimestre."
)]
pub struct Unit {
    pub unidad: String,
    #[serde(default)]
    pub siglas: Option<String>,
    pub orden: u32,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub objetivo: String,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub estrategia: String,
    pub lineas: Vec<ActionLine>,
    #[serde(default)]
    pub notas: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionLine {
    pub numero: u32,
    #[serde(default)]
    pub titulo: Option<String>,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub descripcion: String,
    pub meta: Goal,
    pub inicio: NaiveDate,
    pub termino: NaiveDate,
    #[serde(default)]
    pub avance: Option<Progress>,
    // serde_yaml 0.9 reads enums only from `!tags`; this accepts the friendlier `- texto: …`.
    #[serde(
        default,
        deserialize_with = "serde_yaml::with::singleton_map_recursive::deserialize"
    )]
    #[schemars(with = "Vec<Block>")]
    pub actividades: Vec<Block>,
    #[serde(default)]
    pub eventos: Vec<Event>,
    #[serde(default)]
    pub notas: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    #[serde(default)]
    pub cantidad: Option<f64>,
    #[serde(default)]
    pub unidad: Option<String>,
    #[serde(default)]
    pub texto: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    #[serde(default)]
    pub porcentaje: Option<f64>,
    #[serde(default)]
    pub logrado: Option<f64>,
    #[serde(default)]
    pub programado: Option<f64>,
    #[serde(default)]
    pub texto: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum Block {
    #[serde(rename = "texto")]
    Text(
        #[serde(deserialize_with = "super::blocks::text")]
        #[schemars(with = "String")]
        String,
    ),
    #[serde(rename = "figura")]
    Figure(String),
    #[serde(rename = "tabla")]
    Table(Table),
    #[serde(rename = "cifras")]
    Figures(FigureGroup),
    #[serde(rename = "grafica")]
    Chart(Chart),
}

// A chart declared next to the data it draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Chart {
    pub id: String,
    #[serde(default)]
    pub numero: Option<String>,
    pub tipo: ChartKind,
    // A table id of the same unit, or `eventos` for the quarter's training events.
    pub origen: String,
    // Headline that states the message.
    pub titulo: String,
    // What, where, when, source.
    pub subtitulo: String,
    #[serde(default)]
    pub categorias: Option<String>,
    #[serde(default)]
    pub series: Vec<String>,
    #[serde(default)]
    pub resaltar: Option<String>,
    // What the values count, in plural («mantenimientos»), for the text alternative.
    #[serde(default)]
    pub unidad: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub enum ChartKind {
    #[serde(rename = "barras-agrupadas")]
    GroupedBars,
    #[serde(rename = "clasificacion")]
    Ranking,
    #[serde(rename = "capacitacion")]
    Training,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub id: String,
    #[serde(default)]
    pub numero: Option<String>,
    pub titulo: String,
    #[serde(default)]
    pub fuente: Option<String>,
    #[serde(default)]
    pub encabezado: Vec<String>,
    pub columnas: Vec<Column>,
    pub filas: Vec<Vec<Cell>>,
    #[serde(default)]
    pub total: Option<Vec<Cell>>,
    #[serde(default)]
    pub notas: Vec<Note>,
}

// A column is written either as its bare name or as `{ nombre, grupo }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub nombre: String,
    pub grupo: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ColumnMap {
    nombre: String,
    #[serde(default)]
    grupo: Option<String>,
}

impl<'de> Deserialize<'de> for Column {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ColumnVisitor;
        impl<'de> Visitor<'de> for ColumnVisitor {
            type Value = Column;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a column name or a map with `nombre` and `grupo`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Column, E> {
                Ok(Column {
                    nombre: v.to_owned(),
                    grupo: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Column, A::Error> {
                let m = ColumnMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Column {
                    nombre: m.nombre,
                    grupo: m.grupo,
                })
            }
        }
        deserializer.deserialize_any(ColumnVisitor)
    }
}

impl JsonSchema for Column {
    fn schema_name() -> Cow<'static, str> {
        "Columna".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let map = generator.subschema_for::<ColumnMap>();
        json_schema!({
            "description": "Nombre de la columna, o { nombre, grupo } para agruparla bajo un encabezado común",
            "anyOf": [{ "type": "string" }, map]
        })
    }
}

// One table cell: text, a number, or empty (`~` or `""`).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl Visitor<'_> for CellVisitor {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table cell: text, a number or empty")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
                Ok(Cell::Empty)
            }
            fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
                Ok(Cell::Empty)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
                Ok(if v.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(v.to_owned())
                })
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Cell, E> {
                Err(E::invalid_value(
                    de::Unexpected::Bool(v),
                    &"a table cell; write «Sí» or «No» in quotes",
                ))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
                Ok(Cell::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
                Ok(Cell::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
                Ok(Cell::Number(v))
            }
        }
        deserializer.deserialize_any(CellVisitor)
    }
}

// As it would be written: a number, a text, or `null` for an empty cell.
impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Empty => serializer.serialize_unit(),
            Cell::Text(text) => serializer.serialize_str(text),
            Cell::Number(n) => serializer.serialize_f64(*n),
        }
    }
}

impl JsonSchema for Cell {
    fn schema_name() -> Cow<'static, str> {
        "Celda".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Celda de tabla: texto, número o vacía",
            "type": ["string", "number", "null"]
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureGroup {
    pub titulo: String,
    #[serde(default)]
    pub fuente: Option<String>,
    pub elementos: Vec<FigureItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureItem {
    pub concepto: String,
    pub valor: f64,
    #[serde(default)]
    pub unidad: Option<String>,
    #[serde(default)]
    pub detalle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub nombre: String,
    pub inicio: NaiveDate,
    #[serde(default)]
    pub fin: Option<NaiveDate>,
    pub participantes: u32,
    #[serde(default)]
    pub mujeres: Option<u32>,
    #[serde(default)]
    pub hombres: Option<u32>,
    #[serde(default)]
    pub desglose: Option<String>,
    #[serde(default)]
    pub sujetos_obligados: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(default = "default_note_kind")]
    pub tipo: NoteKind,
    #[serde(deserialize_with = "super::blocks::text")]
    #[schemars(with = "String")]
    pub texto: String,
}

fn default_note_kind() -> NoteKind {
    NoteKind::EditorialNote
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub enum NoteKind {
    #[serde(rename = "aclaracion")]
    Clarification,
    #[serde(rename = "nota-editorial")]
    EditorialNote,
}
