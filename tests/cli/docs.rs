//! The documentation is checked like code: every console example in the
//! Markdown files (README.md, CONTRIBUTING.md, docs/*.md) is run and must print
//! what it shows, links between them must lead somewhere, and the weekly
//! script in docs/weekly.md must be contrib/goldpan-weekly.sh as it is.
//!
//! A ```` ```console ```` block is a terminal session: each line starting with
//! `$ ` is a command (lines starting with `> ` after it continue it, as a shell
//! shows a here-document), and the lines up to the next command are its
//! output. Each document runs in a fresh folder laid out like a clone of the
//! repository in a home folder: the working folder is `/home/you/goldpan`,
//! holding `fixtures/` and `contrib/`, and `HOME` is `/home/you`, both inside a
//! temporary folder whose path is cut from the output. Blocks run in the order
//! of the document, so a command may use the files an earlier one wrote.
//! Commands run with `/bin/sh -c`, `goldpan` (the binary under test) first on
//! `PATH`, `TZ=UTC`, and stdout and stderr on a pseudo-terminal: the output is
//! what a terminal window shows (a table where goldpan draws one on a
//! terminal, CSV where the command pipes it on).
//!
//! When goldpan's output changes on purpose, rewrite every example's output
//! with
//!
//! ```sh
//! UPDATE_DOCS=1 cargo test --test cli docs
//! ```
//!
//! and read the diff before committing it.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, CONTRIBUTING.md and every other Markdown file at the top and
/// under docs/, as paths relative to the repository.
fn documents() -> Vec<PathBuf> {
    let markdown_in = |dir: &Path| -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|entry| dir.join(entry.unwrap().file_name()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
            .collect();
        files.sort();
        files
    };
    let mut files = markdown_in(Path::new(""));
    files.extend(markdown_in(Path::new("docs")));
    assert!(files.contains(&PathBuf::from("README.md")));
    files
}

/// A fenced code block of a Markdown file.
struct Block {
    /// The word after the opening fence: `console`, `sh`, `toml`, ….
    info: String,
    /// Spaces before the fence (a block inside a list item); its lines have
    /// them too, and `lines` is without them.
    indent: usize,
    /// Index in the file of the block's first line after the fence.
    first: usize,
    lines: Vec<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None if trimmed.starts_with("```") => {
                open = Some(Block {
                    info: trimmed[3..].split_whitespace().next().unwrap_or("").into(),
                    indent: line.len() - trimmed.len(),
                    first: i + 1,
                    lines: Vec::new(),
                })
            }
            None => {}
            Some(_) if trimmed == "```" => blocks.extend(open.take()),
            Some(block) => {
                let cut = block.indent.min(line.len() - trimmed.len());
                block.lines.push(line[cut..].to_string());
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    blocks
}

/// One command of a console block and the output shown for it.
struct Step {
    /// The command as given to `sh -c` (here-document lines included).
    command: String,
    /// Index in the file of the `$ ` line.
    line: usize,
    /// Indexes in the file of the output lines shown: `output.0..output.1`.
    output: (usize, usize),
}

fn steps(block: &Block) -> Result<Vec<Step>, String> {
    let mut steps: Vec<Step> = Vec::new();
    for (i, line) in block.lines.iter().enumerate() {
        let at = block.first + i;
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.to_string(),
                line: at,
                output: (at + 1, at + 1),
            });
        } else if let Some(step) = steps.last_mut() {
            match line.strip_prefix("> ") {
                Some(more) if step.output.0 == at => {
                    step.command.push('\n');
                    step.command.push_str(more);
                    step.output = (at + 1, at + 1);
                }
                _ => step.output.1 = at + 1,
            }
        } else {
            return Err(format!(
                "line {}: a console block starts with a `$ ` command",
                at + 1
            ));
        }
    }
    if steps.is_empty() {
        return Err(format!("line {}: an empty console block", block.first));
    }
    Ok(steps)
}

