//! Synthetic report generator for the performance benchmark (issue 9).
//!
//! ```sh
//! cargo run --release --example sintetico -- --paginas 1000 --salida /dev/shm/bench [--semilla 7] [--glosario]
//! ```
//!
//! `--glosario` adds the shipped report's glossary (`content/glosario.yaml`, 88 terms), whose
//! terms `informe` links on every page, as a real report's site does. Hugo has nothing like it,
//! so `benches/compare-hugo.sh` leaves it out.
//!
//! Writes the same seeded, deterministic report twice:
//!
//! - `SALIDA/informe/content/`: an `informe` content tree (sitio.yaml, institucion.yaml,
//!   informes/<año>-t<n>/informe.yaml and unidades/*.yaml) that `informe build` accepts with no
//!   errors: every table total adds up, every published percentage equals logrado/programado,
//!   every chart resolves.
//! - `SALIDA/hugo/`: a Hugo site with the same text: one Markdown page per unit (objective,
//!   strategy, every action line with goal, dates, progress and activities, its table as a
//!   Markdown table), one section per quarter (legal basis, presentation, a progress table built
//!   by the template from front matter), a home listing the quarters by year, an institution
//!   page, a 404 page, and minimal layouts of its own (baseof, list, single).
//!
//! Shape: Y years × 4 quarters × 7 units × 8 action lines; each line has about 120 words of
//! activities; each unit has one 12-row table with a `total` row and one grouped-bar chart drawn
//! from it. Y = max(1, N / 32), since a year makes 4 × (7 units + 1 quarter page) = 32 pages.
//! The text comes from word lists below and a SplitMix64 generator: no external text, no clock,
//! no hash-map order, so the same seed always writes the same bytes.

