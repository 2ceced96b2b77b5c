//! Which file-system events deserve a rebuild. Pure, so it is tested without a watcher.

use notify::EventKind;
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Creations, writes, renames, removals, and a file written and closed; not reads.
pub fn is_change(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Modify(_)
            | EventKind::Remove(_)
            | EventKind::Access(AccessKind::Close(AccessMode::Write))
    )
}

/// Whether a change leaves its file as the writer meant it, or more of the same save is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Written and closed, renamed into place, removed, or its metadata changed.
    Done,
    /// Still being written (truncated, written, created), or renamed away, as editors do
    /// with the original before writing the new file under its name.
    Pending,
}

pub fn step(kind: &EventKind) -> Step {
    match kind {
        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(RenameMode::From))
        | EventKind::Create(CreateKind::File | CreateKind::Any) => Step::Pending,
        _ => Step::Done,
    }
}

/// The events of one save (or of several at once), gathered until a quiet spell.
#[derive(Debug, Default)]
pub struct Burst {
    /// Whether any event can change the site.
    pub relevant: bool,
    /// Relevant files still being written, or moved aside and not back yet.
    pending: HashSet<PathBuf>,
}

impl Burst {
    pub fn add(&mut self, path: PathBuf, step: Step, output: &Path) {
        if !is_relevant(&path, output) {
            return;
        }
        self.relevant = true;
        match step {
            Step::Pending => self.pending.insert(path),
            Step::Done => self.pending.remove(&path),
        };
    }

    /// How long to wait for the next event before rebuilding. A save that is done (every file
    /// closed or renamed into place) only waits for the rest of its burst, which arrives within
    /// microseconds; a file still open for writing, or renamed away and not yet back, gets the
    /// longer spell, so that a rebuild does not read it half-written or missing.
    pub fn quiet_spell(&self) -> Duration {
        if self.pending.is_empty() {
            Duration::from_millis(3)
        } else {
            Duration::from_millis(25)
        }
    }
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
    fn a_save_is_done_when_the_file_is_closed_or_renamed_into_place() {
        use notify::event::{DataChange, MetadataKind, RemoveKind};
        let truncated = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert!(is_change(&closed));
        assert_eq!(step(&truncated), Step::Pending);
        assert_eq!(step(&EventKind::Create(CreateKind::File)), Step::Pending);
        // vim and Emacs move the original aside before writing the new file.
        assert_eq!(
            step(&EventKind::Modify(ModifyKind::Name(RenameMode::From))),
            Step::Pending
        );
        assert_eq!(step(&closed), Step::Done);
        assert_eq!(
            step(&EventKind::Modify(ModifyKind::Name(RenameMode::To))),
            Step::Done
        );
        assert_eq!(step(&EventKind::Remove(RemoveKind::File)), Step::Done);
        assert_eq!(
            step(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any))),
            Step::Done
        );
    }

    #[test]
    fn the_spell_stays_long_until_every_file_of_the_save_is_back_and_closed() {
        use notify::event::RemoveKind;
        let out = Path::new("/tmp/out");
        let unit = PathBuf::from("content/informes/2023-t2/unidades/uaa.yaml");
        let backup = PathBuf::from("content/informes/2023-t2/unidades/uaa.yaml~");
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let mut burst = Burst::default();
        // vim: the original moved aside, the new file written under its name, the backup deleted.
        burst.add(
            unit.clone(),
            step(&EventKind::Modify(ModifyKind::Name(RenameMode::From))),
            out,
        );
        assert!(burst.relevant);
        let long = burst.quiet_spell();
        burst.add(backup.clone(), Step::Done, out);
        assert_eq!(burst.quiet_spell(), long, "the unit is still missing");
        burst.add(
            unit.clone(),
            step(&EventKind::Create(CreateKind::File)),
            out,
        );
        assert_eq!(burst.quiet_spell(), long, "the unit is still open");
        burst.add(unit.clone(), step(&closed), out);
        assert!(burst.quiet_spell() < long);
        burst.add(backup, step(&EventKind::Remove(RemoveKind::File)), out);
        assert!(burst.quiet_spell() < long);
        // Changes to the output alone never rebuild.
        let mut own = Burst::default();
        own.add(out.join("index.html"), Step::Pending, out);
        assert!(!own.relevant);
        assert!(own.quiet_spell() < long);
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