/// A temporary folder that stands for `/`: the documents' examples run in
/// `/home/you/goldpan`, a copy of the repository's layout.
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        let clone = root.path().join("home/you/goldpan");
        std::fs::create_dir_all(&clone).unwrap();
        for shared in ["fixtures", "contrib"] {
            std::os::unix::fs::symlink(root_path(shared), clone.join(shared)).unwrap();
        }
        Sandbox { root }
    }

    /// Runs a command as in a terminal window; returns what it showed, with
    /// the sandbox's own path cut out (so `/home/you/…` reads as it would).
    fn run(&self, command: &str) -> String {
        let bin = Path::new(env!("CARGO_BIN_EXE_goldpan")).parent().unwrap();
        let home = self.root.path().join("home/you");
        let (terminal, shown) = pseudo_terminal();
        let mut child = {
            let mut sh = Command::new("/bin/sh");
            sh.arg("-c")
                .arg(command)
                .env_clear()
                .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
                .env("HOME", &home)
                .env("TZ", "UTC")
                .env("LC_ALL", "C.UTF-8")
                .current_dir(home.join("goldpan"))
                .stdin(Stdio::null())
                .stdout(terminal.try_clone().unwrap())
                .stderr(terminal);
            sh.spawn().unwrap()
            // `sh` is dropped here, and with it this process's copies of the
            // terminal's end: reading the other end then stops when the
            // command and everything it started have exited.
        };
        let output = read_until_closed(shown);
        child.wait().unwrap();
        let output = String::from_utf8_lossy(&output).replace("\r\n", "\n");
        output.replace(&self.root.path().display().to_string(), "")
    }
}

fn root_path(name: &str) -> PathBuf {
    root().join(name)
}

/// A pseudo-terminal: the end a program writes to (it is a terminal to
/// goldpan's `is_terminal()`), and the end that shows what was written.
fn pseudo_terminal() -> (File, File) {
    // SAFETY: plain calls on a file descriptor this function owns; ptsname's
    // static buffer is copied at once, and no other test opens terminals.
    unsafe {
        let shown = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(shown >= 0, "cannot open a pseudo-terminal");
        assert_eq!(libc::grantpt(shown), 0);
        assert_eq!(libc::unlockpt(shown), 0);
        let name = std::ffi::CStr::from_ptr(libc::ptsname(shown))
            .to_str()
            .unwrap()
            .to_string();
        let shown = File::from_raw_fd(shown);
        let terminal = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name)
            .unwrap();
        (terminal, shown)
    }
}

/// Everything written to the terminal until no program has it open (Linux
/// then answers EIO rather than end of file).
fn read_until_closed(mut shown: File) -> Vec<u8> {
    let mut output = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        match shown.read(&mut buffer) {
            Ok(0) => return output,
            Ok(n) => output.extend_from_slice(&buffer[..n]),
            Err(err) if err.raw_os_error() == Some(libc::EIO) => return output,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => panic!("reading the terminal: {err}"),
        }
    }
}

/// Runs the console examples of one document. Returns the mismatches, and the
/// document with every output replaced by the real one.
fn check_examples(document: &Path) -> (Vec<String>, String) {
    let text = std::fs::read_to_string(root().join(document)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let sandbox = Sandbox::new();
    let mut problems = Vec::new();
    // (first line, end line, indent, new lines), in file order.
    let mut replacements: Vec<(usize, usize, usize, Vec<String>)> = Vec::new();
    for block in blocks(&text).iter().filter(|b| b.info == "console") {
        let steps = match steps(block) {
            Ok(steps) => steps,
            Err(problem) => {
                problems.push(format!("{}: {problem}", document.display()));
                continue;
            }
        };
        for step in steps {
            let shown: Vec<&str> = lines[step.output.0..step.output.1]
                .iter()
                .map(|line| {
                    line.get(block.indent..)
                        .unwrap_or("")
                        .trim_end_matches('\r')
                })
                .collect();
            let output = sandbox.run(&step.command);
            let printed: Vec<&str> = output.lines().collect();
            if trim_blank_end(&shown) != trim_blank_end(&printed) {
                let mut problem = String::new();
                let _ = writeln!(
                    problem,
                    "{}:{}: `{}` printed something else.\n--- shown:\n{}\n--- printed:\n{}",
                    document.display(),
                    step.line + 1,
                    step.command,
                    shown.join("\n"),
                    printed.join("\n"),
                );
                problems.push(problem);
            }
            let printed = trim_blank_end(&printed)
                .iter()
                .map(|line| line.to_string())
                .collect();
            replacements.push((step.output.0, step.output.1, block.indent, printed));
        }
    }
    let mut rewritten: Vec<String> = Vec::new();
    let mut next = 0;
    for (first, end, indent, printed) in replacements {
        rewritten.extend(lines[next..first].iter().map(|line| line.to_string()));
        let pad = " ".repeat(indent);
        rewritten.extend(printed.iter().map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{pad}{line}")
            }
        }));
        next = end;
    }
    rewritten.extend(lines[next..].iter().map(|line| line.to_string()));
    let mut rewritten = rewritten.join("\n");
    if text.ends_with('\n') {
        rewritten.push('\n');
    }
    (problems, rewritten)
}