// A command-line tool that writes files: it prints its summary, and the project's `fsx` (the
// only module allowed to touch std::fs, for located errors) is private to the library.
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// ---------------------------------------------------------------------------------------------
// Random numbers: SplitMix64, small and with a fixed algorithm (a crate's generator could change
// between versions and with it every byte of the output).

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn pick<'a, T: ?Sized>(&mut self, items: &'a [&'a T]) -> &'a T {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists.

struct UnitDef {
    slug: &'static str,
    name: &'static str,
    short: &'static str,
    /// What the unit's table counts (plural), and its two numeric columns.
    noun: &'static str,
    planned: &'static str,
    done: &'static str,
    /// «se atendieron», for the chart headline.
    done_verb: &'static str,
    topic: &'static str,
}

const UNITS: [UnitDef; 7] = [
    UnitDef {
        slug: "uaa",
        name: "Unidad de Apoyo Administrativo",
        short: "UAA",
        noun: "trámites presupuestales",
        planned: "Programados",
        done: "Realizados",
        done_verb: "se realizaron",
        topic: "la aplicación del gasto público",
    },
    UnitDef {
        slug: "transparencia",
        name: "Unidad de Transparencia",
        short: "UT",
        noun: "solicitudes de información",
        planned: "Recibidas",
        done: "Respondidas",
        done_verb: "se respondieron",
        topic: "el acceso a la información pública",
    },
    UnitDef {
        slug: "archivo",
        name: "Coordinación de Archivos",
        short: "CA",
        noun: "expedientes",
        planned: "Programados",
        done: "Organizados",
        done_verb: "se organizaron",
        topic: "la gestión documental",
    },
    UnitDef {
        slug: "vinculacion",
        name: "Dirección de Vinculación Interinstitucional",
        short: "DVI",
        noun: "reuniones de trabajo",
        planned: "Programadas",
        done: "Celebradas",
        done_verb: "se celebraron",
        topic: "la coordinación con los entes públicos",
    },
    UnitDef {
        slug: "dsepd",
        name: "Dirección de Sistemas Electrónicos y Plataforma Digital",
        short: "DSEPD",
        noun: "mantenimientos",
        planned: "Programados",
        done: "Ejecutados",
        done_verb: "se ejecutaron",
        topic: "la interconexión con la Plataforma Digital Nacional",
    },
    UnitDef {
        slug: "juridica",
        name: "Unidad de Asuntos Jurídicos",
        short: "UAJ",
        noun: "asesorías jurídicas",
        planned: "Solicitadas",
        done: "Atendidas",
        done_verb: "se atendieron",
        topic: "la certeza jurídica de los actos",
    },
    UnitDef {
        slug: "riesgos",
        name: "Dirección de Riesgos y Política Pública",
        short: "DRPP",
        noun: "indicadores",
        planned: "Programados",
        done: "Actualizados",
        done_verb: "se actualizaron",
        topic: "la evaluación de la política anticorrupción",
    },
];

const PERIODS: [&str; 4] = [
    "Enero - Marzo",
    "Abril - Junio",
    "Julio - Septiembre",
    "Octubre - Diciembre",
];
const ORDINALS: [&str; 4] = ["Primer", "Segundo", "Tercer", "Cuarto"];

const OPENERS: &[&str] = &[
    "Durante el periodo que se informa",
    "Asimismo",
    "De igual manera",
    "Como parte de las acciones programadas",
    "Derivado de lo anterior",
    "Adicionalmente",
    "En cumplimiento de la normatividad aplicable",
    "Con el propósito de fortalecer la rendición de cuentas",
    "En el marco del programa anual de trabajo",
    "Para dar continuidad a los trabajos iniciados",
];
const SUBJECTS: &[&str] = &[
    "el personal de la unidad",
    "esta Secretaría Ejecutiva",
    "el área responsable",
    "la coordinación de la unidad",
    "la titular de la unidad",
    "el equipo técnico",
];
const VERBS: &[&str] = &[
    "realizó",
    "integró",
    "coordinó",
    "elaboró",
    "revisó",
    "atendió",
    "dio seguimiento a",
    "actualizó",
    "presentó",
    "organizó",
    "impulsó",
    "validó",
];
const INFINITIVES: &[&str] = &[
    "Realizar",
    "Integrar",
    "Coordinar",
    "Elaborar",
    "Revisar",
    "Atender",
    "Actualizar",
    "Difundir",
    "Organizar",
    "Evaluar",
];
const OBJECTS: &[&str] = &[
    "los informes presupuestales mensuales",
    "el programa anual de trabajo",
    "los lineamientos de operación",
    "las mesas de trabajo interinstitucionales",
    "los expedientes de los sujetos obligados",
    "la capacitación en materia de ética pública",
    "los indicadores de desempeño",
    "el inventario de bienes informáticos",
    "las solicitudes de acceso a la información",
    "los convenios de colaboración",
    "el catálogo de disposición documental",
    "las actas de las sesiones ordinarias",
    "los reportes de avance de metas",
    "la matriz de riesgos institucionales",
];
const COMPLEMENTS: &[&str] = &[
    "con los sujetos obligados del Estado de Chiapas",
    "conforme a la normatividad aplicable",
    "en tiempo y forma",
    "ante la Secretaría de Hacienda del Estado",
    "a través de la plataforma institucional",
    "en coordinación con el Comité Coordinador",
    "con apego a los criterios de eficiencia y racionalidad",
    "de acuerdo con el cronograma autorizado",
    "en las instalaciones de la Secretaría Ejecutiva",
    "mediante sesiones virtuales",
];
const TOPICS: &[&str] = &[
    "transparencia",
    "rendición de cuentas",
    "gestión documental",
    "control interno",
    "protección de datos personales",
    "fiscalización",
    "ética pública",
    "integridad",
    "contrataciones públicas",
    "declaraciones patrimoniales",
    "participación ciudadana",
    "mejora regulatoria",
];
const LINE_TITLES: &[&str] = &[
    "Seguimiento",
    "Capacitación",
    "Integración",
    "Actualización",
    "Coordinación",
    "Evaluación",
    "Difusión",
    "Fortalecimiento",
    "Supervisión",
    "Atención",
];
const GOAL_UNITS: &[&str] = &[
    "informes",
    "acciones",
    "reuniones",
    "documentos",
    "capacitaciones",
    "expedientes",
    "reportes",
    "asesorías",
];

// ---------------------------------------------------------------------------------------------
// The report, once, in memory; both writers read it so the two sites cannot drift apart.

struct Site {
    quarters: Vec<Quarter>,
    institution: Institution,
}

struct Institution {
    mission: String,
    vision: String,
    principles: Vec<(String, String)>,
}

struct Quarter {
    year: i32,
    quarter: u32,
    cutoff: NaiveDate,
    legal_basis: String,
    summaries: Vec<(usize, String)>,
    units: Vec<Unit>,
}

struct Unit {
    def: usize,
    objective: String,
    strategy: String,
    lines: Vec<Line>,
}

struct Line {
    number: u32,
    title: String,
    description: String,
    goal: u64,
    goal_unit: String,
    start: NaiveDate,
    end: NaiveDate,
    achieved: u64,
    planned: u64,
    /// The percentage as published, when it is (checked by the build against the division).
    published: Option<f64>,
    progress_text: String,
    /// Markdown paragraphs before the table (or all of them).
    before: Vec<String>,
    table: Option<Table>,
    after: Vec<String>,
}

struct Table {
    id: String,
    label: String,
    title: String,
    source: String,
    columns: [String; 3],
    rows: Vec<(String, u64, u64)>,
    total: (u64, u64),
    chart: Chart,
}

struct Chart {
    id: String,
    label: String,
    title: String,
    subtitle: String,
    unit: String,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn last_day(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    date(ny, nm, 1).pred_opt().expect("valid date")
}

/// «1 de enero de 2023», exactly as the generator writes dates.
fn fecha(d: NaiveDate) -> String {
    informe::format::date_long(d)
}

/// es-MX thousands separator: 60167 → «60,167».
fn numero(n: u64) -> String {
    informe::format::number(n as f64, 0)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// One sentence of report prose.
fn sentence(rng: &mut Rng, u: &UnitDef, year: i32, q: u32) -> String {
    let s = match rng.range(0, 4) {
        0 => format!(
            "{}, {} {} {} {}.",
            rng.pick(OPENERS),
            rng.pick(SUBJECTS),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(COMPLEMENTS)
        ),
        1 => {
            let m = (q - 1) * 3 + rng.range(1, 3) as u32;
            let d = rng.range(1, last_day(year, m).day() as u64) as u32;
            format!(
                "Con fecha {}, la {} {} {} en materia de {}, mediante oficio núm. SESAECH/{}/{:04}/{}.",
                fecha(date(year, m, d)),
                u.name,
                rng.pick(VERBS),
                rng.pick(OBJECTS),
                rng.pick(TOPICS),
                u.short,
                rng.range(1, 999),
                year
            )
        }
        2 => format!(
            "Se contó con la participación de **{} personas servidoras públicas** de {} sujetos obligados, quienes recibieron los materiales de apoyo correspondientes.",
            rng.range(8, 240),
            rng.range(2, 60),
        ),
        3 => format!(
            "Estas acciones contribuyen a {}; para ello, {} {} {} {}.",
            u.topic,
            rng.pick(SUBJECTS),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(COMPLEMENTS)
        ),
        _ => {
            let t1 = rng.range(0, TOPICS.len() as u64 - 1) as usize;
            format!(
                "{} {} {} {} en materia de {} y {}.",
                capitalize(rng.pick(SUBJECTS)),
                rng.pick(VERBS),
                rng.range(2, 90),
                if rng.chance(50) {
                    "documentos normativos"
                } else {
                    "reportes técnicos"
                },
                TOPICS[t1],
                TOPICS[(t1 + 1 + rng.range(0, TOPICS.len() as u64 - 2) as usize) % TOPICS.len()]
            )
        }
    };
    grammar(&s)
}

/// Contractions the word lists would otherwise get wrong: «de el» → «del», «a el» → «al».
fn grammar(s: &str) -> String {
    s.replace(" de el ", " del ").replace(" a el ", " al ")
}

/// Markdown paragraphs adding up to about `target` words; sometimes with a short list.
fn prose(rng: &mut Rng, u: &UnitDef, year: i32, q: u32, target: usize) -> Vec<String> {
    let mut paras = Vec::new();
    let mut total = 0;
    while total < target {
        let mut p = String::new();
        let sentences = rng.range(2, 3);
        for i in 0..sentences {
            if i > 0 {
                p.push(' ');
            }
            p.push_str(&sentence(rng, u, year, q));
        }
        if rng.chance(20) {
            p.push_str(" Entre las acciones destacan:\n");
            for _ in 0..3 {
                let _ = write!(
                    p,
                    "\n- {} de {};",
                    capitalize(rng.pick(LINE_TITLES)),
                    rng.pick(OBJECTS)
                );
            }
        }
        let p = grammar(&p);
        total += words(&p);
        paras.push(p);
    }
    paras
}

fn unit(rng: &mut Rng, def: usize, year: i32, q: u32, chart_no: usize) -> Unit {
    let u = &UNITS[def];
    let objective = grammar(&format!(
        "Contribuir a {} mediante {} {} y el seguimiento de {}, {}.",
        u.topic,
        rng.pick(OBJECTS),
        rng.pick(COMPLEMENTS),
        rng.pick(OBJECTS),
        rng.pick(COMPLEMENTS)
    ));
    let strategy = grammar(&format!(
        "{} {} {} en materia de {} y {}, {}; así como mantener actualizados {} para garantizar la operación de los servicios que proporciona la {}.",
        capitalize(rng.pick(LINE_TITLES)),
        "de",
        rng.pick(OBJECTS),
        rng.pick(TOPICS),
        rng.pick(TOPICS),
        rng.pick(COMPLEMENTS),
        rng.pick(OBJECTS),
        u.name
    ));
    let table_line = rng.range(1, 8) as u32;
    let end_month = q * 3;
    let mut lines = Vec::new();
    for number in 1..=8u32 {
        let topic = rng.pick(TOPICS);
        let title = format!("{} de {}", rng.pick(LINE_TITLES), topic);
        let description = grammar(&format!(
            "{}: {} {} {} de la {}, {}.",
            title,
            rng.pick(INFINITIVES),
            rng.pick(OBJECTS),
            "en materia de ".to_owned() + topic,
            u.name,
            rng.pick(COMPLEMENTS)
        ));
        let start_month = rng.range(1, 3) as u32;
        let start = date(year, start_month, 1);
        let end = if rng.chance(80) {
            date(year, 12, 31)
        } else {
            last_day(year, rng.range(end_month.max(6) as u64, 12) as u32)
        };
        let mut table = None;
        let (goal_unit, achieved, planned);
        if number == table_line {
            let mut rows = Vec::new();
            let (mut ta, mut tb) = (0, 0);
            for (m, name) in informe::format::MONTHS.iter().enumerate() {
                let a = rng.range(0, 40);
                let b = if (m as u32) < end_month {
                    a.saturating_sub(rng.range(0, 3))
                } else {
                    0
                };
                ta += a;
                tb += b;
                rows.push((capitalize(name), a, b));
            }
            goal_unit = u.noun.to_owned();
            planned = ta.max(1);
            achieved = tb;
            let id = format!("tabla-{}", u.slug);
            let label = format!("Tabla {chart_no}");
            table = Some(Table {
                chart: Chart {
                    id: format!("grafica-{}", u.slug),
                    label: format!("Gráfica {chart_no}"),
                    title: format!(
                        "Al {} {} {} de los {} {} previstos para {}",
                        fecha(last_day(year, end_month)),
                        u.done_verb,
                        numero(tb),
                        numero(ta),
                        u.noun,
                        year
                    ),
                    subtitle: format!(
                        "{} por mes, {}, enero a diciembre de {}. Fuente: {}.",
                        capitalize(u.noun),
                        u.short,
                        year,
                        label
                    ),
                    unit: u.noun.to_owned(),
                },
                title: format!("Calendario de {} de {}", u.noun, year),
                source: format!(
                    "Elaboración propia con base en los registros de la {}.",
                    u.name
                ),
                columns: ["Mes".into(), u.planned.into(), u.done.into()],
                rows,
                total: (ta, tb),
                id,
                label,
            });
        } else {
            goal_unit = rng.pick(GOAL_UNITS).to_owned();
            planned = rng.range(4, 200);
            let share = (planned * q as u64) / 4;
            achieved = rng.range(share / 2, share.max(1)).min(planned);
        }
        let percent = achieved as f64 / planned as f64 * 100.0;
        let rounded = (percent * 100.0).round() / 100.0;
        let published = rng.chance(50).then_some(rounded);
        let progress_text = format!(
            "La meta de esta línea de acción se encuentra en proceso y tiene un avance del {rounded}%."
        );
        let mut before = prose(rng, u, year, q, if table.is_some() { 50 } else { 85 });
        let after = if table.is_some() {
            prose(rng, u, year, q, 35)
        } else {
            Vec::new()
        };
        if before.is_empty() {
            before.push(sentence(rng, u, year, q));
        }
        lines.push(Line {
            number,
            title,
            description,
            goal: planned,
            goal_unit,
            start,
            end,
            achieved,
            planned,
            published,
            progress_text,
            before,
            table,
            after,
        });
    }
    Unit {
        def,
        objective,
        strategy,
        lines,
    }
}

fn generate(pages: u64, seed: u64) -> Site {
    let mut rng = Rng(seed);
    let years = (pages / 32).max(1) as i32;
    let first = 2024 - years + 1;
    let institution = Institution {
        mission: prose(&mut rng, &UNITS[0], 2024, 1, 60).join("\n\n"),
        vision: prose(&mut rng, &UNITS[3], 2024, 1, 40).join("\n\n"),
        principles: [
            "Certeza",
            "Legalidad",
            "Independencia",
            "Imparcialidad",
            "Eficacia",
            "Objetividad",
            "Profesionalismo",
        ]
        .iter()
        .map(|n| {
            let t = prose(&mut rng, &UNITS[5], 2024, 1, 30).join(" ");
            ((*n).to_owned(), t)
        })
        .collect(),
    };
    let mut quarters = Vec::new();
    for year in first..first + years {
        for q in 1..=4u32 {
            let units: Vec<Unit> = (0..UNITS.len())
                .map(|d| unit(&mut rng, d, year, q, d + 1))
                .collect();
            let legal_basis = format!(
                "En cumplimiento a los artículos 34 de la Ley del Sistema Anticorrupción del Estado de Chiapas y 18 fracción X de la Ley de Entidades Paraestatales del Estado de Chiapas, se presenta el Informe de Desempeño de Actividades del {} trimestre correspondiente a los meses de {} del ejercicio {}, en el cual se documentan los avances en las metas y acciones programadas por cada órgano administrativo.",
                ORDINALS[q as usize - 1].to_lowercase(),
                PERIODS[q as usize - 1],
                year
            );
            let summaries = (0..UNITS.len())
                .map(|d| (d, prose(&mut rng, &UNITS[d], year, q, 60).join("\n\n")))
                .collect();
            quarters.push(Quarter {
                year,
                quarter: q,
                cutoff: last_day(year, q * 3),
                legal_basis,
                summaries,
                units,
            });
        }
    }
    Site {
        quarters,
        institution,
    }
}

// ---------------------------------------------------------------------------------------------
// Writer 1: informe content (YAML).

/// A YAML double-quoted scalar.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A literal block scalar `|` whose lines are indented by `indent` spaces.
fn block(out: &mut String, key: &str, text: &str, indent: usize) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{key}: |");
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
}

fn quarter_dir(q: &Quarter) -> String {
    format!("{}-t{}", q.year, q.quarter)
}

fn yaml_unit(u: &Unit) -> String {
    let d = &UNITS[u.def];
    let mut s = String::new();
    let _ = writeln!(s, "unidad: {}", q(d.name));
    let _ = writeln!(s, "siglas: {}", d.short);
    let _ = writeln!(s, "orden: {}", u.def + 1);
    block(&mut s, "objetivo", &u.objective, 2);
    block(&mut s, "estrategia", &u.strategy, 2);
    s.push_str("lineas:\n");
    for l in &u.lines {
        let _ = writeln!(s, "  - numero: {}", l.number);
        let _ = writeln!(s, "    titulo: {}", q(&l.title));
        s.push_str("    ");
        block(&mut s, "descripcion", &l.description, 6);
        let _ = writeln!(
            s,
            "    meta: {{ cantidad: {}, unidad: {} }}",
            l.goal,
            q(&l.goal_unit)
        );
        let _ = writeln!(s, "    inicio: {}", l.start.format("%Y-%m-%d"));
        let _ = writeln!(s, "    termino: {}", l.end.format("%Y-%m-%d"));
        s.push_str("    avance:\n");
        let _ = writeln!(s, "      logrado: {}", l.achieved);
        let _ = writeln!(s, "      programado: {}", l.planned);
        if let Some(p) = l.published {
            let _ = writeln!(s, "      porcentaje: {p}");
        }
        let _ = writeln!(s, "      texto: {}", q(&l.progress_text));
        s.push_str("    actividades:\n");
        for p in &l.before {
            s.push_str("      - ");
            block(&mut s, "texto", p, 10);
        }
        if let Some(t) = &l.table {
            s.push_str("      - tabla:\n");
            let _ = writeln!(s, "          id: {}", t.id);
            let _ = writeln!(s, "          numero: {}", q(&t.label));
            let _ = writeln!(s, "          titulo: {}", q(&t.title));
            let _ = writeln!(s, "          fuente: {}", q(&t.source));
            let _ = writeln!(
                s,
                "          columnas: [{}, {}, {}]",
                q(&t.columns[0]),
                q(&t.columns[1]),
                q(&t.columns[2])
            );
            s.push_str("          filas:\n");
            for (m, a, b) in &t.rows {
                let _ = writeln!(s, "            - [{m}, {a}, {b}]");
            }
            let _ = writeln!(s, "          total: [Total, {}, {}]", t.total.0, t.total.1);
            let c = &t.chart;
            s.push_str("      - grafica:\n");
            let _ = writeln!(s, "          id: {}", c.id);
            let _ = writeln!(s, "          numero: {}", q(&c.label));
            s.push_str("          tipo: barras-agrupadas\n");
            let _ = writeln!(s, "          origen: {}", t.id);
            let _ = writeln!(s, "          categorias: {}", q(&t.columns[0]));
            let _ = writeln!(
                s,
                "          series: [{}, {}]",
                q(&t.columns[1]),
                q(&t.columns[2])
            );
            let _ = writeln!(s, "          unidad: {}", q(&c.unit));
            let _ = writeln!(s, "          titulo: {}", q(&c.title));
            let _ = writeln!(s, "          subtitulo: {}", q(&c.subtitle));
        }
        for p in &l.after {
            s.push_str("      - ");
            block(&mut s, "texto", p, 10);
        }
    }
    s
}

fn write_informe(site: &Site, root: &Path) -> std::io::Result<usize> {
    let content = root.join("content");
    let mut files = 0;
    let mut put = |path: PathBuf, text: String| -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        files += 1;
        std::fs::write(path, text)
    };
    put(
        content.join("sitio.yaml"),
        "titulo: Informe Trimestral del Desempeño de la SESAECH\n\
         descripcion: Informe sintético para medir el rendimiento de informe; texto generado, no publicado por la institución.\n\
         base_url: https://sesaech.gob.mx/informe/\n\
         idioma: es-MX\n"
            .to_owned(),
    )?;
    let inst = &site.institution;
    let mut s = String::new();
    s.push_str("nombre: Secretaría Ejecutiva del Sistema Anticorrupción del Estado de Chiapas\n");
    s.push_str("siglas: SESAECH\nlema: Por un Chiapas sin corrupción\n");
    block(&mut s, "mision", &inst.mission, 2);
    block(&mut s, "vision", &inst.vision, 2);
    s.push_str("principios:\n");
    for (n, t) in &inst.principles {
        let _ = writeln!(s, "  - nombre: {n}");
        s.push_str("    ");
        block(&mut s, "texto", t, 6);
    }
    s.push_str("estructura:\n  ");
    block(
        &mut s,
        "introduccion",
        "Para cumplir con sus facultades, la Secretaría Ejecutiva cuenta con los órganos administrativos siguientes:",
        4,
    );
    s.push_str("  organos:\n");
    for d in &UNITS {
        let _ = writeln!(s, "    - {{ nombre: {}, tipo: Unidad }}", q(d.name));
    }
    put(content.join("institucion.yaml"), s)?;

    for qt in &site.quarters {
        let dir = content.join("informes").join(quarter_dir(qt));
        let mut s = String::new();
        let _ = writeln!(s, "anio: {}", qt.year);
        let _ = writeln!(s, "trimestre: {}", qt.quarter);
        let _ = writeln!(s, "periodo: {}", PERIODS[qt.quarter as usize - 1]);
        let _ = writeln!(
            s,
            "titulo: {} Informe Trimestral del Desempeño de las Actividades de la SESAECH",
            ORDINALS[qt.quarter as usize - 1]
        );
        s.push_str("subtitulo: Órgano de Gobierno de la Secretaría Ejecutiva del Sistema Anticorrupción del Estado de Chiapas\n");
        let _ = writeln!(s, "fecha_corte: {}", qt.cutoff.format("%Y-%m-%d"));
        block(&mut s, "fundamento", &qt.legal_basis, 2);
        s.push_str("presentacion:\n");
        for (d, text) in &qt.summaries {
            let _ = writeln!(s, "  - unidad: {}", UNITS[*d].slug);
            s.push_str("    ");
            block(&mut s, "texto", text, 6);
        }
        put(dir.join("informe.yaml"), s)?;
        for u in &qt.units {
            put(
                dir.join("unidades")
                    .join(format!("{}.yaml", UNITS[u.def].slug)),
                yaml_unit(u),
            )?;
        }
    }
    Ok(files)
}

// ---------------------------------------------------------------------------------------------
// Writer 2: the Hugo twin.

const HUGO_CONFIG: &str = r##"baseURL = "https://sesaech.gob.mx/informe/"
languageCode = "es-MX"
defaultContentLanguage = "es"
title = "Informe Trimestral del Desempeño de la SESAECH"
# Our generator makes no feeds, sitemaps or taxonomies: neither does its twin.
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
enableRobotsTXT = false

[params]
descripcion = "Informe sintético para medir el rendimiento de informe; texto generado, no publicado por la institución."
institucion = "Secretaría Ejecutiva del Sistema Anticorrupción del Estado de Chiapas"
siglas = "SESAECH"
lema = "Por un Chiapas sin corrupción"

[markup.tableOfContents]
startLevel = 3
endLevel = 3
"##;

const HUGO_BASEOF: &str = r##"<!DOCTYPE html>
<html lang="es-MX">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ .Site.Params.descripcion }}{{ end }}">
<link rel="stylesheet" href="{{ "estilo.css" | relURL }}">
</head>
<body>
<a class="saltar" href="#contenido">Saltar al contenido principal</a>
<header class="cabecera">
  <p class="marca"><a href="{{ "/" | relURL }}"><span>{{ .Site.Params.siglas }}</span> <span>{{ .Site.Params.institucion }}</span></a></p>
  <nav aria-label="Principal">
    <ul>
      <li><a href="{{ "/" | relURL }}"{{ if .IsHome }} aria-current="page"{{ end }}>Inicio</a></li>
      {{ with index (.Site.Sections.ByWeight) 0 }}<li><a href="{{ .RelPermalink }}">Informe más reciente</a></li>{{ end }}
      <li><a href="{{ "/institucion/" | relURL }}">La institución</a></li>
    </ul>
  </nav>
