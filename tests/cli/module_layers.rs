//! goldpan's modules form layers: no module imports, directly or through
//! others, a module that imports it (model ← ingest ← customers ← segments ←
//! metrics … ← cmd ← main). A cycle makes the layers unreadable, so it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its code names as `crate::…`
/// (comments left out).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.clone()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        let used = graph.entry(module.clone()).or_default();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let code = line.split("//").next().unwrap();
            for part in code.split("crate::").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    used.insert(name);
                }
            }
        }
    }
    graph
}

#[test]
fn modules_import_no_cycle() {
    let graph = imports();
    assert!(graph.contains_key("model") && graph.contains_key("cmd"));
    // Depth-first search; `path` is the chain of imports being followed.
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(start) = path.iter().position(|m| *m == module) {
            panic!("import cycle: {} → {module}", path[start..].join(" → "));
        }
        if !done.insert(module) {
            return;
        }
        path.push(module);
        for next in graph.get(module).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn leaves_import_no_goldpan_module() {
    let graph = imports();
    for leaf in ["model", "sanitize", "exit_codes"] {
        assert_eq!(graph[leaf], BTreeSet::new(), "{leaf}");
    }
    let output: Vec<&String> = graph["output"].iter().collect();
    assert_eq!(
        output,
        ["exit_codes", "sanitize"],
        "output writes, it computes nothing"
    );
}
