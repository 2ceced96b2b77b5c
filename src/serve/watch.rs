//! Which file-system events deserve a rebuild. Pure, so it is tested without a watcher.

use notify::EventKind;
use std::path::Path;

/// Creations, writes, renames and removals; not reads or metadata-only access.
pub fn is_change(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    )
}

/// True when a change to `path` can change the site: content YAML and theme files, but not
/// editor swap or backup files, and never the serve output itself.
pub fn is_relevant(path: &Path, output: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let editor_noise = name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913";
    !editor_noise
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{AccessKind, CreateKind, ModifyKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Any)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn content_changes_rebuild_editor_noise_does_not() {
        let out = Path::new("/tmp/out");
        assert!(is_relevant(
            Path::new("content/informes/2023-t2/unidades/uaa.yaml"),
            out
        ));
        assert!(is_relevant(Path::new("theme/static/estilo.css"), out));
        assert!(!is_relevant(Path::new("content/.uaa.yaml.swp"), out));
        assert!(!is_relevant(Path::new("content/uaa.yaml~"), out));
        assert!(!is_relevant(Path::new("content/4913"), out));
        assert!(!is_relevant(Path::new("/tmp/out/index.html"), out));
    }
}