</header>
{{ if not .IsHome }}
<nav aria-label="Ruta de navegación" class="migas">
  <ol>
    <li><a href="{{ "/" | relURL }}">Inicio</a></li>
    {{ if and .IsPage (ne .Parent .Site.Home) }}<li><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></li>{{ end }}
    <li><span aria-current="page">{{ .Title }}</span></li>
  </ol>
</nav>
{{ end }}
<main id="contenido" tabindex="-1">
{{ block "main" . }}{{ end }}
</main>
<footer class="pie">
  <p>«{{ .Site.Params.lema }}»</p>
  <p>{{ .Site.Params.institucion }} ({{ .Site.Params.siglas }}).</p>
</footer>
</body>
</html>
"##;

const HUGO_HOME: &str = r##"{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
<p class="subtitulo">{{ .Site.Params.institucion }}</p>
{{ with index (.Site.Sections.ByWeight) 0 }}
<section class="destacado" aria-labelledby="reciente">
  <h2 id="reciente">Informe más reciente</h2>
  <p><a href="{{ .RelPermalink }}">{{ .Title }}</a></p>
  <p>{{ .Params.trimestre_nombre }} de {{ .Params.anio }} ({{ .Params.periodo }}).</p>
</section>
{{ end }}
<section aria-labelledby="todos">
  <h2 id="todos">Todos los informes</h2>
  {{ range .Site.Sections.ByWeight.GroupByParam "anio" "desc" }}
  <h3>{{ .Key }}</h3>
  <ul>
    {{ range .Pages.ByWeight }}<li><a href="{{ .RelPermalink }}">{{ .Params.trimestre_nombre }} de {{ .Params.anio }}: {{ .Params.periodo }}</a></li>{{ end }}
  </ul>
  {{ end }}
