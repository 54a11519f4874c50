//! Embeds the lessons (`lessons/*.toml`) into the binary, so an installed `kafka-flow`
//! has the whole course without a data directory.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("lessons");
    println!("cargo:rerun-if-changed=lessons");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    Path::new(n)
                        .extension()
                        .is_some_and(|x| x.eq_ignore_ascii_case("toml"))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from(
        "/// The lessons built into the binary: (file name, text).\npub const EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for n in &names {
        println!("cargo:rerun-if-changed=lessons/{n}");
        let _ = writeln!(
            out,
            "    ({n:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/lessons/{n}\"))),"
        );
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string());
    let _ = std::fs::write(Path::new(&out_dir).join("embedded_lessons.rs"), out);
}
