//! `TestSite`: a fixture copied into a temporary directory, built through the real CLI.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct TestSite {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestSite {
    /// Copies `tests/fixtures/<name>/content` so each test can break its own copy.
    pub fn fixture(name: &str) -> TestSite {
        Self::from_content(
            &repo_root()
                .join("tests/fixtures")
                .join(name)
                .join("content"),
        )
    }

    /// The shipped report, `content/` at the repository root.
    pub fn shipped() -> TestSite {
        Self::from_content(&repo_root().join("content"))
    }

    fn from_content(src: &Path) -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(src, &dir.path().join("content"));
        TestSite { dir }
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn output(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn build(&self) -> Run {
        self.build_to(&self.output(), &[])
    }

    pub fn build_to(&self, output: &Path, env: &[(&str, &str)]) -> Run {
        self.build_with(output, env, &[])
    }

    /// `build` into `output` with `env` set and `args` after the usual ones.
    pub fn build_with(&self, output: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = Command::cargo_bin("informe").unwrap();
        cmd.current_dir(self.dir.path())
            .arg("build")
            .arg("--content")
            .arg(self.content())
            .arg("--theme")
            .arg(repo_root().join("theme"))
            .arg("--output")
            .arg(output)
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr)
                .replace(&*self.dir.path().to_string_lossy(), "[SITE]"),
        }
    }

    /// Replaces `from` with `to` in a content file (panics if `from` is absent, so a test
    /// cannot silently stop breaking what it means to break).
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let path = self.content().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    pub fn page(&self, rel: &str) -> String {
        std::fs::read_to_string(self.output().join(rel))
            .unwrap_or_else(|e| panic!("page {rel}: {e}"))
    }

    /// The page as a reader sees it: tags removed, entities for spaces resolved, whitespace
    /// collapsed.
    pub fn text(&self, rel: &str) -> String {
        visible_text(&self.page(rel))
    }
}

pub fn visible_text(html: &str) -> String {
    const INLINE: [&str; 10] = [
        "a", "strong", "em", "b", "i", "span", "time", "code", "abbr", "small",
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start + 1..start + end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !INLINE.contains(&name.as_str()) {
            out.push(' ');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace('\u{a0}', " ")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn copy_tree(src: &Path, dst: &Path) {
    for entry in WalkDir::new(src).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(src).unwrap();
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// That `got` holds the files of `expected`, byte for byte, and no others; `what` names the
/// comparison in the failure, which lists the paths that differ.
pub fn assert_same_files(
    expected: &BTreeMap<String, Vec<u8>>,
    got: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let differ: Vec<&String> = expected
        .keys()
        .chain(got.keys())
        .filter(|k| expected.get(*k) != got.get(*k))
        .collect();
    assert!(differ.is_empty(), "{what}: differs in {differ:?}");
}

/// Every file under `dir` with its bytes, for byte-for-byte comparisons.
/// That the site's `public/` is, file for file and byte for byte, what a build without search
/// into a new folder (`nuevo-<step>`, with nothing beside it to take from) writes; returns
/// that build's run.
pub fn assert_same_as_fresh_build(site: &TestSite, step: &str) -> Run {
    let fresh = site
        .dir
        .path()
        .join(format!("nuevo-{}", step.replace(' ', "-")));
    let run = site.build_with(&fresh, &[], &["--sin-busqueda"]);
    assert_eq!(run.code, 0, "{step}: {}", run.stderr);
    assert_same_files(
        &tree(&fresh),
        &tree(&site.output()),
        &format!("{step}, against a fresh build"),
    );
    run
}

/// Where builds into `public` store their parses of the content (beside it, on purpose).
pub const STORED_PARSES: &str = ".public.informe-lecturas";

/// Staging, previous-output or half-deleted folders of `public` left in `dir`: any
/// `.public.*` entry but the stored parses.
pub fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.") && n != STORED_PARSES)
        .collect()
}

pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}