</section>
<section aria-labelledby="sobre">
  <h2 id="sobre">Sobre la institución</h2>
  <p>Conozca la <a href="{{ "/institucion/" | relURL }}">misión, visión, principios rectores y estructura de la {{ .Site.Params.siglas }}</a>.</p>
</section>
{{ end }}
"##;

const HUGO_LIST: &str = r##"{{ define "main" }}
<p class="antetitulo">{{ .Params.trimestre_nombre }} de {{ .Params.anio }} ({{ .Params.periodo }})</p>
<h1>{{ .Title }}</h1>
<p class="subtitulo">{{ .Params.subtitulo }}</p>
<dl class="ficha">
  <div><dt>Periodo que se informa</dt><dd>{{ .Params.periodo }} de {{ .Params.anio }}</dd></div>
  <div><dt>Fecha de corte</dt><dd>{{ .Params.fecha_corte }}</dd></div>
  <div><dt>Unidades que informan</dt><dd>{{ len .Pages }}</dd></div>
</dl>
<section aria-labelledby="avance">
  <h2 id="avance">Avance de las metas por unidad</h2>
  {{ range .Pages.ByWeight }}
  {{ $u := . }}
  <h3 id="unidad-{{ .File.BaseFileName }}">{{ .Title }}</h3>
  <table class="resumen">
    <caption>Metas y avance de {{ .Title }}</caption>
    <thead><tr><th scope="col">Línea de acción</th><th scope="col">Meta</th><th scope="col">Avance</th></tr></thead>
    <tbody>
      {{ range .Params.lineas }}
      <tr>
        <th scope="row"><a href="{{ $u.RelPermalink }}#linea-{{ .numero }}">{{ .numero }}. {{ .titulo }}</a></th>
        <td>{{ .meta }}</td>
        <td><span class="avance-cifra">{{ .porcentaje }} %</span> <span class="barra" aria-hidden="true"><span class="barra-relleno" style="width: {{ .porcentaje }}%"></span></span> <span>{{ .logrado }} de {{ .programado }}, calculado</span></td>
      </tr>
      {{ end }}
    </tbody>
  </table>
  {{ end }}
