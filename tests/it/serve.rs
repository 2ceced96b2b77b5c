//! `informe serve` started for real on a free loopback port, driven over HTTP.

use crate::harness::{TestSite, repo_root};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process; killed when the test ends, pass or fail.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &TestSite) -> Server {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("informe"))
        .current_dir(site.dir.path())
        .args(["serve", "--port", "0", "--theme"])
        .arg(repo_root().join("theme"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    Server { child, addr }
}

/// A raw HTTP/1.1 GET, so traversal paths reach the server exactly as written.
fn get(addr: &str, target: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, raw)
}

fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for: {what}");
}

const UNIT: &str = "informes/2023-t2/unidades/datos.yaml";

#[test]
fn serves_the_site_with_the_reload_script_only_in_responses() {
    let site = TestSite::fixture("minimo");
    let server = start(&site);
    let (status, body) = get(&server.addr, "/informes/2023/t2/datos/");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Dirección de Datos"));
    assert!(body.contains("<script src=\"/__informe/recarga.js\"></script>"));
    assert!(body.contains("X-Content-Type-Options: nosniff"), "{body}");
    let (status, script) = get(&server.addr, "/__informe/recarga.js");
    assert_eq!(status, 200);
    assert!(script.contains("new EventSource('/__informe/eventos')"));
    assert!(
        !site.output().exists(),
        "serve never writes public/ (its preview lives in a temporary folder)"
    );
    let (status, _) = get(&server.addr, "/no-existe/");
    assert_eq!(status, 404);
}

#[test]
fn never_serves_outside_its_output() {
    let site = TestSite::fixture("minimo");
    let server = start(&site);
    for target in [
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/informes/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
    ] {
        let (status, body) = get(&server.addr, target);
        assert_eq!(status, 403, "{target}: {body}");
        assert!(!body.contains("root:"), "{target}");
    }
    let (status, body) = get(&server.addr, "//etc/passwd");
    assert_eq!(status, 404, "an absolute path stays inside the output");
    assert!(!body.contains("root:"));
}

#[test]
fn edit_rebuilds_and_notifies_error_shows_overlay_fix_recovers() {
    let site = TestSite::fixture("minimo");
    let server = start(&site);
    let mut events = TcpStream::connect(&server.addr).unwrap();
    write!(events, "GET /__informe/eventos HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut events = BufReader::new(events);
    let mut line = String::new();
    while !line.contains("conectado") {
        line.clear();
        events.read_line(&mut line).unwrap();
    }

    site.edit(UNIT, "Mantener los equipos.", "Mantener todos los equipos.");
    loop {
        line.clear();
        events.read_line(&mut line).unwrap();
        if line.starts_with("data: recargar") {
            break;
        }
    }
    eventually("the edited text", || {
        get(&server.addr, "/informes/2023/t2/datos/")
            .1
            .contains("Mantener todos los equipos.")
    });

    site.edit(UNIT, "orden: 1", "orden: uno");
    eventually("the error overlay", || {
        get(&server.addr, "/informes/2023/t2/datos/")
            .1
            .contains("id=\"informe-error\"")
    });
    let (status, body) = get(&server.addr, "/informes/2023/t2/datos/");
    assert_eq!(status, 200, "the last good build is still served");
    assert!(body.contains("Mantener todos los equipos."));
    assert!(
        body.contains("datos.yaml:2:8"),
        "the overlay shows the located error"
    );

    site.edit(UNIT, "orden: uno", "orden: 1");
    eventually("recovery", || {
        !get(&server.addr, "/informes/2023/t2/datos/")
            .1
            .contains("informe-error")
    });
}

#[test]
fn removes_previews_left_by_serves_that_no_longer_run() {
    let stale = std::env::temp_dir().join("informe-vista-previa-4294967295");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join(".informe-salida"), "x").unwrap();
    let scratch = std::env::temp_dir().join("informe-vista-previa-4294967295.indice");
    std::fs::create_dir_all(scratch.join("informes")).unwrap();
    let site = TestSite::fixture("minimo");
    let server = start(&site);
    assert_eq!(get(&server.addr, "/").0, 200);
    assert!(!stale.exists(), "the preview of a dead serve survived");
    assert!(
        !scratch.exists(),
        "the search scratch folder of a dead serve survived"
    );
}

/// Every word of the search fragments in `serve`'s preview folder, decompressed.
fn indexed_text(server: &Server) -> String {
    let dir = std::env::temp_dir()
        .join(format!("informe-vista-previa-{}", server.child.id()))
        .join("pagefind/fragment");
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        let _ = flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text);
    }
    text
}

#[test]
fn search_catches_up_with_an_edit_after_the_reload() {
    let site = TestSite::fixture("minimo");
    let server = start(&site);
    eventually("the first build's index", || {
        indexed_text(&server).contains("Mantener los equipos")
    });
    assert!(!indexed_text(&server).contains("zanahorias"));

    site.edit(
        UNIT,
        "Mantener los equipos.",
        "Mantener los equipos y las zanahorias.",
    );
    eventually("the edited page", || {
        get(&server.addr, "/informes/2023/t2/datos/")
            .1
            .contains("zanahorias")
    });
    eventually("the edited words in the search index", || {
        indexed_text(&server).contains("zanahorias")
    });
    let (status, _) = get(&server.addr, "/pagefind/pagefind-entry.json");
    assert_eq!(status, 200, "the swapped-in bundle is served");
}
