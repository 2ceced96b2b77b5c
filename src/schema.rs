//! JSON Schemas of the content files, for editors (yaml-language-server) and for tools.
//! Generated from the same serde types the loader uses, so they cannot drift apart.

use crate::content::raw;
use crate::error::Result;
use crate::fsx;
use schemars::{JsonSchema, schema_for};
use std::path::{Path, PathBuf};

fn pretty<T: JsonSchema>() -> String {
    let schema = schema_for!(T);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// (file name, schema) for each kind of content file.
pub fn schemas() -> Vec<(&'static str, String)> {
    vec![
        ("sitio.schema.json", pretty::<raw::Site>()),
        ("institucion.schema.json", pretty::<raw::Institution>()),
        ("informe.schema.json", pretty::<raw::Report>()),
        ("unidad.schema.json", pretty::<raw::Unit>()),
        ("glosario.schema.json", pretty::<raw::Glossary>()),
    ]
}

/// Writes the schemas into `dir`, returning the paths written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>> {
    fsx::create_dir_all(dir)?;
    schemas()
        .into_iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            fsx::write(&path, text.as_bytes())?;
            Ok(path)
        })
        .collect()
}