</section>
<section aria-labelledby="presentacion">
  <h2 id="presentacion">Presentación</h2>
  {{ .Content }}
</section>
{{ end }}
"##;

const HUGO_SINGLE: &str = r##"{{ define "main" }}
<p class="antetitulo">{{ .Parent.Params.trimestre_nombre }} de {{ .Parent.Params.anio }} ({{ .Parent.Params.periodo }})</p>
<h1>{{ .Title }}</h1>
<nav aria-labelledby="indice-titulo" class="indice">
  <h2 id="indice-titulo">En esta página</h2>
  {{ .TableOfContents }}
</nav>
{{ .Content }}
<nav aria-label="Otras unidades de este informe" class="otras">
  <h2>Otras unidades del {{ lower .Parent.Params.trimestre_nombre }} de {{ .Parent.Params.anio }}</h2>
  <ul>
    {{ $cur := . }}
    {{ range .Parent.Pages.ByWeight }}<li>{{ if eq . $cur }}<span aria-current="page">{{ .Title }}</span>{{ else }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</li>{{ end }}
  </ul>
  <p><a href="{{ .Parent.RelPermalink }}">Volver al informe</a></p>
</nav>
{{ end }}
"##;

const HUGO_PAGE: &str = r##"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ end }}
"##;

const HUGO_404: &str = r##"{{ define "main" }}
<h1>Página no encontrada</h1>
<p>La dirección que buscó no existe en este sitio. Vuelva al <a href="{{ "/" | relURL }}">inicio</a>.</p>
{{ end }}
"##;

const HUGO_CSS: &str = "body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}\n\
table{border-collapse:collapse}th,td{border:1px solid #999;padding:.25rem .5rem}\n\
.barra{display:inline-block;width:6rem;height:.6rem;background:#ddd}.barra-relleno{display:block;height:100%;background:#235}\n";

/// A YAML front-matter block.
fn front(pairs: &[(&str, String)], extra: &str) -> String {
    let mut s = String::from("---\n");
    for (k, v) in pairs {
        let _ = writeln!(s, "{k}: {v}");
    }
    s.push_str(extra);
    s.push_str("---\n\n");
    s
}

fn hugo_unit(u: &Unit, qt: &Quarter) -> String {
    let d = &UNITS[u.def];
    let mut lineas = String::from("lineas:\n");
    for l in &u.lines {
        let pct = (l.achieved as f64 / l.planned as f64 * 10000.0).round() / 100.0;
        let _ = writeln!(lineas, "  - numero: {}", l.number);
        let _ = writeln!(lineas, "    titulo: {}", q(&l.title));
        let _ = writeln!(
            lineas,
            "    meta: {}",
            q(&format!("{} {}", numero(l.goal), l.goal_unit))
        );
        let _ = writeln!(lineas, "    logrado: {}", q(&numero(l.achieved)));
        let _ = writeln!(lineas, "    programado: {}", q(&numero(l.planned)));
        let _ = writeln!(lineas, "    porcentaje: {}", q(&format!("{pct:.2}")));
    }
    let mut s = front(
        &[
            ("title", q(d.name)),
            ("weight", (u.def + 1).to_string()),
            (
                "url",
                format!("/informes/{}/t{}/{}/", qt.year, qt.quarter, d.slug),
            ),
            (
                "description",
                q(&format!(
                    "{}: objetivo, estrategia y avance de las líneas de acción en el {} trimestre de {}.",
                    d.name,
                    ORDINALS[qt.quarter as usize - 1].to_lowercase(),
                    qt.year
                )),
            ),
        ],
        &lineas,
    );
    let _ = write!(
        s,
        "## Objetivo {{#objetivo}}\n\n{}\n\n## Estrategia {{#estrategia}}\n\n{}\n\n## Líneas de acción {{#lineas}}\n\n",
        u.objective, u.strategy
    );
    for l in &u.lines {
        let pct = l.achieved as f64 / l.planned as f64 * 100.0;
        let pct = match l.published {
            Some(p) => format!("{p}"),
            None => format!("{:.2}", (pct * 100.0).round() / 100.0),
        };
        let _ = write!(
            s,
            "### Línea de acción {}: {} {{#linea-{}}}\n\n{}\n\n\
             - **Meta:** {} {}\n\
             - **Fecha de inicio:** {}\n\
             - **Fecha de término:** {}\n\
             - **Avance de la meta:** {} % ({} de {}, calculado)\n\n\
             #### Actividades desarrolladas\n\n",
            l.number,
            l.title,
            l.number,
            l.description,
            numero(l.goal),
            l.goal_unit,
            fecha(l.start),
            fecha(l.end),
            pct,
            numero(l.achieved),
            numero(l.planned)
        );
        for p in &l.before {
            let _ = write!(s, "{p}\n\n");
        }
        if let Some(t) = &l.table {
            let _ = write!(
                s,
                "**{}.** {}\n\n| {} | {} | {} |\n|:--|--:|--:|\n",
                t.label, t.title, t.columns[0], t.columns[1], t.columns[2]
            );
            for (m, a, b) in &t.rows {
                let _ = writeln!(s, "| {m} | {} | {} |", numero(*a), numero(*b));
            }
            let _ = write!(
                s,
                "| **Total** | **{}** | **{}** |\n\nFuente: {}\n\n**{}.** {}. {}\n\n",
                numero(t.total.0),
                numero(t.total.1),
                t.source,
                t.chart.label,
                t.chart.title,
                t.chart.subtitle
            );
        }
        for p in &l.after {
            let _ = write!(s, "{p}\n\n");
        }
        let _ = write!(s, "{}\n\n", l.progress_text);
    }
    s
}

fn write_hugo(site: &Site, root: &Path) -> std::io::Result<usize> {
    let mut files = 0;
    let mut put = |rel: &str, text: &str| -> std::io::Result<()> {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        files += 1;
        std::fs::write(path, text)
    };
    put("config.toml", HUGO_CONFIG)?;
    put("layouts/_default/baseof.html", HUGO_BASEOF)?;
    put("layouts/index.html", HUGO_HOME)?;
    put("layouts/_default/list.html", HUGO_LIST)?;
    put("layouts/_default/single.html", HUGO_SINGLE)?;
    put("layouts/pagina/single.html", HUGO_PAGE)?;
    put("layouts/404.html", HUGO_404)?;
    put("static/estilo.css", HUGO_CSS)?;
    put("content/_index.md", &front(&[("title", q("Inicio"))], ""))?;
    let inst = &site.institution;
    let mut s = front(
        &[
            ("title", q("La institución")),
            ("type", "pagina".into()),
            ("url", "/institucion/".into()),
        ],
        "",
    );
    let _ = write!(
        s,
        "## Misión\n\n{}\n\n## Visión\n\n{}\n\n## Principios rectores\n\n",
        inst.mission, inst.vision
    );
    for (n, t) in &inst.principles {
        let _ = write!(s, "### {n}\n\n{t}\n\n");
    }
    s.push_str("## Estructura\n\nPara cumplir con sus facultades, la Secretaría Ejecutiva cuenta con los órganos administrativos siguientes:\n\n");
    for d in &UNITS {
        let _ = writeln!(s, "- {}", d.name);
    }
    put("content/institucion.md", &s)?;

    let n = site.quarters.len();
    for (i, qt) in site.quarters.iter().enumerate() {
        let dir = format!("content/{}", quarter_dir(qt));
        let qn = ORDINALS[qt.quarter as usize - 1];
        let mut s = front(
            &[
                (
                    "title",
                    q(&format!(
                        "{qn} Informe Trimestral del Desempeño de las Actividades de la SESAECH"
                    )),
                ),
                // Newest first, as on our home page.
                ("weight", (n - i).to_string()),
                ("url", format!("/informes/{}/t{}/", qt.year, qt.quarter)),
                ("anio", qt.year.to_string()),
                ("trimestre", qt.quarter.to_string()),
                ("trimestre_nombre", q(&format!("{qn} trimestre"))),
                ("periodo", q(PERIODS[qt.quarter as usize - 1])),
                ("fecha_corte", q(&fecha(qt.cutoff))),
                (
                    "subtitulo",
                    q(
                        "Órgano de Gobierno de la Secretaría Ejecutiva del Sistema Anticorrupción del Estado de Chiapas",
                    ),
                ),
            ],
            "",
        );
        let _ = write!(s, "{}\n\n", qt.legal_basis);
        for (d, text) in &qt.summaries {
            let u = &UNITS[*d];
            let _ = write!(
                s,
                "### {} {{#presentacion-{}}}\n\n{}\n\n[Líneas de acción de {}]({}/)\n\n",
                u.name, u.slug, text, u.name, u.slug
            );
        }
        put(&format!("{dir}/_index.md"), &s)?;
        for u in &qt.units {
            put(
                &format!("{dir}/{}.md", UNITS[u.def].slug),
                &hugo_unit(u, qt),
            )?;
        }
    }
    Ok(files)
}

// ---------------------------------------------------------------------------------------------

struct Args {
    pages: u64,
    out: PathBuf,
    seed: u64,
    glossary: bool,
}

const USAGE: &str = "uso: cargo run --release --example sintetico -- --paginas N --salida DIR [--semilla S] [--glosario]";

fn parse_args() -> Result<Args, String> {
    let mut pages = None;
    let mut out = None;
    let mut seed = 20_230_630;
    let mut glossary = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("falta el valor de {a}"));
        match a.as_str() {
            "--paginas" => {
                pages = Some(
                    value()?
                        .parse::<u64>()
                        .map_err(|e| format!("--paginas: {e}"))?,
                );
            }
            "--salida" => out = Some(PathBuf::from(value()?)),
            "--semilla" => {
                seed = value()?
                    .parse::<u64>()
                    .map_err(|e| format!("--semilla: {e}"))?;
            }
            "--glosario" => glossary = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("argumento desconocido `{other}`\n{USAGE}")),
        }
    }
    match (pages, out) {
        (Some(pages), Some(out)) if pages > 0 => Ok(Args {
            pages,
            out,
            seed,
            glossary,
        }),
        _ => Err(USAGE.into()),
    }
}

