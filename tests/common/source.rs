//! Reading the crate's own source for the structure tests (`seam.rs`): the `.rs` files
//! under a directory, and each line's code without its comment.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` (or `dir` itself when it is a file), sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let entries = std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code part of one line: everything before a `//` comment that is not inside a
/// string literal. `in_string` carries a multi-line string literal over to the next line.
pub fn code_part(line: &str, in_string: &mut bool) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut code = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if *in_string {
            if c == '\\' {
                code.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    code.push(n);
                }
                i += 2;
                continue;
            }
            if c == '"' {
                *in_string = false;
            }
            code.push(c);
            i += 1;
            continue;
        }
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => break,
            '"' => *in_string = true,
            // A char literal such as '"' or '\'' must not open a string.
            '\'' => {
                let lit_len = match (chars.get(i + 1), chars.get(i + 2), chars.get(i + 3)) {
                    (Some('\\'), Some(_), _) => chars[i + 3..]
                        .iter()
                        .position(|&c| c == '\'')
                        .map(|p| p + 4),
                    (Some(_), Some('\''), _) => Some(3),
                    _ => None, // a lifetime
                };
                if let Some(len) = lit_len {
                    code.extend(&chars[i..(i + len).min(chars.len())]);
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        code.push(c);
        i += 1;
    }
    code
}