fn trim_blank_end<'a>(lines: &'a [&'a str]) -> &'a [&'a str] {
    let end = lines
        .iter()
        .rposition(|line| !line.trim().is_empty())
        .map_or(0, |last| last + 1);
    &lines[..end]
}

#[test]
fn console_examples_print_what_they_show() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut problems = Vec::new();
    let mut examples = 0;
    for document in documents() {
        let (found, rewritten) = check_examples(&document);
        let text = std::fs::read_to_string(root().join(&document)).unwrap();
        examples += blocks(&text).iter().filter(|b| b.info == "console").count();
        if update && rewritten != text {
            std::fs::write(root().join(&document), rewritten).unwrap();
            eprintln!("rewrote the examples' output in {}", document.display());
        } else {
            problems.extend(found);
        }
    }
    assert!(examples > 0, "no console example found");
    assert!(
        problems.is_empty(),
        "{}\n{} example(s) do not print what the docs show. If goldpan's output changed \
         on purpose, rewrite them with `UPDATE_DOCS=1 cargo test --test cli docs` and \
         read the diff.",
        problems.join("\n"),
        problems.len()
    );
}

/// A terminal session in a block that is not marked `console` would never be
/// run, so it could go wrong unseen.
#[test]
fn every_terminal_session_is_a_console_block() {
    let mut problems = Vec::new();
    for document in documents() {
        let text = std::fs::read_to_string(root().join(&document)).unwrap();
        for block in blocks(&text).iter().filter(|b| b.info != "console") {
            if let Some(i) = block.lines.iter().position(|l| l.starts_with("$ ")) {
                problems.push(format!(
                    "{}:{}: a `$ ` command in a ```{} block: mark the block ```console \
                     (it is then run and checked) or drop the `$ `",
                    document.display(),
                    block.first + i + 1,
                    block.info
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Links between the documents point at files that exist, and nothing points
/// outside the repository (a clone has nothing beside it).
#[test]
fn links_lead_to_files_in_the_repository() {
    let mut problems = Vec::new();
    for document in documents() {
        let text = std::fs::read_to_string(root().join(&document)).unwrap();
        if text.contains("../shared") || text.contains("shared/spec") {
            problems.push(format!(
                "{}: cites ../shared, which a clone does not have",
                document.display()
            ));
        }
        for target in text
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            let path = target.split('#').next().unwrap_or("");
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            let dir = document.parent().unwrap_or(Path::new(""));
            if !root().join(dir).join(path).exists() {
                problems.push(format!(
                    "{}: the link to {target} leads nowhere",
                    document.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn weekly_guide_shows_the_script_verbatim() {
    let script = std::fs::read_to_string(root_path("contrib/goldpan-weekly.sh")).unwrap();
    let guide = std::fs::read_to_string(root_path("docs/weekly.md")).unwrap();
    assert!(
        guide.contains(&format!("```sh\n{script}```\n")),
        "docs/weekly.md must show contrib/goldpan-weekly.sh as it is, in a ```sh block"
    );
}

mod parsing {
    use super::*;

    #[test]
    fn commands_outputs_and_here_documents() {
        let text =
            "text\n```console\n$ cat > a.toml <<'EOF'\n> x = 1\n> EOF\n$ cat a.toml\nx = 1\n```\n";
        let blocks = blocks(text);
        assert_eq!(blocks.len(), 1);
        let steps = steps(&blocks[0]).unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].command, "cat > a.toml <<'EOF'\nx = 1\nEOF");
        assert_eq!(steps[0].output, (5, 5));
        assert_eq!(steps[1].command, "cat a.toml");
        assert_eq!(steps[1].output, (6, 7));
    }

    #[test]
    fn a_block_in_a_list_item_loses_its_indent() {
        let text = "1. Run:\n\n   ```console\n   $ echo hi\n   hi\n   ```\n";
        let blocks = blocks(text);
        assert_eq!(blocks[0].indent, 3);
        assert_eq!(blocks[0].lines, ["$ echo hi", "hi"]);
    }

    #[test]
    fn output_before_any_command_is_an_error() {
        let text = "```console\nhi\n$ echo hi\n```\n";
        assert!(steps(&blocks(text)[0]).is_err());
    }

    #[test]
    fn the_sandbox_shows_a_terminal_and_hides_its_path() {
        let sandbox = Sandbox::new();
        assert_eq!(
            sandbox.run("test -t 1 && test -t 2 && echo terminal; echo $HOME; pwd"),
            "terminal\n/home/you\n/home/you/goldpan\n"
        );
        assert_eq!(
            sandbox.run("echo piped | cat; ls fixtures | grep -c csv"),
            {
                let csv = std::fs::read_dir(root_path("fixtures"))
                    .unwrap()
                    .filter(|e| {
                        e.as_ref()
                            .unwrap()
                            .file_name()
                            .to_string_lossy()
                            .contains("csv")
                    })
                    .count();
                format!("piped\n{csv}\n")
            }
        );
    }
}