fn refuse_non_empty(dir: &Path) -> Result<(), String> {
    let non_empty = std::fs::read_dir(dir).is_ok_and(|mut e| e.next().is_some());
    match non_empty {
        true => Err(format!(
            "{} ya existe y no está vacía; use otra --salida o bórrela",
            dir.display()
        )),
        false => Ok(()),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let informe_dir = args.out.join("informe");
    let hugo_dir = args.out.join("hugo");
    for d in [&informe_dir, &hugo_dir] {
        if let Err(e) = refuse_non_empty(d) {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    let site = generate(args.pages, args.seed);
    let written = write_informe(&site, &informe_dir)
        .and_then(|a| {
            if !args.glossary {
                return Ok(a);
            }
            let path = informe_dir.join("content").join("glosario.yaml");
            std::fs::write(&path, include_str!("../content/glosario.yaml"))?;
            Ok(a + 1)
        })
        .and_then(|a| Ok((a, write_hugo(&site, &hugo_dir)?)));
    match written {
        Ok((a, b)) => {
            let years = site.quarters.len() / 4;
            let units: usize = site.quarters.iter().map(|q| q.units.len()).sum();
            let expected = site.quarters.len() + units;
            let words: usize = site
                .quarters
                .iter()
                .flat_map(|q| &q.units)
                .flat_map(|u| &u.lines)
                .map(|l| {
                    l.before
                        .iter()
                        .chain(&l.after)
                        .map(|p| words(p))
                        .sum::<usize>()
                })
                .sum();
            println!(
                "{} años × 4 trimestres × {} unidades: {} páginas de trimestre y unidad \
                 ({} archivos de informe, {} de Hugo; {:.0} palabras de actividades por línea)",
                years,
                UNITS.len(),
                expected,
                a,
                b,
                words as f64 / (units * 8) as f64
            );
            println!("informe: {}", informe_dir.join("content").display());
            println!("hugo:    {}", hugo_dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error al escribir: {e}");
            ExitCode::from(2)
        }
    }
}
