//! The shipped report (`content/`): it builds cleanly and every fact that matters from the
//! seed document can be found on the built site.

use crate::harness::{TestSite, repo_root};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fact {
    pagina: String,
    texto: String,
    #[serde(default)]
    #[allow(dead_code, reason = "documents the fact's origin for people")]
    nota: Option<String>,
}

#[test]
fn shipped_report_builds_and_publishes_every_fact_of_the_seed() {
    let site = TestSite::shipped();
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let facts: Vec<Fact> = serde_yaml::from_str(
        &std::fs::read_to_string(repo_root().join("tests/fixtures/hechos-2023-t2.yaml")).unwrap(),
    )
    .unwrap();
    assert!(facts.len() >= 60, "only {} facts", facts.len());
    let mut missing = Vec::new();
    for f in &facts {
        let text = site.text(&f.pagina);
        let want = f.texto.replace('\u{a0}', " ");
        let want = want.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.contains(&want) {
            missing.push(format!("{} → {:?}", f.pagina, f.texto));
        }
    }
    assert!(
        missing.is_empty(),
        "{} facts not found:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn computed_percentages_match_the_published_ones() {
    let site = TestSite::shipped();
    assert_eq!(site.build().code, 0);
    let dsepd = site.text("informes/2023/t2/dsepd/index.html");
    // 102 of 242 maintenances and 442 of 1,000 people: computed by the generator, equal to
    // the report's 42.15 % and 44.2 %.
    assert!(dsepd.contains("42.15 % 102 de 242, calculado"), "{dsepd}");
    assert!(dsepd.contains("44.2 % 442 de 1,000, calculado"), "{dsepd}");
}

#[test]
fn shipped_report_warnings_are_the_known_discrepancies_only() {
    let site = TestSite::shipped();
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("aviso"))
        .collect();
    assert_eq!(
        warnings,
        [
            "aviso[W-FECHA]: la fecha 2022-03-01 no es del año del informe (2023)",
            "aviso[W-FECHA]: la fecha 2022-12-31 no es del año del informe (2023)",
            "aviso[W-META]: la meta es de 124 pero el avance se calcula sobre 242 programados",
        ],
        "{}",
        run.stderr
    );
}
